extension String: PostgresEncodable, PostgresDecodable {
    /// Unspecified, so a string parameter is typed by its context like a quoted literal
    /// (it can fill a `text`, `varchar`, `date` or enum-like column alike).
    public static var postgresType: PostgresType { .unspecified }
    public var postgresText: String? { self }

    public static func decode(postgresText text: String, type: PostgresType) throws -> String {
        text
    }
}
