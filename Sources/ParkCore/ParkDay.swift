import Postgres

/// A park's "today" in SQL: `park_today` (migration 0022) of the park with that code,
/// in the park's own time zone, or in the group's zone for a report over every park.
/// The one way parkctl's reads say "today"; the rule itself lives in the database.
enum ParkDay {
    static func today(park code: String?) -> SQL {
        guard let code else { return "park_today(NULL)" }
        return "park_today((SELECT p.id FROM park p WHERE p.code = \(code)))"
    }
}
