import Foundation

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresText: String? { uuidString.lowercased() }

    public static func decode(postgresText text: String, type: PostgresType) throws -> UUID {
        guard let uuid = UUID(uuidString: text) else {
            throw PostgresCodecFailure("'\(text)' is not a UUID")
        }
        return uuid
    }
}
