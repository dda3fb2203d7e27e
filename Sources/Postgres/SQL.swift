/// A piece of SQL that composes: text, bound values and other pieces, whose `$n`
/// placeholders are numbered only when the whole is rendered into a `PostgresQuery`.
///
/// Filters that are not set drop out of the SQL instead of becoming an always-true
/// `(x IS NULL OR …)`, which the planner cannot see through:
///
/// ```swift
/// var filters: [SQL] = []
/// if let park { filters.append("p.code = \(park)") }
/// if let tenant { filters.append("t.credit_code = \(tenant)") }
/// let query: PostgresQuery = """
///     SELECT l.number FROM lease l JOIN park p ON p.id = l.park_id JOIN tenant t ON t.id = l.tenant_id
///     \(SQL.whereAll(filters)) ORDER BY l.number
///     """
/// ```
///
/// A value interpolated into a piece is always a parameter, never SQL text;
/// `\(identifier:)` quotes a name; `\(sql)` nests a piece.
public struct SQL: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case text(String)
        case value(PostgresBind)
    }

    var parts: [Part]

    init(parts: [Part]) { self.parts = parts }

    public init(stringLiteral value: String) {
        parts = value.isEmpty ? [] : [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// SQL text chosen by the program (a column list, an operator), never input.
    public init(verbatim text: String) {
        parts = text.isEmpty ? [] : [.text(text)]
    }

    /// No SQL at all.
    public static let empty = SQL(parts: [])

    public var isEmpty: Bool { parts.isEmpty }

    public static func + (lhs: SQL, rhs: SQL) -> SQL { SQL(parts: lhs.parts + rhs.parts) }

    public static func += (lhs: inout SQL, rhs: SQL) { lhs.parts += rhs.parts }

    /// `WHERE a AND b …`, or nothing when there is no condition.
    public static func whereAll(_ conditions: [SQL]) -> SQL {
        conditions.isEmpty ? .empty : "WHERE " + conditions.map { "(" + $0 + ")" }.joined(separator: " AND ")
    }

    /// `WHERE` and the conditions that are set (`nil` ones drop out), or nothing:
    ///
    /// ```swift
    /// SQL.whereAll([park.map { "p.code = \($0)" }, kind.map { "u.kind = \($0.rawValue)" }])
    /// ```
    public static func whereAll(_ conditions: [SQL?]) -> SQL { whereAll(conditions.compactMap { $0 }) }

    /// ` AND a AND b …`, continuing a `WHERE` already written, with the conditions
    /// that are set; nothing when none is.
    public static func andAll(_ conditions: [SQL?]) -> SQL {
        conditions.compactMap { $0 }.map { " AND (" + $0 + ")" }.joined()
    }

    /// The piece as a query: text with `$1`, `$2` … in order, and their values.
    public var query: PostgresQuery {
        var query = PostgresQuery(unsafeSQL: "")
        append(to: &query)
        return query
    }

    /// Appends the piece to a query, numbering its values after the query's own.
    func append(to query: inout PostgresQuery) {
        for part in parts {
            switch part {
            case .text(let text):
                query.sql += text
            case .value(let bind):
                query.binds.append(bind)
                query.sql += "$\(query.binds.count)"
            }
        }
    }

    /// The SQL with placeholders numbered from 1; values are left out.
    public var description: String { query.sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { parts.append(.text(literal)) }
        }

        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T) {
            parts.append(.value(PostgresBind(value)))
        }

        /// An optional value, NULL when nil (bound, not printed).
        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            parts.append(.value(PostgresBind(value)))
        }

        /// A value already encoded (for example a NULL of a given type).
        public mutating func appendInterpolation(bind: PostgresBind) {
            parts.append(.value(bind))
        }

        /// Another piece, nested: its values are numbered in their place.
        public mutating func appendInterpolation(_ sql: SQL) {
            parts += sql.parts
        }

        /// A name (table, column) quoted as an identifier: `"weird ""name"""`.
        public mutating func appendInterpolation(identifier: String) {
            parts.append(.text(SQL.quoted(identifier: identifier)))
        }
    }

    /// `name` as a quoted SQL identifier (double quotes doubled inside).
    public static func quoted(identifier name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}

extension Sequence where Element == SQL {
    /// The pieces one after the other, with `separator` between them.
    public func joined(separator: SQL = .empty) -> SQL {
        var result = SQL.empty
        var first = true
        for piece in self {
            if !first { result += separator }
            result += piece
            first = false
        }
        return result
    }
}

extension PostgresQuery.StringInterpolation {
    /// A composed piece inside a query: its values are numbered after those before it.
    public mutating func appendInterpolation(_ sql: SQL) {
        var query = PostgresQuery(unsafeSQL: self.sql, binds: binds)
        sql.append(to: &query)
        self.sql = query.sql
        binds = query.binds
    }

    /// A name (table, column) quoted as an identifier.
    public mutating func appendInterpolation(identifier: String) {
        sql += SQL.quoted(identifier: identifier)
    }
}
