extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresText: String? { self ? "t" : "f" }

    public static func decode(postgresText text: String, type: PostgresType) throws -> Bool {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw PostgresCodecFailure("'\(text)' is not a boolean")
        }
    }
}
