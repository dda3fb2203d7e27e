/// A Swift value that can be sent as a query parameter.
///
/// Parameters travel in PostgreSQL's text format with an explicit type OID
/// (or none, for strings, so that they behave like quoted literals).
public protocol PostgresEncodable {
    /// The type OID sent with the parameter.
    static var postgresType: PostgresType { get }
    /// The value in PostgreSQL's text format; `nil` sends NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a result column.
public protocol PostgresDecodable {
    /// Decodes the text form of a non-NULL value of the given column type.
    /// Throws ``PostgresCodecFailure`` when the value does not fit.
    static func decode(postgresText text: String, type: PostgresType) throws -> Self
    /// The value for SQL NULL, or `nil` when this type cannot hold NULL.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// A parameter, already encoded: the type and the text (nil for NULL).
public struct PostgresBind: Sendable, Equatable {
    public var type: PostgresType
    public var text: String?

    public init(type: PostgresType, text: String?) {
        self.type = type
        self.text = text
    }

    public init<T: PostgresEncodable>(_ value: T) {
        self.type = T.postgresType
        self.text = value.postgresText
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresText: String? { self.flatMap { $0.postgresText } }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresType) throws -> Wrapped? {
        try Wrapped.decode(postgresText: text, type: type)
    }
    public static var postgresNull: Wrapped?? { .some(nil) }
}
