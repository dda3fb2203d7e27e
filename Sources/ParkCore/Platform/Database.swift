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

    /// How to reach it: the URL, or the embedded cluster's socket (for the client tools,
    /// pg_dump and pg_restore).
    public var conninfo: String {
        switch self {
        case .server(let conninfo): conninfo
        case .embedded(let cluster): cluster.conninfo
        }
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
    /// Before connecting it is judged from the URL and the PG* variables; pass the
    /// connection to judge from what libpq used (a service file too).
    public func transportWarning(_ session: ParkSession) -> String? {
        transportWarning(session.connection)
    }

    public func transportWarning(_ conn: Connection? = nil) -> String? {
        guard case .server(let conninfo) = self else { return nil }
        let transport = conn.map { ConnectionString.transport($0.options) } ?? (try? ConnectionString.transport(conninfo))
        guard let transport, !transport.tcpHosts.isEmpty, !["verify-full", "verify-ca"].contains(transport.sslMode) else { return nil }
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
    ///
    /// `repairing` is for the commands that resolve what blocks a migration (`db check`,
    /// the lease commands): they run on the older schema when the data stops a later
    /// migration, as long as the integrity check's migration is applied.
    /// A session for `actor` on a new connection: see ``connect(requireCurrentSchema:lockTimeout:statementTimeout:user:repairing:)``.
    public func session(actor: String, requireCurrentSchema: Bool = true, lockTimeout: Int = 10, statementTimeout: Int? = nil,
                        user: String? = nil, repairing: Bool = false) throws -> ParkSession {
        ParkSession(connection: try connect(requireCurrentSchema: requireCurrentSchema, lockTimeout: lockTimeout,
                                            statementTimeout: statementTimeout, user: user, repairing: repairing),
                    actor: actor)
    }

    public func connect(requireCurrentSchema: Bool = true, lockTimeout: Int = 10, statementTimeout: Int? = nil,
                        user: String? = nil, repairing: Bool = false) throws -> Connection {
        // parkctl's objects live in public: a search_path from PGOPTIONS (pg_temp first,
        // say) must not make the schema look unmigrated and the migrations run elsewhere.
        var settings = ["lock_timeout": "\(lockTimeout)s", "search_path": "public"]
        if let statementTimeout { settings["statement_timeout"] = "\(statementTimeout)s" }
        // Another login's password is not this one's: the URL's or a service file's is
        // replaced by PGPASSWORD's, or by none (then libpq looks in .pgpass for this login).
        func asUser(_ conninfo: String) throws -> String {
            guard let user else { return conninfo }
            if try ConnectionString.parse(conninfo).contains(where: { $0.keyword == "user" && $0.value == user }) { return conninfo }
            let password = ProcessInfo.processInfo.environment["PGPASSWORD"] ?? ""
            return try ConnectionString.replacing(["user": user, "password": password], in: conninfo)
        }
        // A login that does not exist, was revoked or is not staff here is not an outage.
        func open(_ conninfo: String) throws -> Connection {
            do {
                return try Connection(try asUser(conninfo), settings: settings)
            } catch let error as PostgresError where user != nil && error.kind == .connectionFailed {
                let user = user ?? ""
                if error.message.contains("role \"\(user)\" does not exist") {
                    throw ParkError(.forbidden, "no login named \(user) on this server (see `parkctl staff list`)")
                }
                if error.message.contains("is not permitted to log in") {
                    throw ParkError(.forbidden, "\(user) may not log in: the login was revoked (see `parkctl staff list`)")
                }
                if error.message.contains("permission denied for database") {
                    throw ParkError(.forbidden, "\(user) may not connect: not staff of this database (see `parkctl staff list`), "
                                    + "or a restore is under way (if one was stopped, the operator's next parkctl command reopens the database)")
                }
                throw error
            }
        }
        switch self {
        case .server(let conninfo):
            let conn = try open(conninfo)
            let mayRepair = try repairing && Migrator().canRepair(conn)
            if requireCurrentSchema, try Migrator().hasPending(conn), !mayRepair {
                throw ParkError.unavailable("""
                    the database at \(conn.hostDescription) has migrations pending: run `parkctl db migrate` first
                    """)
            }
            try Restore.reopenIfAbandoned(conn)
            return conn
        case .embedded(let cluster):
            let conn: Connection
            do {
                conn = try open(cluster.conninfo)
            } catch let error as PostgresError where error.kind == .connectionFailed {
                try cluster.ensureRunning()
                conn = try open(cluster.conninfo)
            }
            let migrator = Migrator()
            if try migrator.hasPending(conn) {
                do {
                    try migrator.migrate(conn)
                } catch let blocked as MigrationBlocked {
                    // A repairing command resolves what blocks it (`db check` says what), if
                    // the integrity check's migration is in; any other command refuses.
                    guard repairing, try migrator.canRepair(conn) else { throw blocked }
                }
            }
            try Restore.reopenIfAbandoned(conn)
            return conn
        }
    }
}
