/// A type stored by its raw value (an enum of a `text` column with a CHECK): declare
/// `PostgresCodable` and the codec comes from here.
///
/// ```swift
/// enum LeaseStatus: String, PostgresCodable { case draft, signed, terminated, cancelled }
/// let status = try row.decode("status", as: LeaseStatus.self)
/// ```
///
/// A stored value that is no case of the type is a decoding error: the database
/// holds something this program does not know, which is not the user's mistake.
extension PostgresEncodable where Self: RawRepresentable, RawValue: PostgresEncodable {
    public static var postgresType: PostgresType { RawValue.postgresType }
    public var postgresText: String? { rawValue.postgresText }
}

extension PostgresDecodable where Self: RawRepresentable, RawValue: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresType) throws -> Self {
        let raw = try RawValue.decode(postgresText: text, type: type)
        guard let value = Self(rawValue: raw) else {
            throw PostgresCodecFailure("'\(raw)' is not a value of \(Self.self)")
        }
        return value
    }
}
