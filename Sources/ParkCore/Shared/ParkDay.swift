import Postgres

/// A park's "today" in SQL: `park_today` (migration 0022) of the park with that code,
/// in the park's own time zone, or in the group's zone for a report over every park.
/// The one way parkctl's reads say "today"; the rule itself lives in the database.
///
/// It is a scalar sub-query, so that the query computes it once (an InitPlan): as a
/// bare call the planner would push it into every row a report reads.
enum ParkDay {
    static func today(park code: String?) -> SQL {
        guard let code else { return "(SELECT park_today(NULL))" }
        return "(SELECT park_today((SELECT p.id FROM park p WHERE p.code = \(code))))"
    }

    /// Today of the park a query calls `p`, row by row (park_local_date, which the
    /// planner inlines). `schemaHasParkToday` is false only on a
    /// schema older than 0022, which the lease commands that resolve a blocked
    /// migration still run on: there the rule is park_today's own body, inline.
    static func todayOfPark(schemaHasParkToday: Bool) -> SQL {
        schemaHasParkToday ? "park_local_date(p.time_zone)" : "(now() AT TIME ZONE p.time_zone)::date"
    }

    /// Today of the park that `condition` picks (`p.code = …`, `p.id = …`), as a value,
    /// on any schema the commands run on.
    static func today(ofParkWhere condition: SQL, _ conn: Connection) throws -> CalendarDate {
        let today = todayOfPark(schemaHasParkToday: try schemaHasParkToday(conn))
        return try conn.query("SELECT \(today) FROM park p WHERE \(condition)").rows[0].decode(0)
    }

    /// Whether the database has park_local_date and park_today (0022), as SQL.
    static let schemaHasParkTodaySQL: SQL = "to_regprocedure('public.park_local_date(text)') IS NOT NULL"

    static func schemaHasParkToday(_ conn: Connection) throws -> Bool {
        try conn.query("SELECT \(schemaHasParkTodaySQL)").rows[0].decode(0)
    }
}
