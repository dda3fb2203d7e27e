import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to PostgreSQL, through libpq.
///
/// A `Connection` is **not** `Sendable`: libpq allows one thread at a time on a
/// `PGconn`, so a connection belongs to the task or thread that opened it. Open one
/// connection per concurrent worker; do not share one.
///
/// ```swift
/// let conn = try Connection("postgresql://localhost/parkctl")
/// let parks = try conn.query("SELECT code, name FROM park WHERE kind = \(kind)")
/// for row in parks.rows { print(try row.decode("name", as: String.self)) }
/// ```
public final class Connection {
    private var handle: OpaquePointer?
    /// Keeps the notice handler alive while libpq holds a pointer to it.
    private var noticeBox: NoticeBox?
    /// SQL text (and parameter types) -> name of the server-side prepared statement.
    private var preparedStatements: [String: String] = [:]
    /// How many ``inSavepoint(_:)`` blocks are open, which names the next savepoint.
    var savepointDepth = 0

    /// Opens a connection from a libpq conninfo string (`host=... dbname=...`) or a
    /// `postgresql://` URL. An empty string uses libpq's environment (PGHOST, PGPORT,
    /// PGUSER, PGDATABASE, PGSERVICE, `.pgpass`, PGSSLMODE...).
    ///
    /// Every connection uses UTF-8, ISO dates, and `application_name=parkctl` unless
    /// the conninfo says otherwise.
    ///
    /// `settings` are server settings for the session (e.g. `lock_timeout: "5s"`,
    /// `timezone: "Asia/Shanghai"`), sent with the connection request, so they cost no
    /// round trip. A name that is not a setting's, or a value with a control
    /// character, is refused (never dropped in silence).
    public init(_ conninfo: String = "", applicationName: String = "parkctl", settings: [String: String] = [:]) throws {
        var options = "-c datestyle=ISO,YMD"
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                                                                                 || $0 == "_" || $0 == ".") }) else {
                throw PostgresError(kind: .client, message: "'\(name)' is not the name of a server setting")
            }
            guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw PostgresError(kind: .client, message: "the value of setting \(name) holds a control character")
            }
            options += " -c \(name)=" + Self.escapedOption(value)
        }
        if let env = getenv("PGOPTIONS") { options = String(cString: env) + " " + options }
        // Later entries win, so whatever the caller's conninfo says overrides ours.
        // client_encoding comes last: parkctl's text is UTF-8 whatever the environment says.
        let keywords = ["application_name", "options", "dbname", "client_encoding"]
        let values = [applicationName, options, conninfo, "UTF8"]
        let conn = withCStringArray(keywords) { k in
            withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else {
            throw PostgresError(kind: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            var error = PostgresError(kind: .connectionFailed,
                                      message: Connection.trimmed(PQerrorMessage(conn)),
                                      host: Connection.describeHost(conn))
            error.sqlState = SQLState("08001")
            PQfinish(conn)
            throw error
        }
        // libpq prints NOTICEs to stderr by default; a CLI must not.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        handle = conn
    }

    /// A value as the server's `options` reads it: every character but letters and
    /// digits escaped with a backslash (so spaces, `/` and `\\` arrive as typed).
    static func escapedOption(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if !(scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    deinit { close() }

    /// Receives the server's notices (NOTICE, WARNING, INFO…: `RAISE NOTICE`, or the
    /// plans auto_explain sends at log level notice), whole, as libpq formats them;
    /// nil (the default) drops them, as a command-line tool must.
    public var onNotice: ((String) -> Void)? {
        get { noticeBox?.handler }
        set {
            guard let handle else { return }
            if let newValue {
                let box = NoticeBox(newValue)
                noticeBox = box
                PQsetNoticeReceiver(handle, { arg, result in
                    guard let arg, let result, let message = PQresultErrorMessage(result) else { return }
                    Unmanaged<NoticeBox>.fromOpaque(arg).takeUnretainedValue().handler(String(cString: message))
                }, Unmanaged.passUnretained(box).toOpaque())
            } else {
                PQsetNoticeReceiver(handle, { _, _ in }, nil)
                noticeBox = nil
            }
        }
    }

    /// Closes the connection. Safe to call more than once.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The server's version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// The process ID of the backend serving this connection.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// The options this connection was made with, as libpq resolved them (the string,
    /// a service file, PG* variables, defaults); secrets are left out.
    public var options: [String: String] {
        handle.map(ConnectionString.options(of:)) ?? [:]
    }

    /// The host (or socket directory) and port of the server.
    public var hostDescription: String { handle.map { Connection.describeHost($0) } ?? "(closed)" }

    /// Whether a transaction block is open (or failed and awaiting ROLLBACK).
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let s = PQtransactionStatus(handle)
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR
    }

    // MARK: - Queries

    /// Runs a parameterised statement (PQexecParams) and returns its result.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresResult {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(query) }
        let raw = try withParameters(query) { n, types, values in
            PQexecParams(h, query.sql, n, types, values, nil, nil, 0)
        }
        return try check(raw, sql: query.sql)
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        let result = try self.query(query)
        defer { result.clear() }
        return result.affectedRows
    }

    /// Runs a statement as a server-side prepared statement, preparing it on first
    /// use and reusing it for the life of the connection. Worth it for statements
    /// run many times; a one-off statement is cheaper through ``query(_:)``.
    @discardableResult
    public func preparedQuery(_ query: PostgresQuery) throws -> PostgresResult {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(query) }
        let key = query.sql + "\u{0}" + query.binds.map { String($0.type.rawValue) }.joined(separator: ",")
        let name: String
        if let existing = preparedStatements[key] {
            name = existing
        } else {
            name = "parkctl_\(preparedStatements.count + 1)"
            let types = query.binds.map { Oid($0.type.rawValue) }
            let prepared = PQprepare(h, name, query.sql, Int32(types.count), types)
            try check(prepared, sql: query.sql).clear()
            preparedStatements[key] = name
        }
        let raw = try withParameters(query) { n, _, values in
            PQexecPrepared(h, name, n, values, nil, nil, 0)
        }
        return try check(raw, sql: query.sql)
    }

    /// Runs SQL text without parameters through the simple query protocol, which
    /// allows several statements separated by semicolons (migration files, BEGIN,
    /// SET). Never pass user input here: use ``query(_:)``.
    public func simpleQuery(_ sql: String) throws {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(PostgresQuery(unsafeSQL: sql)) }
        try check(PQexec(h, sql), sql: sql).clear()
    }

    /// Streams the rows of a query one at a time (libpq single-row mode), so that
    /// a result of any size passes with bounded memory.
    ///
    /// If `body` throws, the query is cancelled and the error rethrown.
    public func forEachRow(_ query: PostgresQuery, _ body: (PostgresRow) throws -> Void) throws {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(query) }
        let sent = try withParameters(query) { n, types, values in
            PQsendQueryParams(h, query.sql, n, types, values, nil, nil, 0)
        }
        guard sent == 1 else { throw makeError(nil, sql: query.sql) }
        PQsetSingleRowMode(h)
        var failure: Error?
        while let raw = PQgetResult(h) {
            let result = PostgresResult(raw, sql: query.sql)
            defer { result.clear() }
            if failure != nil { continue }
            let status = result.status
            if status == PGRES_SINGLE_TUPLE {
                do { try body(PostgresRow(result: result, index: 0)) } catch {
                    failure = error
                    cancel()
                }
            } else if status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK {
                failure = makeError(raw, sql: query.sql)
            }
        }
        if let failure { throw failure }
    }

    /// Asks the server to cancel the statement now running on this connection.
    public func cancel() {
        guard let handle, let token = PQgetCancel(handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(token, &buffer, Int32(buffer.count))
        PQfreeCancel(token)
    }

    // MARK: - Plumbing shared with COPY and pipeline

    func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .connectionLost, message: "the connection is closed")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connectionLost, message: "the connection is broken; open a new one",
                                host: Connection.describeHost(handle))
        }
        return handle
    }

    /// Lends libpq the parameter arrays for the duration of one call.
    func withParameters<R>(
        _ query: PostgresQuery,
        _ body: (Int32, [Oid], [UnsafePointer<CChar>?]) throws -> R
    ) throws -> R {
        for (i, bind) in query.binds.enumerated() where bind.text?.utf8.contains(0) == true {
            var error = PostgresError(kind: .client, message: "parameter $\(i + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                                      sqlState: .characterNotInRepertoire, sql: query.sql)
            error.severity = "ERROR"
            throw error
        }
        let types = query.binds.map { Oid($0.type.rawValue) }
        let copies = query.binds.map { $0.text.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let values = copies.map { $0.map { UnsafePointer($0) } }
        return try body(Int32(query.binds.count), types, values)
    }

    /// Turns a result into a `PostgresResult`, or throws the error it carries.
    @discardableResult
    func check(_ raw: OpaquePointer?, sql: String?, accepting extra: [ExecStatusType] = []) throws -> PostgresResult {
        guard let raw else { throw makeError(nil, sql: sql) }
        let status = PQresultStatus(raw)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE
            || status == PGRES_EMPTY_QUERY || extra.contains(status) {
            return PostgresResult(raw, sql: sql)
        }
        let error = makeError(raw, sql: sql)
        PQclear(raw)
        // After an error in the middle of COPY or a multi-statement string, drain the rest.
        if let handle, PQstatus(handle) == CONNECTION_OK {
            while let more = PQgetResult(handle) { PQclear(more) }
        }
        throw error
    }

    /// Builds a `PostgresError` from a failed result (or from the connection when
    /// there is no result). Does not clear `raw`.
    func makeError(_ raw: OpaquePointer?, sql: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let raw, let value = PQresultErrorField(raw, code) else { return nil }
            return String(cString: value)
        }
        let connectionBroken = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        var message = field(Int32(UInt8(ascii: "M")))
        if message == nil, let raw, let m = PQresultErrorMessage(raw), m.pointee != 0 {
            message = Connection.trimmed(m)
        }
        if message == nil, let handle { message = Connection.trimmed(PQerrorMessage(handle)) }
        var error = PostgresError(kind: .server, message: message ?? "unknown error", sql: sql)
        error.sqlState = field(Int32(UInt8(ascii: "C"))).map(SQLState.init(rawValue:))
        error.severity = field(Int32(UInt8(ascii: "V"))) ?? field(Int32(UInt8(ascii: "S")))
        error.detail = field(Int32(UInt8(ascii: "D")))
        error.hint = field(Int32(UInt8(ascii: "H")))
        error.position = field(Int32(UInt8(ascii: "P")))
        error.context = field(Int32(UInt8(ascii: "W")))
        error.schema = field(Int32(UInt8(ascii: "s")))
        error.table = field(Int32(UInt8(ascii: "t")))
        error.column = field(Int32(UInt8(ascii: "c")))
        error.dataType = field(Int32(UInt8(ascii: "d")))
        error.constraint = field(Int32(UInt8(ascii: "n")))
        let lostCodes: Set<String> = ["57P01", "57P02", "57P03"]
        if connectionBroken || error.sqlState == .connectionException
            || lostCodes.contains(error.sqlState?.rawValue ?? "") {
            error.kind = .connectionLost
            error.host = handle.map(Connection.describeHost)
        } else if error.sqlState == nil && raw == nil {
            error.kind = .client
        }
        return error
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var s = String(cString: message)
        while s.last?.isWhitespace == true { s.removeLast() }
        return s
    }

    /// "socket directory /run/x, port 5432" or "db.example:5432", for messages.
    static func describeHost(_ conn: OpaquePointer) -> String {
        let host = PQhost(conn).map { String(cString: $0) } ?? ""
        let port = PQport(conn).map { String(cString: $0) } ?? ""
        let portPart = port.isEmpty ? "5432" : port
        if host.isEmpty { return "the default socket, port \(portPart)" }
        if host.hasPrefix("/") { return "socket directory \(host), port \(portPart)" }
        return "\(host):\(portPart)"
    }
}

@available(*, unavailable, message: "A Connection belongs to one thread or task at a time; open one per worker.")
extension Connection: Sendable {}

/// Lends a NULL-terminated array of C strings for one call.
func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
}

/// The Swift closure behind a connection's notice receiver (libpq passes it back as a
/// raw pointer; the connection keeps it alive).
private final class NoticeBox {
    let handler: (String) -> Void
    init(_ handler: @escaping (String) -> Void) { self.handler = handler }
}
