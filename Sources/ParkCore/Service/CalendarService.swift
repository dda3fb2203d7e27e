import Foundation
import Postgres

/// The working calendar: public holidays and make-up working days (调休), for all
/// parks or one. Working hours default to 08:30-12:00 and 13:30-18:00, Monday to Friday.
public struct CalendarService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func list(year: Int? = nil, park: String? = nil) throws -> [CalendarEntry] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                SELECT c.day, c.kind, c.name, p.code AS park, c.source FROM calendar_day c LEFT JOIN park p ON p.id = c.park_id
                \(SQL.whereAll([year.map { "extract(year FROM c.day) = \($0)" }, park.map { "p.code = \($0) OR c.park_id IS NULL" }]))
                ORDER BY c.day, p.code NULLS FIRST
                """).rows.map { row in
                CalendarEntry(day: try row.decode("day"), kind: try row.decode("kind", as: CalendarEntry.Kind.self),
                              name: try row.decode("name"), park: try row.decode("park"), source: try row.decode("source"))
            }
        }
    }

    /// Adds one day (or renames it). Returns false when it was recorded like that
    /// already. A day recorded as the other kind (a working day over a holiday, say)
    /// is changed only when `replacing`: otherwise that is refused, naming what stands.
    @discardableResult
    public func set(_ entry: CalendarEntry, replacing: Bool = false) throws -> Bool {
        try session.write { conn in
            if !replacing, let row = try conn.query("""
                SELECT c.kind, c.name FROM calendar_day c LEFT JOIN park p ON p.id = c.park_id
                WHERE c.day = \(entry.day) AND p.code IS NOT DISTINCT FROM \(entry.park)
                """).rows.first, try row.decode("kind", as: String.self) != entry.kind.rawValue {
                let name = try row.decode("name", as: String?.self)
                let what = entry.kind == .holiday ? "a holiday" : "a working day"
                throw ParkError(.conflict, """
                    \(entry.day) is \(entry.kind == .holiday ? "a working day" : "a holiday")\(name.map { " (\($0))" } ?? "") \
                    \(entry.park.map { "at \($0)" } ?? "for every park") already; give --replace to make it \(what)
                    """)
            }
            return try setAll([entry]) > 0
        }
    }

    /// Adds or changes many days in one transaction; returns how many changed.
    @discardableResult
    public func setAll(_ entries: [CalendarEntry]) throws -> Int {
        for e in entries { if let name = e.name { _ = try Validate.text(name, field: "name", max: 100) } }
        return try session.write { conn in
            var parkIDs: [String: Int] = [:]
            for park in Set(entries.compactMap(\.park)) { parkIDs[park] = try Lookup.parkID(park, conn) }
            return try conn.execute("""
                INSERT INTO calendar_day (park_id, day, kind, name, source)
                SELECT nullif(pid, 0), d, k, nullif(n, ''), nullif(s, '')
                FROM unnest(\(entries.map { $0.park.flatMap { parkIDs[$0] } ?? 0 })::bigint[], \(entries.map(\.day.description))::date[],
                            \(entries.map(\.kind.rawValue))::text[], \(entries.map { $0.name ?? "" })::text[],
                            \(entries.map { $0.source ?? "" })::text[]) AS x(pid, d, k, n, s)
                -- A day loaded from a notice names it; one made the other kind by hand is no longer the notice's
                -- (renamed only, it is still the notice's day).
                ON CONFLICT (coalesce(park_id, 0), day) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                    source = CASE WHEN excluded.source IS NOT NULL THEN excluded.source
                                  WHEN calendar_day.kind = excluded.kind THEN calendar_day.source END
                WHERE (calendar_day.kind, calendar_day.name) IS DISTINCT FROM (excluded.kind, excluded.name)
                   OR (excluded.source IS NOT NULL AND calendar_day.source IS DISTINCT FROM excluded.source)
                """)
        }
    }

    /// Reads a CSV with the header `date,kind,name` (kind `holiday` or `workday`).
    /// Every bad line is reported, with its number; nothing is written unless all are good.
    public func importCSV(_ text: String, park: String? = nil) throws -> (read: Int, changed: Int) {
        let entries = try Self.parse(text, park: park)
        return (entries.count, try setAll(entries))
    }

    /// What `update` did: the notice's year, the days read, the days new or changed, the
    /// days an earlier notice of that year gave that this one does not (removed), and the
    /// days the group recorded by hand that stay as they are (kept).
    public struct UpdateResult: Sendable, Equatable {
        public var year: Int
        public var read: Int
        public var changed: Int
        public var removed: [CalendarDate]
        public var keptByHand: [CalendarDate]

        public init(year: Int, read: Int, changed: Int, removed: [CalendarDate], keptByHand: [CalendarDate]) {
            self.year = year
            self.read = read
            self.changed = changed
            self.removed = removed
            self.keptByHand = keptByHand
        }
    }

    /// Loads the State Council's holiday arrangement (放假安排) of one year, from a CSV in
    /// the shape of `calendar import` (the arrangements of 2025 and 2026 are built in,
    /// sql/0025), for the whole group, naming the notice (`source`; by default its
    /// usual title). The notice's year is the latest in the file; a notice may also name
    /// days at the end of the year before (元旦 from 31 December, a working Sunday before
    /// it), which are added but replace nothing. What an earlier notice said of the
    /// notice's year is replaced: a day it made official that this one does not list is
    /// removed. A day the group recorded by hand stays as it is, and is named; every
    /// park's own days stay too. Two loads at once run one after the other.
    public func update(_ text: String, source: String? = nil) throws -> UpdateResult {
        let source = try source.map { try Validate.text($0, field: "source", max: 200) }
        var entries = try Self.parse(text, park: nil)
        guard let year = entries.map(\.day.year).max() else {
            throw ParkError.invalid("the calendar file has no days: an arrangement lists a year's holidays")
        }
        guard (1949...2999).contains(year) else {
            throw ParkError.invalid("the arrangement's year \(year) is not a year of the State Council's notices (1949 to 2999)")
        }
        if let stray = entries.first(where: { $0.day.year < year - 1 }) {
            throw ParkError.invalid("""
                \(stray.day) is not in \(year), the year of the arrangement, nor at the end of \(year - 1): \
                load one year's notice at a time
                """)
        }
        let notice = source ?? "国务院办公厅关于\(year)年部分节假日安排的通知"
        for i in entries.indices { entries[i].source = notice }
        return try session.write { conn in
            // One load at a time: two notices of one year never leave a mix of both.
            try conn.execute("SELECT pg_advisory_xact_lock(20250, \(year)::int)")
            let removed: [CalendarDate] = try conn.query("""
                DELETE FROM calendar_day c
                WHERE c.park_id IS NULL AND c.source IS NOT NULL AND extract(year FROM c.day)::int = \(year)
                  AND c.day <> ALL(\(entries.map(\.day.description))::date[])
                RETURNING c.day
                """).rows.map { try $0.decode(0) }.sorted()
            let kept: [CalendarDate] = try conn.query("""
                SELECT c.day FROM calendar_day c
                WHERE c.park_id IS NULL AND c.source IS NULL AND c.day = ANY(\(entries.map(\.day.description))::date[])
                ORDER BY c.day
                """).rows.map { try $0.decode(0) }
            let keep = Set(kept)
            let changed = try setAll(entries.filter { !keep.contains($0.day) })
            return UpdateResult(year: year, read: entries.count, changed: changed, removed: removed, keptByHand: kept)
        }
    }

    /// What it means that `years` have no official arrangement loaded, for people; nil
    /// when there are none.
    public static func unarrangedWarning(_ years: [Int], in what: String) -> String? {
        guard !years.isEmpty else { return nil }
        return "no official holiday arrangement is loaded for \(years.map(String.init).joined(separator: ", ")): "
            + "its holidays count as working days in \(what); load it with `parkctl calendar update FILE`"
    }

    /// The days of a CSV with the header `date,kind,name`, every bad line reported.
    static func parse(_ text: String, park: String?) throws -> [CalendarEntry] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        if lines.first?.hasPrefix("\u{FEFF}") == true { lines[0].removeFirst() }
        guard let header = lines.first, header.lowercased().replacingOccurrences(of: " ", with: "") == "date,kind,name" else {
            throw ParkError.invalid("the calendar file must start with the header line date,kind,name")
        }
        var entries: [CalendarEntry] = []
        var problems: [String] = []
        var seen: [CalendarDate: Int] = [:]
        for (i, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let lineNumber = i + 1
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            guard fields.count >= 2 else { problems.append("line \(lineNumber): expected date,kind,name, got '\(line)'"); continue }
            guard let day = CalendarDate(fields[0]) else {
                problems.append("line \(lineNumber): date '\(fields[0])' is not a day (YYYY-MM-DD)"); continue
            }
            guard let kind = CalendarEntry.Kind(rawValue: fields[1]) else {
                problems.append("line \(lineNumber): kind '\(fields[1])' is not holiday or workday"); continue
            }
            if let earlier = seen[day] { problems.append("line \(lineNumber): \(day) is also on line \(earlier)"); continue }
            seen[day] = lineNumber
            entries.append(CalendarEntry(day: day, kind: kind, name: fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil, park: park))
        }
        if !problems.isEmpty {
            throw ParkError.invalid("the calendar file has \(problems.count) bad line\(problems.count == 1 ? "" : "s"); nothing was imported:\n  "
                                    + problems.joined(separator: "\n  "))
        }
        return entries
    }
}
