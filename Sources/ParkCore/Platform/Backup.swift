import Foundation
import Postgres

/// What a backup holds, written beside it as `manifest.json`: enough to check it
/// without trusting it (the file's sha256) and to check a restore of it (every
/// table's rows and checksum, taken in the snapshot pg_dump dumped).
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var rows: Int
        /// The sum of each row's hash (md5 of its text, 60 bits): independent of the
        /// order rows come back in, and computed without holding the table in memory.
        public var checksum: String
    }

    public var parkctlVersion: String
    /// The newest migration applied.
    public var schemaVersion: String
    public var takenAt: String
    /// Where it was taken from (a password never appears).
    public var source: String
    public var file: String
    public var bytes: Int
    public var sha256: String
    public var tables: [String: Table]
}

/// `parkctl db backup` (issue 21, first part): a consistent, compressed backup of the
/// database through pg_dump's custom format, with its manifest, in a folder named by
/// the time; and its verification, by restoring it into a throw-away database and
/// comparing every table with the manifest. Taken by the database's owner (or a
/// superuser): a staff login sees only its parks' rows, so its backup would be partial.
public struct Backup {
    let target: DatabaseTarget
    let conninfo: String

    /// The database `target` names, reached as `user` if given (the URL's user, or the
    /// embedded cluster's owner, else).
    public init(target: DatabaseTarget, user: String? = nil) throws {
        self.target = target
        self.conninfo = try user.map { try ConnectionString.replacing(["user": $0], in: target.conninfo) } ?? target.conninfo
    }

    /// Dumps the database into a new folder under `parent` and writes its manifest.
    /// `verifying`: the rights to create the throw-away database are checked first too.
    public func take(into parent: String, parkctlVersion: String, verifying: Bool = false) throws -> (folder: String, manifest: BackupManifest) {
        let conn = try Connection(conninfo, applicationName: "parkctl backup")
        defer { conn.close() }
        let rights = try conn.query("""
            SELECT r.rolsuper OR (SELECT pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d
                                  WHERE d.datname = pg_catalog.current_database()) = session_user AS owner,
                   r.rolsuper OR r.rolbypassrls AS bypass, r.rolsuper OR r.rolcreatedb AS createdb
            FROM pg_catalog.pg_roles r WHERE r.rolname = session_user
            """).rows[0]
        let me: String = try conn.query("SELECT session_user::text").rows[0].decode(0)
        guard try rights.decode("owner", as: Bool.self) else {
            throw ParkError(.forbidden, "a staff login cannot back up the database: row security shows it its own parks' rows only. "
                                        + "Back up as the database's owner (the embedded cluster's operator, or the URL's owner)")
        }
        // Nothing written before every right is there: pg_dump reads past row security
        // (the park tables force it), and a verify creates a database.
        guard try rights.decode("bypass", as: Bool.self) else {
            throw ParkError(.forbidden, "\(me) owns the database but is held to row security, which every park table forces: "
                                        + "pg_dump could not read them. Give it the right (ALTER ROLE \(me) BYPASSRLS) or back up as a superuser")
        }
        if verifying, try !rights.decode("createdb", as: Bool.self) {
            throw ParkError(.forbidden, "--verify restores into a throw-away database, which \(me) may not create: "
                                        + "give it the right (ALTER ROLE \(me) CREATEDB), or back up without --verify")
        }
        let stamp = try conn.query("SELECT to_char(now() AT TIME ZONE park_time_zone(NULL), 'YYYYMMDD-HH24MISS')").rows[0].decode(0, as: String.self)
        let folder = try Self.newFolder(in: parent, named: "parkctl-backup-\(stamp)")
        let file = "parkctl.dump"
        let path = (folder as NSString).appendingPathComponent(file)
        // One snapshot for the dump and the figures: the manifest says what the file holds.
        try conn.simpleQuery("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        let snapshot: String = try conn.query("SELECT pg_export_snapshot()").rows[0].decode(0)
        let tables = try Self.figures(conn)
        let schema: String = try conn.query("SELECT max(name) FROM schema_migrations").rows[0].decode(0)
        let takenAt: String = try conn.query("SELECT to_char(now() AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD\"T\"HH24:MI:SS')").rows[0].decode(0)
        let major = try Self.serverMajor(conn)
        let dumped: ProcessRunner.Output
        do {
            dumped = try tool("pg_dump", ["--format=custom", "--compress=6", "--snapshot=\(snapshot)", "--file=\(path)",
                                          "--dbname=\(Self.withoutPassword(conninfo))"], serverMajor: major)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        try conn.simpleQuery("COMMIT")
        guard dumped.status == 0 else {
            try? FileManager.default.removeItem(atPath: folder)
            throw ParkError.unavailable("pg_dump failed: \(dumped.stderr)")
        }
        let manifest = BackupManifest(parkctlVersion: parkctlVersion, schemaVersion: schema, takenAt: takenAt,
                                      source: target.displayName, file: file, bytes: try Self.size(path), sha256: try Self.sha256(path),
                                      tables: tables)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestPath = (folder as NSString).appendingPathComponent("manifest.json")
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        // Readable by its owner alone, wherever the files are copied to.
        for written in [path, manifestPath] { chmod(written, 0o600) }
        return (folder, manifest)
    }

    /// Checks a backup: its file against the manifest's sha256, then a restore of it into
    /// a throw-away database on the same server, table by table against the manifest.
    /// Returns what differs (nothing: verified); the throw-away database is dropped.
    public func verify(folder: String) throws -> [String] {
        let manifest = try Self.manifest(in: folder)
        let path = (folder as NSString).appendingPathComponent(manifest.file)
        guard FileManager.default.fileExists(atPath: path) else { return ["\(manifest.file) is missing"] }
        let sha = try Self.sha256(path)
        guard sha == manifest.sha256 else { return ["\(manifest.file) has changed since it was written: sha256 \(sha), not \(manifest.sha256)"] }
        let admin = try Connection(conninfo, applicationName: "parkctl backup")
        defer { admin.close() }
        let scratch = "parkctl_verify_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        // From template0: nothing added to template1 reaches the copy. A name of digits and letters made here.
        try admin.simpleQuery("CREATE DATABASE \(scratch) TEMPLATE template0")
        defer { try? admin.simpleQuery("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)") }
        let scratchInfo = try ConnectionString.replacing(["dbname": scratch], in: conninfo)
        let restored = try tool("pg_restore", ["--exit-on-error", "--dbname=\(Self.withoutPassword(scratchInfo))", path],
                                serverMajor: try Self.serverMajor(admin))
        guard restored.status == 0 else { return ["the backup does not restore: \(restored.stderr)"] }
        let copy = try Connection(scratchInfo, applicationName: "parkctl backup")
        defer { copy.close() }
        let found = try Self.figures(copy)
        var problems: [String] = []
        for (name, expected) in manifest.tables.sorted(by: { $0.key < $1.key }) {
            guard let got = found[name] else { problems.append("table \(name) is missing from the restore"); continue }
            if got != expected {
                problems.append("table \(name): \(got.rows) rows (checksum \(got.checksum)) restored, \(expected.rows) (\(expected.checksum)) backed up")
            }
        }
        for name in found.keys.sorted() where manifest.tables[name] == nil { problems.append("table \(name) is not in the manifest") }
        return problems
    }

    static func serverMajor(_ conn: Connection) throws -> Int {
        try conn.query("SELECT current_setting('server_version_num')::int / 10000").rows[0].decode(0)
    }

    public static func manifest(in folder: String) throws -> BackupManifest {
        let path = (folder as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParkError.invalid("\(folder) is no parkctl backup: it has no manifest.json")
        }
        do { return try JSONDecoder().decode(BackupManifest.self, from: data) } catch {
            throw ParkError.invalid("\(path) is not a parkctl manifest: \(error)")
        }
    }

    /// Every table of the public schema: its rows and an order-free checksum, in one
    /// statement. The names come from the catalogue, quoted by the server.
    static func figures(_ conn: Connection) throws -> [String: BackupManifest.Table] {
        let perTable: [String] = try conn.query("""
            SELECT format('SELECT %L::text, count(*)::int, coalesce(sum((''x'' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0)::text '
                          || 'FROM public.%I t', c.relname, c.relname)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
            """).rows.map { try $0.decode(0) }
        guard !perTable.isEmpty else { return [:] }
        var figures: [String: BackupManifest.Table] = [:]
        for row in try conn.query(SQL(verbatim: perTable.joined(separator: "\nUNION ALL\n")).query).rows {
            figures[try row.decode(0)] = BackupManifest.Table(rows: try row.decode(1), checksum: try row.decode(2))
        }
        return figures
    }

    /// A PostgreSQL client tool of the server's major version (pg_dump reads no newer
    /// server than its own), with the password (if the URL has one) in its environment,
    /// never on its command line where `ps` shows it.
    private func tool(_ name: String, _ arguments: [String], serverMajor: Int) throws -> ProcessRunner.Output {
        let environment = ProcessInfo.processInfo.environment
        var dirs = [environment["PARKCTL_PG_BINDIR"], "/usr/lib/postgresql/\(serverMajor)/bin"].compactMap { $0 }
        if let located = try? PostgresBinaries.locate() {
            dirs += [located.directory, (URL(fileURLWithPath: located.initdb).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent]
        }
        dirs += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let path = dirs.map({ $0 + "/" + name }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ParkError.unavailable("\(name) was not found (Debian/Ubuntu: apt-get install postgresql-client-\(serverMajor)); "
                                        + "or set PARKCTL_PG_BINDIR to the folder of PostgreSQL \(serverMajor)'s programs")
        }
        // The PG* settings libpq honours for parkctl (sslmode, root certificate, service
        // and password files) reach the tools too.
        var env = ProcessRunner.serverEnvironment
        for (key, value) in environment where key.hasPrefix("PG") || key == "HOME" { env[key] = value }
        if let password = try ConnectionString.parse(conninfo).last(where: { $0.keyword == "password" })?.value {
            env["PGPASSWORD"] = password
        }
        return try ProcessRunner.run(path, arguments, environment: env)
    }

    /// A new folder (mode 0700) under `parent`, made here and nowhere else: `mkdir` fails
    /// on one that exists (another backup of the same second gets `-2`, `-3`…), so a
    /// backup never writes into a folder someone made for it.
    public static func newFolder(in parent: String, named name: String) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ParkError.invalid("cannot make the folder \(parent) for backups: \(error.localizedDescription)")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw ParkError.invalid("\(parent) is not a folder: give --to a folder to write backups under")
        }
        for attempt in 1...20 {
            let folder = (parent as NSString).appendingPathComponent(attempt == 1 ? name : "\(name)-\(attempt)")
            if mkdir(folder, 0o700) == 0 { return folder }
            guard errno == EEXIST else {
                throw ParkError.invalid("cannot make the folder \(folder): \(String(cString: strerror(errno)))")
            }
        }
        throw ParkError(.conflict, "twenty backups named \(name) exist already under \(parent)")
    }

    static func withoutPassword(_ conninfo: String) -> String {
        (try? ConnectionString.replacing([:], removing: ["password"], in: conninfo)) ?? conninfo
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// sha256 of a file, by coreutils' sha256sum (streamed, whatever the file's size),
    /// reading it on its standard input (a name with a newline would be escaped).
    static func sha256(_ path: String) throws -> String {
        let out = try ProcessRunner.run("/bin/sh", ["-c", "exec sha256sum < \"$1\"", "sh", path], environment: ProcessRunner.serverEnvironment)
        guard out.status == 0, let hash = out.stdout.split(separator: " ").first else {
            throw ParkError.unavailable("sha256sum \(path): \(out.stderr)")
        }
        return String(hash)
    }
}
