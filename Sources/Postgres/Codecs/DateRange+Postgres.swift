extension DateRange: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .daterange }

    /// The canonical half-open form, `[2026-12-01,2029-12-01)`.
    public var postgresText: String? { "[\(first),\(last.adding(days: 1)))" }

    public static func decode(postgresText text: String, type: PostgresType) throws -> DateRange {
        // The server's canonical form is always "[first,end)"; an empty range is "empty".
        guard text.hasPrefix("["), text.hasSuffix(")"), let comma = text.firstIndex(of: ",") else {
            throw PostgresCodecFailure("'\(text)' is not a bounded date range")
        }
        let lower = String(text[text.index(after: text.startIndex)..<comma])
        let upper = String(text[text.index(after: comma)..<text.index(before: text.endIndex)])
        guard let first = CalendarDate(lower), let end = CalendarDate(upper),
              let range = DateRange(first: first, last: end.adding(days: -1)) else {
            throw PostgresCodecFailure("'\(text)' is not a bounded, non-empty date range")
        }
        return range
    }
}
