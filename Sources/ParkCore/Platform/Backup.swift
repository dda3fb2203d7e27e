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
    /// Why it was taken, when not by `db backup` (the state a restore replaced).
    public var note: String?
    /// How the tables' checksums were summed (none: md5, as the first backups were).
    public var checksumMethod: ChecksumMethod?

    public enum ChecksumMethod: String, Codable, Sendable {
        /// The sum of each row's `hash_record_extended`.
        case rowHash = "hash_record_extended"
        /// The sum of the first 60 bits of the md5 of each row's text.
        case md5
    }
    /// The embedded cluster's physical copy, the start of a point-in-time recovery (with
    /// the WAL archived since); none for a server, or a cluster whose WAL is not archived.
    public var base: Base?

    public struct Base: Codable, Sendable, Equatable {
        /// pg_basebackup's tar (gzip), in the folder `base/`, and its sha256.
        public var file: String
        public var bytes: Int
        public var sha256: String
        /// The first WAL file a recovery from it needs; older ones can go.
        public var startWAL: String
        /// When it was complete (the parks' time): a recovery from it reaches any later time.
        public var endedAt: String
        public var postgresMajor: Int
    }
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
    let sourceName: String

    /// `source`: what the manifest names as backed up (default: the target's own name).
    public init(target: DatabaseTarget, user: String? = nil, source: String? = nil) throws {
        self.target = target
        self.sourceName = source ?? target.displayName
        self.conninfo = try user.map { try ConnectionString.replacing(["user": $0], in: target.conninfo) } ?? target.conninfo
    }

    /// Dumps the database into a new folder under `parent` and writes its manifest.
    /// `verifying`: the rights to create the throw-away database are checked first too.
    public func take(into parent: String, parkctlVersion: String, verifying: Bool = false, note: String? = nil) throws -> (folder: String, manifest: BackupManifest) {
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
        let schema: String = try conn.query("SELECT max(name) FROM schema_migrations").rows[0].decode(0)
        let takenAt: String = try conn.query("SELECT to_char(now() AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD\"T\"HH24:MI:SS')").rows[0].decode(0)
        let tools = ClientTool(conninfo: conninfo, serverMajor: try ClientTool.serverMajor(conn))
        // pg_dump reads the snapshot while this connection takes the figures in it: two
        // backends at once, not one after the other. gzip level 3: a third quicker than
        // pg_dump's default (6) for a file about a tenth larger (bench/backup.sh).
        let dbname = ClientTool.withoutPassword(conninfo)
        let dump = Background { try tools.run("pg_dump", ["--format=custom", "--compress=3", "--snapshot=\(snapshot)", "--file=\(path)",
                                                          "--dbname=\(dbname)"]) }
        let tables: [String: BackupManifest.Table]
        let dumped: ProcessRunner.Output
        do {
            let counted = Result { try Self.figures(conn) }
            dumped = try dump.value()
            tables = try counted.get()
        } catch {
            _ = try? dump.value()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        try conn.simpleQuery("COMMIT")
        guard dumped.status == 0 else {
            try? FileManager.default.removeItem(atPath: folder)
            throw ParkError.unavailable("pg_dump failed: \(dumped.stderr)")
        }
        var manifest = BackupManifest(parkctlVersion: parkctlVersion, schemaVersion: schema, takenAt: takenAt,
                                      source: sourceName, file: file, bytes: try Self.size(path), sha256: try Self.sha256(path),
                                      tables: tables, note: note, checksumMethod: .rowHash)
        // A base backup is worth taking where the WAL after it is archived (a cluster made
        // before parkctl archived starts doing so at its next start).
        if case .embedded(let cluster) = target, cluster.archivingOff == nil,
           try conn.query("SELECT current_setting('archive_mode') <> 'off'").rows[0].decode(0, as: Bool.self) {
            do {
                manifest.base = try Self.baseBackup(into: folder, tools: tools, conn: conn, major: tools.serverMajor)
            } catch {
                try? FileManager.default.removeItem(atPath: folder)
                throw error
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestPath = (folder as NSString).appendingPathComponent("manifest.json")
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: manifestPath))
        // Readable by its owner alone, wherever the files are copied to.
        for written in [path, manifestPath] + (manifest.base.map { [(folder as NSString).appendingPathComponent($0.file)] } ?? []) {
            chmod(written, 0o600)
        }
        return (folder, manifest)
    }

    /// pg_basebackup of the whole cluster into `folder/base` (tar, gzip, with the WAL
    /// it needs to be consistent), checkpointing at once rather than waiting for one.
    static func baseBackup(into folder: String, tools: ClientTool, conn: Connection, major: Int) throws -> BackupManifest.Base {
        let dir = (folder as NSString).appendingPathComponent("base")
        let out = try tools.run("pg_basebackup", ["--pgdata=\(dir)", "--format=tar", "--gzip", "--wal-method=fetch", "--checkpoint=fast",
                                                  "--dbname=\(ClientTool.withoutPassword(tools.conninfo))"])
        guard out.status == 0 else { throw ParkError.unavailable("pg_basebackup failed: \(out.stderr)") }
        let tarball = (dir as NSString).appendingPathComponent("base.tar.gz")
        // backup_label is the tar's first member: stop there, not at the end of the whole copy.
        let label = try ProcessRunner.run("/bin/sh", ["-c", "exec tar --occurrence=1 -xzOf \"$1\" backup_label", "sh", tarball], environment: ProcessRunner.serverEnvironment)
        // START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        guard let line = label.stdout.split(separator: "\n").first(where: { $0.hasPrefix("START WAL LOCATION:") }),
              let open = line.range(of: "(file "), let close = line.range(of: ")", range: open.upperBound..<line.endIndex) else {
            throw ParkError.unavailable("the base backup \(tarball) has no backup_label: \(label.output)")
        }
        let ended: String = try conn.query("""
            SELECT to_char(clock_timestamp() AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD"T"HH24:MI:SS')
            """).rows[0].decode(0)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] { chmod((dir as NSString).appendingPathComponent(name), 0o600) }
        return BackupManifest.Base(file: "base/base.tar.gz", bytes: try size(tarball), sha256: try sha256(tarball),
                                   startWAL: String(line[open.upperBound..<close.lowerBound]), endedAt: ended, postgresMajor: major)
    }

    /// Checks a backup: its file against the manifest's sha256, then a restore of it into
    /// a throw-away database on the same server, table by table against the manifest.
    /// Returns what differs (nothing: verified); the throw-away database is dropped.
    public func verify(folder: String) throws -> [String] {
        let manifest: BackupManifest, path: String
        do { (manifest, path) = try Self.checkedFile(in: folder) } catch let error as ParkError where error.kind == .invalidInput {
            return [error.message]
        }
        let admin = try Connection(conninfo, applicationName: "parkctl backup")
        defer { admin.close() }
        if case .embedded = target { try Self.sweepAbandoned(admin) }
        let scratch = "parkctl_verify_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        defer { try? admin.simpleQuery("DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)") }
        return try Self.load(path, manifest: manifest, into: scratch, admin: admin, conninfo: conninfo)
    }

    /// Drops the throw-away databases of verifies and restores that were stopped before
    /// they could drop them (a SIGTERM, a power cut): their names carry the pid of the
    /// parkctl that made them, gone now, and nobody is connected. Only on the embedded
    /// cluster, whose parkctl processes all run on this machine.
    static func sweepAbandoned(_ conn: Connection) throws {
        let names: [String] = try conn.query("""
            SELECT d.datname::text FROM pg_catalog.pg_database d
            WHERE d.datname ~ '^parkctl_(verify|restore)_[0-9]+_[0-9]+$'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datname = d.datname)
            """).rows.map { try $0.decode(0) }
        for name in names {
            guard let pid = Int32(name.split(separator: "_")[2]), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? conn.simpleQuery("DROP DATABASE IF EXISTS \(SQL.quoted(identifier: name))")
        }
    }

    /// The manifest of the backup in `folder` and the path of its file, once the file is
    /// found as it was written (its sha256).
    static func checkedFile(in folder: String) throws -> (BackupManifest, String) {
        let manifest = try manifest(in: folder)
        let path = (folder as NSString).appendingPathComponent(manifest.file)
        guard FileManager.default.fileExists(atPath: path) else { throw ParkError.invalid("\(path) is missing: the backup is incomplete") }
        let sha = try sha256(path)
        guard sha == manifest.sha256 else {
            throw ParkError.invalid("\(manifest.file) has changed since it was written: sha256 \(sha), not \(manifest.sha256)")
        }
        return (manifest, path)
    }

    /// Creates the database `name` (from template0: nothing added to template1 reaches
    /// it), restores the backup's file into it in one transaction and compares every
    /// table with the manifest; returns what differs. The caller drops it or keeps it.
    static func load(_ path: String, manifest: BackupManifest, into name: String, admin: Connection, conninfo: String) throws -> [String] {
        // Closed to every login until parkctl's own grants are set (a new database lets PUBLIC in).
        try admin.simpleQuery("CREATE DATABASE \(SQL.quoted(identifier: name)) TEMPLATE template0")
        try admin.simpleQuery("REVOKE CONNECT, TEMPORARY ON DATABASE \(SQL.quoted(identifier: name)) FROM PUBLIC")
        let info = try ConnectionString.replacing(["dbname": name], in: conninfo)
        // Objects belong to whoever restores (the owner on this server, not the one that
        // dumped); the parkctl group roles must exist (parkctl db migrate makes them).
        // In parallel (tables, then indexes, several at once), not in one transaction: the
        // database is new and is dropped if anything fails.
        let jobs = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let restored = try ClientTool(conninfo: conninfo, serverMajor: try ClientTool.serverMajor(admin))
            .run("pg_restore", ["--exit-on-error", "--jobs=\(jobs)", "--no-owner", "--dbname=\(ClientTool.withoutPassword(info))", path])
        guard restored.status == 0 else {
            if let role = restored.stderr.range(of: #"role "parkctl_[a-z]+" does not exist"#, options: .regularExpression) {
                return ["the backup does not restore: \(restored.stderr[role]) on this server; run `parkctl db migrate` on it first, which makes parkctl's roles"]
            }
            return ["the backup does not restore: \(restored.stderr)"]
        }
        let copy = try Connection(info, applicationName: "parkctl backup")
        defer { copy.close() }
        let found = try figures(copy, method: manifest.checksumMethod ?? .md5)
        var problems: [String] = []
        for (table, expected) in manifest.tables.sorted(by: { $0.key < $1.key }) {
            guard let got = found[table] else { problems.append("table \(table) is missing from the restore"); continue }
            if got != expected {
                problems.append("table \(table): \(got.rows) rows (checksum \(got.checksum)) restored, \(expected.rows) (\(expected.checksum)) backed up")
            }
        }
        for table in found.keys.sorted() where manifest.tables[table] == nil { problems.append("table \(table) is not in the manifest") }
        return problems
    }

    public static func manifest(in folder: String) throws -> BackupManifest {
        let path = (folder as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParkError.invalid("\(folder) is no parkctl backup: it has no manifest.json")
        }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: data) } catch {
            throw ParkError.invalid("\(path) is not a parkctl manifest: \(error)")
        }
        // The file lies in the backup's own folder: a manifest never points elsewhere.
        guard !manifest.file.isEmpty, !manifest.file.contains("/"), manifest.file != ".", manifest.file != ".." else {
            throw ParkError.invalid("\(path) names the file \(manifest.file), which is not in its folder: it is no parkctl manifest")
        }
        return manifest
    }

    /// Every table of the public schema: its rows and an order-free checksum, in one
    /// statement. The names come from the catalogue, quoted by the server.
    ///
    /// The checksum is the sum of each row's 64-bit hash (`hash_record_extended`, stable
    /// across versions as hash partitioning needs it, and four times quicker than an md5
    /// of the row's text); backups whose manifest names no method were summed by md5.
    static func figures(_ conn: Connection, method: BackupManifest.ChecksumMethod = .rowHash) throws -> [String: BackupManifest.Table] {
        let perRow = method == .rowHash ? "hash_record_extended(t, 0)::numeric" : "('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric"
        let perTable: [String] = try conn.query("""
            SELECT format('SELECT %L::text, count(*)::int, coalesce(sum(' || \(perRow) || '), 0)::text '
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

    /// The backups under `parent` (folders holding a parkctl manifest), newest first.
    /// Only folders named as parkctl names them, with a manifest whose time reads as one:
    /// whatever else lies there (planted by whoever can write the folder) is not listed,
    /// printed or removed.
    public static func backups(in parent: String) -> [(folder: String, manifest: BackupManifest)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.filter { $0.range(of: #"^parkctl-backup-[0-9]{8}-[0-9]{6}(-[0-9]{1,2})?$"#, options: .regularExpression) != nil }.compactMap { name in
            let folder = (parent as NSString).appendingPathComponent(name)
            return (try? manifest(in: folder)).flatMap { manifest in
                manifest.takenAt.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"#, options: .regularExpression) == nil ? nil : (folder, manifest)
            }
        }.sorted { ($0.manifest.takenAt, $0.folder) > ($1.manifest.takenAt, $1.folder) }
    }

    /// How many minutes ago a backup was taken (its time is the parks').
    public static func minutesSince(_ manifest: BackupManifest, _ session: ParkSession) throws -> Int {
        try session.connection.query("""
            SELECT floor(extract(epoch FROM now() - (\(manifest.takenAt)::timestamp AT TIME ZONE park_time_zone(NULL))) / 60)::int
            """).rows[0].decode(0)
    }

    /// Removes the backups under `parent` taken more than `days` days ago, never
    /// `keeping` (the one just taken), and the archived WAL files older than the oldest
    /// base backup left (no recovery can start before it); returns what it removed.
    public func prune(in parent: String, olderThanDays days: Int, keeping: String) throws -> (folders: [String], walFiles: Int) {
        let conn = try Connection(conninfo, applicationName: "parkctl backup")
        defer { conn.close() }
        let cutoff: String = try conn.query("""
            SELECT to_char((now() - make_interval(days => \(days)::int)) AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD"T"HH24:MI:SS')
            """).rows[0].decode(0)
        var removed: [String] = []
        for backup in Self.backups(in: parent) where backup.manifest.takenAt < cutoff && backup.folder != keeping {
            try FileManager.default.removeItem(atPath: backup.folder)
            removed.append(backup.folder)
        }
        guard case .embedded(let cluster) = target, parent == cluster.backupsDirectory,
              let oldest = Self.backups(in: parent).last(where: { $0.manifest.base != nil })?.manifest.base else { return (removed, 0) }
        let archived = { ((try? FileManager.default.contentsOfDirectory(atPath: cluster.walArchive)) ?? []).count }
        let before = archived()
        let tools = ClientTool(conninfo: conninfo, serverMajor: try ClientTool.serverMajor(conn))
        let cleaned = try tools.run("pg_archivecleanup", [cluster.walArchive, oldest.startWAL])
        guard cleaned.status == 0 else { throw ParkError.unavailable("pg_archivecleanup \(cluster.walArchive) failed: \(cleaned.stderr)") }
        return (removed, before - archived())
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
