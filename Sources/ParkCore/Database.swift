import Foundation
import Postgres

/// Which database parkctl works on: a server named by a URL, or its embedded cluster.
public enum DatabaseTarget: Sendable {
    case server(conninfo: String)
    case embedded(LocalCluster)

    /// `--database-url`, else `PARKCTL_DATABASE_URL`, else the embedded cluster.
    public static func resolve(url: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DatabaseTarget {
        if let url, !url.isEmpty { return .server(conninfo: url) }
        if let env = environment["PARKCTL_DATABASE_URL"], !env.isEmpty { return .server(conninfo: env) }
        return .embedded(LocalCluster(root: LocalCluster.defaultRoot(environment: environment)))
    }

    /// Where it is, for humans; a password never appears.
    public var displayName: String {
        switch self {
        case .server(let conninfo): "server \(ConnectionString.redacted(conninfo))"
        case .embedded(let cluster): "embedded cluster at \(cluster.root)"
        }
    }

    /// A warning for a server reached over TCP without checking who answers: with any
    /// `sslmode` but verify-full or verify-ca, a machine that poses as the server (on
    /// the network, or a local process on 127.0.0.1) receives the password in clear.
    public var transportWarning: String? {
        guard case .server(let conninfo) = self, let transport = try? ConnectionString.transport(conninfo),
              !transport.tcpHosts.isEmpty, !["verify-full", "verify-ca"].contains(transport.sslMode) else { return nil }
        return """
            warning: \(transport.tcpHosts.joined(separator: ",")) is reached over TCP with sslmode=\(transport.sslMode), \
            which does not check the server's certificate: whoever answers there gets your password. \
            Use sslmode=verify-full (README: Using an existing server)
            """
    }

    /// Opens a connection. The embedded cluster is created, started and migrated as
    /// needed; a server is only connected to, and a schema behind this parkctl is
    /// reported (run `parkctl db migrate`) unless `requireCurrentSchema` is false.
    ///
    /// Every session gives up waiting for a lock after `lockTimeout` seconds (instead
    /// of hanging behind another one), and a statement after `statementTimeout`.
    ///
    /// `user` logs in as that PostgreSQL role (a member of staff) instead of the one
    /// the URL names or the embedded cluster's owner.
    public func connect(requireCurrentSchema: Bool = true, lockTimeout: Int = 10, statementTimeout: Int? = nil,
                        user: String? = nil) throws -> Connection {
        var settings = ["lock_timeout": "\(lockTimeout)s"]
        if let statementTimeout { settings["statement_timeout"] = "\(statementTimeout)s" }
        // Another login's password is not this one's: libpq finds the staff member's own
        // in .pgpass, a service file or PGPASSWORD.
        func asUser(_ conninfo: String) throws -> String {
            guard let user else { return conninfo }
            return try ConnectionString.replacing(["user": user], removing: ["password"], in: conninfo)
        }
        switch self {
        case .server(let conninfo):
            let conn = try Connection(try asUser(conninfo), settings: settings)
            if requireCurrentSchema, try Migrator().hasPending(conn) {
                throw ParkError.unavailable("""
                    the database at \(conn.hostDescription) has migrations pending: run `parkctl db migrate` first
                    """)
            }
            return conn
        case .embedded(let cluster):
            let conn: Connection
            do {
                conn = try Connection(try asUser(cluster.conninfo), settings: settings)
            } catch let error as PostgresError where error.kind == .connectionFailed {
                try cluster.ensureRunning()
                conn = try Connection(try asUser(cluster.conninfo), settings: settings)
            }
            let migrator = Migrator()
            if try migrator.hasPending(conn) { try migrator.migrate(conn) }
            return conn
        }
    }
}
