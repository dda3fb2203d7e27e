import Foundation
import Postgres

/// `parkctl db restore` (issue 21): a backup made by `parkctl db backup` put back as a
/// database of the same server. The backup is restored into a new database beside the
/// target, checked table by table against its manifest and migrated to this parkctl's
/// schema; only then does it take the target's name. A target that holds data is
/// replaced only when asked, after its staff are signed out and its state is backed
/// up, so that a restore is itself undone by restoring that backup.
public struct Restore {
    /// What a restore did.
    public struct Outcome: Sendable {
        public var database: String
        public var manifest: BackupManifest
        /// Migrations newer than the backup, applied after the restore.
        public var migrated: [String]
        /// Where the replaced database's state was backed up, if it held data.
        public var previous: String?
        /// Staff of the backup that have no login on this server (restored on another machine).
        public var staffWithoutLogin: [String]
    }

    let conninfo: String
    let embedded: Bool

    public init(target: DatabaseTarget, user: String? = nil) throws {
        if case .embedded = target { embedded = true } else { embedded = false }
        self.conninfo = try user.map { try ConnectionString.replacing(["user": $0], in: target.conninfo) } ?? target.conninfo
    }

    /// Restores the backup in `folder` as the database `into` (default: the one parkctl
    /// is set to use). `replace`: a target that holds data is replaced, its state first
    /// backed up under `backupsParent`.
    public func run(folder: String, into: String?, replace: Bool, backupsParent: String, parkctlVersion: String) throws -> Outcome {
        let (manifest, file) = try Backup.checkedFile(in: folder)
        let conn = try Connection(conninfo, applicationName: "parkctl restore")
        defer { conn.close() }
        if let into { try Self.validate(databaseName: into) }
        // Who restores, and what the target is: one round trip.
        let caller = try conn.query("""
            SELECT session_user::text AS me, pg_catalog.current_database()::text AS configured, r.rolsuper AS superuser,
                   r.rolsuper OR r.rolcreatedb AS createdb,
                   (SELECT pg_catalog.pg_get_userbyid(d.datdba)::text FROM pg_catalog.pg_database d
                    WHERE d.datname = coalesce(\(into), pg_catalog.current_database())) AS owner
            FROM pg_catalog.pg_roles r WHERE r.rolname = session_user
            """).rows[0]
        let me: String = try caller.decode("me")
        let configured: String = try caller.decode("configured")
        let name = into ?? configured
        let owner: String? = try caller.decode("owner")
        // Only the owner (or a superuser) replaces a database; creating the new one needs CREATEDB.
        guard try caller.decode("createdb", as: Bool.self) else {
            throw ParkError(.forbidden, "a restore creates a database, which \(me) may not: give it the right (ALTER ROLE \(me) CREATEDB) or restore as a superuser")
        }
        if let owner, owner != me, try !caller.decode("superuser", as: Bool.self) {
            throw ParkError(.forbidden, "the database \(name) belongs to \(owner): only its owner or a superuser may restore over it")
        }
        let targetInfo = try ConnectionString.replacing(["dbname": name], in: conninfo)
        let holding = try owner == nil ? nil : Self.dataHeld(targetInfo)
        if let holding, !replace {
            throw ParkError(.conflict, """
                the database \(name) holds data (\(holding)): a restore would replace it. \
                Give --replace to replace it (its present state is backed up first), or --into NEW_NAME to restore beside it
                """)
        }
        // The new database is renamed from a database that is neither it nor the target.
        let maintenance = try owner == nil && name != configured ? conn : Self.maintenanceConnection(conninfo, avoiding: name)
        defer { if maintenance !== conn { maintenance.close() } }

        // Staff are signed out of the target and kept out until it is replaced, so that
        // nothing they write is lost between the backup of its state and the swap.
        var revoked: [String] = []
        var previous: String?
        if holding != nil {
            revoked = try Self.closeToStaff(name, maintenance, me: me)
            do {
                previous = try Backup(target: .server(conninfo: targetInfo), source: "the database \(name) (\(ConnectionString.redacted(targetInfo)))")
                    .take(into: backupsParent, parkctlVersion: parkctlVersion, note: "the state db restore --replace replaced with \(folder)").folder
            } catch {
                try? Self.reopen(name, to: revoked, maintenance)
                throw error
            }
        }
        if embedded { try Backup.sweepAbandoned(maintenance) }
        let scratch = "parkctl_restore_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        var swapped = false
        do {
            let problems = try Backup.load(file, manifest: manifest, into: scratch, admin: maintenance, conninfo: conninfo)
            guard problems.isEmpty else {
                throw ParkError(.internalError, "the backup in \(folder) does not restore as it was taken:\n  " + problems.joined(separator: "\n  "))
            }
            let restored = try Connection(ConnectionString.replacing(["dbname": scratch], in: conninfo), applicationName: "parkctl restore")
            let migrated: [String]
            let strangers: [String]
            do {
                defer { restored.close() }
                migrated = try Migrator().migrate(restored)
                strangers = try restored.query("""
                    SELECT s.name FROM public.staff s
                    WHERE s.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = s.name)
                    ORDER BY s.name
                    """).rows.map { try $0.decode(0) }
            }
            try Self.swap(scratch, into: name, replacing: owner != nil, maintenance)
            swapped = true
            return Outcome(database: name, manifest: manifest, migrated: migrated, previous: previous, staffWithoutLogin: strangers)
        } catch {
            if !swapped {
                try? maintenance.simpleQuery("DROP DATABASE IF EXISTS \(SQL.quoted(identifier: scratch)) WITH (FORCE)")
                if holding != nil { try? Self.reopen(name, to: revoked, maintenance) }
            }
            throw error
        }
    }

    /// A name of lower-case letters, digits and _, as parkctl's logins: quoted anyway.
    static func validate(databaseName: String) throws {
        guard databaseName.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw ParkError.invalid("--into \(databaseName): a database name is a lower-case letter, then letters, digits or _ (63 at most)")
        }
        guard !["postgres", "template0", "template1"].contains(databaseName), !databaseName.hasPrefix("pg_") else {
            throw ParkError.invalid("--into \(databaseName): that is one of the server's own databases; name a new one")
        }
        guard databaseName.range(of: "^parkctl_(verify|restore|replaced)_", options: .regularExpression) == nil else {
            throw ParkError.invalid("--into \(databaseName): names beginning parkctl_verify_, parkctl_restore_ and parkctl_replaced_ are parkctl's throw-away databases; name another")
        }
    }

    /// What the database holds, in words, or nil when it holds nothing to lose: a new
    /// parkctl database (its migrations seed calendars and service levels, which the
    /// backup has too) or an empty one. Tables outside parkctl's schema always count.
    static func dataHeld(_ targetInfo: String) throws -> String? {
        let conn = try Connection(targetInfo, applicationName: "parkctl restore")
        defer { conn.close() }
        let row = try conn.query("""
            SELECT (SELECT count(*)::int FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p', 'm', 'f')
                      AND n.nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'pg_toast')
                      AND n.nspname !~ '^pg_(temp|toast_temp)_') AS foreign_tables,
                   (SELECT count(*)::int FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations') AS tables,
                   pg_catalog.to_regclass('public.audit_log') IS NOT NULL AS parkctl
            """).rows[0]
        let foreign: Int = try row.decode("foreign_tables")
        let tables: Int = try row.decode("tables")
        guard try row.decode("parkctl", as: Bool.self) else {
            let all = foreign + tables
            return all == 0 ? nil : all == 1 ? "1 table that is not parkctl's" : "\(all) tables that are not parkctl's"
        }
        if foreign > 0 { return foreign == 1 ? "1 table outside parkctl's schema" : "\(foreign) tables outside parkctl's schema" }
        // Everything staff record hangs off a park, a tenant, a lead or a login.
        let counts = try conn.query("""
            SELECT (SELECT count(*)::int FROM public.park), (SELECT count(*)::int FROM public.tenant),
                   (SELECT count(*)::int FROM public.lead), (SELECT count(*)::int FROM public.staff)
            """).rows[0]
        let (parks, tenants, leads, staff): (Int, Int, Int, Int) = (try counts.decode(0), try counts.decode(1), try counts.decode(2), try counts.decode(3))
        return parks + tenants + leads + staff == 0 ? nil : "\(parks) parks, \(tenants) tenants, \(leads) leads, \(staff) staff"
    }

    /// A connection to the server's `postgres` (else `template1`) database, from which the
    /// target can be renamed and dropped.
    static func maintenanceConnection(_ conninfo: String, avoiding name: String) throws -> Connection {
        var failures: [String] = []
        for database in ["postgres", "template1"] where database != name {
            do {
                return try Connection(ConnectionString.replacing(["dbname": database], in: conninfo), applicationName: "parkctl restore")
            } catch {
                failures.append("\(database): \(error)")
            }
        }
        throw ParkError.unavailable("a restore renames databases from another one of the server's, and none could be reached: "
                                    + failures.joined(separator: "; "))
    }

    /// Takes CONNECT on `name` from everyone but `me` and ends their sessions; returns
    /// whom it was taken from (given back by ``reopen(_:to:_:)`` if the restore fails).
    static func closeToStaff(_ name: String, _ conn: Connection, me: String) throws -> [String] {
        let grantees: [String] = try conn.query("""
            SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
            FROM pg_catalog.pg_database d, pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
            WHERE d.datname = \(name) AND a.privilege_type = 'CONNECT' AND a.grantee <> d.datdba
              AND pg_catalog.pg_get_userbyid(a.grantee) <> \(me)
            """).rows.map { try $0.decode(0) }
        let quoted = SQL.quoted(identifier: name)
        // Marked first: a restore killed from here on leaves the database closed, and the
        // owner's next command reopens it (``reopenIfAbandoned(_:)``).
        try conn.simpleQuery("COMMENT ON DATABASE \(quoted) IS '\(closedMark)\(getpid())'")
        for grantee in grantees { try conn.simpleQuery("REVOKE CONNECT ON DATABASE \(quoted) FROM \(grantee)") }
        try conn.query("""
            SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
            WHERE datname = \(name) AND pid <> pg_catalog.pg_backend_pid() AND usename <> \(me)
            """).clear()
        return grantees
    }

    static func reopen(_ name: String, to grantees: [String], _ conn: Connection) throws {
        for grantee in grantees { try conn.simpleQuery("GRANT CONNECT ON DATABASE \(SQL.quoted(identifier: name)) TO \(grantee)") }
        try conn.simpleQuery("COMMENT ON DATABASE \(SQL.quoted(identifier: name)) IS NULL")
    }

    static let closedMark = "parkctl: closed to staff by a restore, pid "

    /// Reopens the database `conn` is on to its staff if a restore closed it and was
    /// stopped before it finished (its throw-away database is gone, or nobody is on it):
    /// called as the owner connects, so the operator's next command undoes it.
    public static func reopenIfAbandoned(_ conn: Connection) throws {
        let mark: String? = try conn.query("""
            SELECT pg_catalog.shobj_description(d.oid, 'pg_database') FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
            """).rows.first?.decode(0)
        guard let mark, mark.hasPrefix(closedMark),
              try conn.query("SELECT public.parkctl_is_owner(session_user)").rows[0].decode(0, as: Bool.self) else { return }
        let pid = mark.dropFirst(closedMark.count)
        let running: Bool = try conn.query("""
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datname LIKE \("parkctl_restore_\(pid)_%"))
            """).rows[0].decode(0)
        guard !running else { return }
        try Migrator().grantDatabaseAccess(conn)
        let name: String = try conn.query("SELECT pg_catalog.current_database()::text").rows[0].decode(0)
        try conn.simpleQuery("COMMENT ON DATABASE \(SQL.quoted(identifier: name)) IS NULL")
    }

    /// Gives `scratch` the name `name`; the database that had it (if any) is dropped,
    /// and is back under its name if the swap fails half-way.
    static func swap(_ scratch: String, into name: String, replacing: Bool, _ conn: Connection) throws {
        let target = SQL.quoted(identifier: name)
        guard replacing else {
            try conn.simpleQuery("ALTER DATABASE \(SQL.quoted(identifier: scratch)) RENAME TO \(target)")
            return
        }
        let old = SQL.quoted(identifier: "parkctl_replaced_\(getpid())_\(UInt32.random(in: 0...UInt32.max))")
        // The owner's own other sessions (another parkctl command) end too: a database
        // in use cannot be renamed.
        try conn.query("""
            SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
            WHERE datname = \(name) AND pid <> pg_catalog.pg_backend_pid()
            """).clear()
        // Both renames in one transaction: a crash between them cannot leave the name
        // without a database (the next command would make an empty one).
        do {
            try conn.simpleQuery("BEGIN")
            try conn.simpleQuery("ALTER DATABASE \(target) RENAME TO \(old)")
            try conn.simpleQuery("ALTER DATABASE \(SQL.quoted(identifier: scratch)) RENAME TO \(target)")
            try conn.simpleQuery("COMMIT")
        } catch let error as PostgresError where error.sqlState == .objectInUse {
            try? conn.simpleQuery("ROLLBACK")
            throw ParkError(.busy, "the database \(name) is still in use by sessions this login may not end; end them (or restore as a superuser) and run the restore again")
        } catch {
            try? conn.simpleQuery("ROLLBACK")
            throw error
        }
        try conn.simpleQuery("DROP DATABASE \(old) WITH (FORCE)")
    }
}
