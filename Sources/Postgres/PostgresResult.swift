import CLibPQ

/// Owns one `PGresult`. `clear()` may be called any number of times; `deinit`
/// calls it, so a result is freed exactly once however it is used.
public final class PostgresResult {
    private(set) var handle: OpaquePointer?
    /// The SQL that produced it, kept for error messages.
    let sql: String?

    init(_ handle: OpaquePointer, sql: String?) {
        self.handle = handle
        self.sql = sql
    }

    deinit { clear() }

    /// Frees the result now. Safe to call twice; rows of a cleared result are empty.
    public func clear() {
        if let handle {
            PQclear(handle)
            self.handle = nil
        }
    }

    var status: ExecStatusType { handle.map(PQresultStatus) ?? PGRES_FATAL_ERROR }

    /// Number of rows (0 for a command or a cleared result).
    public var rowCount: Int { handle.map { Int(PQntuples($0)) } ?? 0 }

    public var columnCount: Int { handle.map { Int(PQnfields($0)) } ?? 0 }

    /// Rows changed by INSERT/UPDATE/DELETE/COPY/MERGE, or returned by SELECT.
    public var affectedRows: Int {
        guard let handle, let s = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: s)) ?? 0
    }

    /// The command tag, e.g. "INSERT 0 1".
    public var commandTag: String {
        guard let handle, let s = PQcmdStatus(handle) else { return "" }
        return String(cString: s)
    }

    public lazy var columnNames: [String] = (0..<columnCount).map { i in
        guard let handle, let name = PQfname(handle, Int32(i)) else { return "?column?" }
        return String(cString: name)
    }

    public lazy var columnTypes: [PostgresType] = (0..<columnCount).map { i in
        guard let handle else { return .unspecified }
        return PostgresType(rawValue: PQftype(handle, Int32(i)))
    }

    /// Column name -> index; the first column of a name wins, like SQL.
    lazy var columnIndex: [String: Int] = {
        var map: [String: Int] = [:]
        for (i, name) in columnNames.enumerated() where map[name] == nil { map[name] = i }
        return map
    }()

    public var rows: Rows { Rows(result: self) }

    func isNull(row: Int, column: Int) -> Bool {
        guard let handle else { return true }
        return PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    func text(row: Int, column: Int) -> String? {
        guard let handle, PQgetisnull(handle, Int32(row), Int32(column)) == 0,
              let value = PQgetvalue(handle, Int32(row), Int32(column))
        else { return nil }
        return String(cString: value)
    }

    /// The rows of a result, as a random-access collection.
    public struct Rows: RandomAccessCollection {
        let result: PostgresResult
        public var startIndex: Int { 0 }
        public var endIndex: Int { result.rowCount }
        public subscript(position: Int) -> PostgresRow { PostgresRow(result: result, index: position) }
    }
}

/// One row of a result. It keeps its result alive.
///
/// ```swift
/// for row in try conn.query("SELECT code, area FROM unit").rows {
///     let code = try row.decode("code", as: String.self)
///     let area = try row.decode(1, as: Decimal.self)
/// }
/// ```
public struct PostgresRow {
    let result: PostgresResult
    let index: Int

    public var columnNames: [String] { result.columnNames }

    /// Decodes the column at a zero-based position.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard column >= 0, column < result.columnCount else {
            throw PostgresDecodingError(column: "#\(column)", columnIndex: column, targetType: "\(T.self)",
                                        postgresType: .unspecified, reason: "the result has \(result.columnCount) columns")
        }
        let pgType = result.columnTypes[column]
        guard let text = result.text(row: index, column: column) else {
            if let null = T.postgresNull { return null }
            throw PostgresDecodingError(column: result.columnNames[column], columnIndex: column, targetType: "\(T.self)",
                                        postgresType: pgType, reason: "the value is NULL; decode an Optional")
        }
        do {
            return try T.decode(postgresText: text, type: pgType)
        } catch let failure as PostgresCodecFailure {
            throw PostgresDecodingError(column: result.columnNames[column], columnIndex: column, targetType: "\(T.self)",
                                        postgresType: pgType, reason: failure.reason)
        }
    }

    /// Decodes the column of that name (exactly as the server names it).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let i = result.columnIndex[column] else {
            throw PostgresDecodingError(column: column, columnIndex: -1, targetType: "\(T.self)",
                                        postgresType: .unspecified,
                                        reason: "no such column (columns: \(result.columnNames.joined(separator: ", ")))")
        }
        return try decode(i, as: type)
    }

    /// The raw text of a column, nil for NULL.
    public func text(_ column: Int) -> String? { result.text(row: index, column: column) }

    public func isNull(_ column: Int) -> Bool { result.isNull(row: index, column: column) }
}
