import Foundation
import ParkCore
import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the tests run against: `PARKCTL_TEST_DATABASE_URL` when
/// set, otherwise a throw-away cluster started here (with the same code as the
/// embedded default) in a temporary folder and removed when the process exits.
///
/// Each test gets a fresh database of its own, copied from a migrated template,
/// so tests run in parallel without seeing each other's rows.
public struct TestServer: Sendable {
    /// conninfo of a database on the server where CREATE DATABASE can be run.
    public let adminConninfo: String
    public let templateName: String
    public let cluster: LocalCluster?

    /// Started on first use, once per test process.
    public static let shared: Result<TestServer, PostgresOrParkError> = {
        do {
            let server = try start()
            atexit { TestServer.tearDown() }
            return .success(server)
        } catch {
            return .failure(PostgresOrParkError(description: "\(error)"))
        }
    }()

    public struct PostgresOrParkError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private static let counter = Counter()

    private static func start() throws -> TestServer {
        let prefix = "parkctl_test_\(getpid())"
        let server: TestServer
        if let url = ProcessInfo.processInfo.environment["PARKCTL_TEST_DATABASE_URL"], !url.isEmpty {
            server = TestServer(adminConninfo: url, templateName: prefix + "_template", cluster: nil)
        } else {
            var template = Array((NSTemporaryDirectory() + "/parkctl-test-XXXXXX").utf8CString)
            guard mkdtemp(&template) != nil else { throw ParkError.unavailable("mkdtemp failed") }
            let root = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let cluster = LocalCluster(root: root, durable: false, databaseName: "postgres")
            try cluster.ensureRunning()
            server = TestServer(adminConninfo: cluster.conninfo(database: "postgres"),
                                templateName: prefix + "_template", cluster: cluster)
        }
        let admin = try Connection(server.adminConninfo)
        defer { admin.close() }
        try admin.simpleQuery("DROP DATABASE IF EXISTS \(server.templateName)")
        try admin.simpleQuery("CREATE DATABASE \(server.templateName)")
        let template = try Connection(try server.conninfo(database: server.templateName))
        try Migrator().migrate(template)
        template.close()
        return server
    }

    /// The conninfo of a database on this server.
    public func conninfo(database: String) throws -> String {
        if let cluster { return cluster.conninfo(database: database) }
        return try ConnectionString.replacing(["dbname": database], in: adminConninfo)
    }

    /// Creates an empty, migrated database for one test and returns its conninfo.
    /// A connection, waiting (up to `patience` seconds) while the server or the database
    /// has no connection slot free: suites running in parallel share the server's
    /// max_connections, and a test should wait for a slot, not fail for want of one.
    public static func connect(_ conninfo: String, patience: Double = 60) throws -> Connection {
        let deadline = Date().addingTimeInterval(patience)
        while true {
            do {
                return try Connection(conninfo)
            } catch let error as PostgresError where error.kind == .connectionFailed && Date() < deadline
                && ["too many clients already", "too many connections for", "remaining connection slots are reserved"]
                    .contains(where: error.message.contains) {
                usleep(100_000)
            }
        }
    }

    public func makeDatabase() throws -> String {
        let name = "\(templateName.replacingOccurrences(of: "_template", with: ""))_\(Self.counter.next())"
        let admin = try Self.connect(adminConninfo)
        defer { admin.close() }
        try admin.simpleQuery("CREATE DATABASE \(name) TEMPLATE \(templateName)")
        Self.created.append(name)
        // A copy gets the default database grants (CONNECT for PUBLIC): set parkctl's.
        let conninfo = try conninfo(database: name)
        let copy = try Self.connect(conninfo)
        defer { copy.close() }
        try Migrator().grantDatabaseAccess(copy)
        return conninfo
    }

    /// Creates a database with nothing in it (not even the schema), with the server's
    /// character type or `ctype` (a locale name such as C.UTF-8).
    public func makeEmptyDatabase(ctype: String? = nil) throws -> String {
        let name = "\(templateName.replacingOccurrences(of: "_template", with: ""))_e\(Self.counter.next())"
        let admin = try Self.connect(adminConninfo)
        defer { admin.close() }
        if let ctype {
            precondition(ctype.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" })
            try admin.simpleQuery("CREATE DATABASE \(name) TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE '\(ctype)'")
        } else {
            try admin.simpleQuery("CREATE DATABASE \(name)")
        }
        Self.created.append(name)
        return try conninfo(database: name)
    }

    private static let created = NameList()

    private static func tearDown() {
        guard case .success(let server) = shared else { return }
        if let cluster = server.cluster {
            try? cluster.destroy()
            return
        }
        guard let admin = try? Connection(server.adminConninfo) else { return }
        for name in created.all + [server.templateName] {
            try? admin.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        admin.close()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

final class NameList: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    func append(_ name: String) { lock.withLock { names.append(name) } }
    var all: [String] { lock.withLock { names } }
}

/// A fresh migrated database for one test: its conninfo and an open connection.
public struct TestDatabase {
    public let conninfo: String
    public let connection: Connection

    public init() throws {
        let server = try TestServer.shared.get()
        conninfo = try server.makeDatabase()
        connection = try TestServer.connect(conninfo)
    }
}
