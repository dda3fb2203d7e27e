/// SQL text with its parameters, built so that every interpolated value becomes a
/// `$n` parameter and never part of the SQL text.
///
/// ```swift
/// let code = "SW"
/// let query: PostgresQuery = "SELECT name FROM park WHERE code = \(code)"
/// // query.sql == "SELECT name FROM park WHERE code = $1", query.binds == [SW]
/// ```
public struct PostgresQuery: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var binds: [PostgresBind]

    /// SQL text taken as it is, with parameters already bound to its `$n`. The
    /// label says what it is: text built at run time must never hold user input.
    /// (A plain `PostgresQuery("... \(x)")` is a literal: `x` becomes a parameter.)
    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Adds a parameter and returns its placeholder (`$n`), for building queries in code.
    public mutating func bind<T: PostgresEncodable>(_ value: T) -> String {
        binds.append(PostgresBind(value))
        return "$\(binds.count)"
    }

    /// The SQL only; parameter values are left out so that they never reach a log.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T) {
            binds.append(PostgresBind(value))
            sql += "$\(binds.count)"
        }

        /// An optional value, NULL when nil. Its own overload only so that the compiler
        /// does not warn about an optional's debug description: it is bound, not printed.
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            binds.append(PostgresBind(value))
            sql += "$\(binds.count)"
        }

        /// A value already encoded (for example a NULL of a given type).
        public mutating func appendInterpolation(bind: PostgresBind) {
            binds.append(bind)
            sql += "$\(binds.count)"
        }
    }
}
