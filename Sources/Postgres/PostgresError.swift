/// An error from PostgreSQL or from talking to it.
///
/// Server errors carry the fields the server sent (SQLSTATE, message, detail,
/// hint, constraint, table, column) and the SQL that failed. `description` is
/// generic enough to show to anyone: it holds no parameter values and no
/// detail; `debugDescription` has everything.
///
/// ```swift
/// do {
///     try conn.execute("INSERT INTO park (code) VALUES (\(code))")
/// } catch let error as PostgresError where error.isUniqueViolation {
///     print("park \(code) exists (constraint \(error.constraint ?? "?"))")
/// }
/// ```
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. An open set, as postgres-nio's `PSQLError.Code`:
    /// a new kind is a new constant, not a breaking change, so a `switch` over it
    /// has a `default`; match with `==` or `~=` (`case .server:`).
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The server refused a statement; see `sqlState`.
        public static let server = Kind(rawValue: "server")
        /// No connection could be established.
        public static let connectionFailed = Kind(rawValue: "connectionFailed")
        /// An established connection broke (server stopped, backend killed, network).
        public static let connectionLost = Kind(rawValue: "connectionLost")
        /// The client library misbehaved or the protocol was not followed.
        public static let client = Kind(rawValue: "client")

        public var description: String { rawValue }

        public static func ~= (pattern: Kind, value: Kind) -> Bool { pattern == value }
    }

    // Set by the layer from what libpq reports; readable by everyone, changed by no one else.
    public internal(set) var kind: Kind
    public internal(set) var sqlState: SQLState?
    public internal(set) var severity: String?
    public internal(set) var message: String
    public internal(set) var detail: String?
    public internal(set) var hint: String?
    public internal(set) var constraint: String?
    public internal(set) var table: String?
    public internal(set) var column: String?
    public internal(set) var schema: String?
    public internal(set) var dataType: String?
    public internal(set) var position: String?
    public internal(set) var context: String?
    /// The SQL text that failed, if the error came from a statement.
    public internal(set) var sql: String?
    /// For connection errors: the host (or socket directory) and port tried.
    public internal(set) var host: String?

    public init(kind: Kind, message: String, sqlState: SQLState? = nil, sql: String? = nil, host: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.sql = sql
        self.host = host
    }

    public var isUniqueViolation: Bool { sqlState == .uniqueViolation }
    public var isForeignKeyViolation: Bool { sqlState == .foreignKeyViolation }
    public var isCheckViolation: Bool { sqlState == .checkViolation }
    public var isExclusionViolation: Bool { sqlState == .exclusionViolation }
    public var isNotNullViolation: Bool { sqlState == .notNullViolation }
    public var isSerializationFailure: Bool { sqlState == .serializationFailure }
    public var isDeadlock: Bool { sqlState == .deadlockDetected }
    /// Serialization failures and deadlocks: running the transaction again may succeed.
    public var isRetryable: Bool { isSerializationFailure || isDeadlock }
    /// The connection cannot be used any more (or never could).
    public var isConnectionError: Bool { kind == .connectionFailed || kind == .connectionLost }

    public var description: String {
        switch kind {
        case .server:
            return "PostgreSQL error \(sqlState?.rawValue ?? "?????"): \(message)"
        case .connectionFailed:
            if let host { return "cannot connect to PostgreSQL at \(host): \(message)" }
            return "cannot connect to PostgreSQL: \(message)"
        case .connectionLost:
            return "connection to PostgreSQL lost: \(message)"
        default:
            return "PostgreSQL client error: \(message)"
        }
    }

    public var debugDescription: String {
        var parts = [description]
        if let severity { parts.append("severity: \(severity)") }
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let schema { parts.append("schema: \(schema)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let dataType { parts.append("data type: \(dataType)") }
        if let context { parts.append("context: \(context)") }
        if let position { parts.append("position: \(position)") }
        if let sql { parts.append("sql: \(sql)") }
        return parts.joined(separator: "\n  ")
    }
}

/// A value could not be decoded into the Swift type asked for.
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible {
    /// The column's name as the server sent it.
    public var column: String
    public var columnIndex: Int
    public var targetType: String
    public var postgresType: PostgresType
    public var reason: String

    public var description: String {
        "cannot decode column \"\(column)\" (#\(columnIndex), \(postgresType)) as \(targetType): \(reason)"
    }
}

/// Thrown by a codec; the row adds the column that was being decoded.
public struct PostgresCodecFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
