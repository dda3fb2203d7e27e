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
                SELECT c.day, c.kind, c.name, p.code AS park FROM calendar_day c LEFT JOIN park p ON p.id = c.park_id
                \(SQL.whereAll([year.map { "extract(year FROM c.day) = \($0)" }, park.map { "p.code = \($0) OR c.park_id IS NULL" }]))
                ORDER BY c.day, p.code NULLS FIRST
                """).rows.map { row in
                CalendarEntry(day: try row.decode("day"), kind: try row.decode("kind", as: CalendarEntry.Kind.self),
                              name: try row.decode("name"), park: try row.decode("park"))
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
                INSERT INTO calendar_day (park_id, day, kind, name)
                SELECT nullif(pid, 0), d, k, nullif(n, '')
                FROM unnest(\(entries.map { $0.park.flatMap { parkIDs[$0] } ?? 0 })::bigint[], \(entries.map(\.day.description))::date[],
                            \(entries.map(\.kind.rawValue))::text[], \(entries.map { $0.name ?? "" })::text[]) AS x(pid, d, k, n)
                ON CONFLICT (coalesce(park_id, 0), day) DO UPDATE SET kind = excluded.kind, name = excluded.name
                WHERE (calendar_day.kind, calendar_day.name) IS DISTINCT FROM (excluded.kind, excluded.name)
                """)
        }
    }

    /// Reads a CSV with the header `date,kind,name` (kind `holiday` or `workday`).
    /// Every bad line is reported, with its number; nothing is written unless all are good.
    public func importCSV(_ text: String, park: String? = nil) throws -> (read: Int, changed: Int) {
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
        return (entries.count, try setAll(entries))
    }
}
