extension CalendarDate: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .date }
    public var postgresText: String? { description }

    /// Needs the ISO date style, which every ``Connection`` sets.
    public static func decode(postgresText text: String, type: PostgresType) throws -> CalendarDate {
        guard let date = CalendarDate(text) else {
            throw PostgresCodecFailure("'\(text)' is not a date within years 1-9999")
        }
        return date
    }
}
