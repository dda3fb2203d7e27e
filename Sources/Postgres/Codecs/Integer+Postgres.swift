/// Integers travel as `bigint`/`integer`/`smallint` and decode from any integer column
/// whose value fits.
public protocol PostgresInteger: FixedWidthInteger, PostgresCodable {}

extension PostgresInteger {
    public var postgresText: String? { String(self) }

    public static func decode(postgresText text: String, type: PostgresType) throws -> Self {
        guard type.isInteger || type == .unspecified || type == .numeric || type.isTextual else {
            throw PostgresCodecFailure("a \(type) is not an integer")
        }
        guard let value = Self(text) else {
            if Int64(text) != nil {
                throw PostgresCodecFailure("\(text) does not fit in \(Self.self)")
            }
            throw PostgresCodecFailure("'\(text)' is not an integer")
        }
        return value
    }
}

extension Int: PostgresInteger { public static var postgresType: PostgresType { .int8 } }
extension Int64: PostgresInteger { public static var postgresType: PostgresType { .int8 } }
extension Int32: PostgresInteger { public static var postgresType: PostgresType { .int4 } }
extension Int16: PostgresInteger { public static var postgresType: PostgresType { .int2 } }
