import Foundation
import Postgres
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// parkctl's own PostgreSQL cluster on this machine: the embedded default database.
///
/// It listens on no TCP port, only on a Unix socket in a private (0700) folder,
/// and trusts local connections through that socket. As root, the server runs as
/// the `postgres` system user, since PostgreSQL refuses to run as root.
///
/// Layout under ``root``: `data/` (the cluster), `run/` (the socket), `server.log`,
/// `backups/` (`db backup`'s folders, and `wal/`: the WAL archive of a durable
/// cluster, for point-in-time recovery), `.lock` (serialises set-up between processes).
///
/// ```swift
/// let cluster = LocalCluster(root: LocalCluster.defaultRoot())
/// try cluster.ensureRunning()
/// let conn = try Connection(cluster.conninfo)
/// ```
public struct LocalCluster: Sendable {
    public let root: String
    /// Throw-away clusters (tests) skip fsync; a user's cluster keeps it.
    public let durable: Bool
    public let databaseName: String
    public static let superuser = "parkctl"
    static let port = 5432

    public init(root: String, durable: Bool = true, databaseName: String = "parkctl") {
        self.root = root
        self.durable = durable
        self.databaseName = databaseName
    }

    public var dataDirectory: String { root + "/data" }
    public var socketDirectory: String { root + "/run" }
    public var logFile: String { root + "/server.log" }
    public var backupsDirectory: String { root + "/backups" }
    /// Where the server archives each WAL file it completes (a durable cluster's).
    public var walArchive: String { backupsDirectory + "/wal" }

    /// Why the cluster's WAL is not archived, or nil when it is: a throw-away cluster
    /// keeps no WAL, and a folder whose path the archive command cannot carry is refused.
    public var archivingOff: String? {
        guard durable else { return "a throw-away cluster" }
        guard !walArchive.contains(where: { "\"$`\\'%\n".contains($0) }) else {
            return "the cluster's folder \(root) holds a character (\" $ ` \\ ' % or a line break) a shell command cannot carry"
        }
        return nil
    }
    var lockFile: String { root + "/.lock" }

    /// Where the cluster lives by default: `PARKCTL_HOME`; as root `/var/lib/parkctl`
    /// (root's home is closed to the postgres user); else `$XDG_DATA_HOME/parkctl`
    /// or `~/.local/share/parkctl`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["PARKCTL_HOME"], !home.isEmpty { return home }
        if geteuid() == 0 { return "/var/lib/parkctl" }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/parkctl" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/parkctl"
    }

    /// The conninfo of a database of this cluster.
    public func conninfo(database: String? = nil) -> String {
        "host=\(ConnectionString.quote(socketDirectory)) port=\(Self.port) user=\(Self.superuser) dbname=\(ConnectionString.quote(database ?? databaseName))"
    }

    public var conninfo: String { conninfo() }

    /// The system user that runs the server: `postgres` when we are root, else nobody (ourselves).
    var serverUser: String? { geteuid() == 0 ? "postgres" : nil }

    public var isInitialized: Bool { FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") }

    /// The major version the cluster was made with ("15"), if it exists.
    public var clusterVersion: String? {
        (try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether a server answers on the cluster's socket.
    public var isRunning: Bool {
        guard FileManager.default.fileExists(atPath: socketDirectory + "/.s.PGSQL.\(Self.port)") else { return false }
        return (try? Connection(conninfo(database: "postgres")).close()) != nil
    }

    /// Whether the cluster exists and no server runs it, once any set-up under way in
    /// another process (which creates it, then starts it) has finished.
    public func isStopped() throws -> Bool {
        guard isInitialized else { return false }
        return try withSetupLock { isInitialized && !isRunning }
    }

    /// Creates, starts and prepares the cluster as needed; quick when it already runs.
    /// Returns true when this call started the server.
    @discardableResult
    public func ensureRunning() throws -> Bool {
        return try withSetupLock {
            if isRunning {
                try createDatabaseIfMissing()
                return false
            }
            let binaries = try serverBinaries()
            if !isInitialized { try initialize(binaries) }
            try start(binaries)
            try createDatabaseIfMissing()
            return true
        }
    }

    /// Stops the server (fast shutdown: sessions are ended, work in progress rolled back).
    public func stop() throws {
        guard isInitialized else { return }
        try withSetupLock {
            let binaries = try serverBinaries()
            let out = try ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
                                            asUser: serverUser, environment: ProcessRunner.serverEnvironment)
            // 1 with "Is server running?" means it was already stopped.
            if out.status != 0 && !out.output.contains("Is server running?") {
                throw ParkError.unavailable("pg_ctl stop failed for \(dataDirectory):\n\(out.output)")
            }
        }
    }

    /// Stops the server at once, whatever it is doing (a recovery that went wrong).
    func stopImmediately() throws {
        let binaries = try serverBinaries()
        _ = try ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"],
                                  asUser: serverUser, environment: ProcessRunner.serverEnvironment)
    }

    /// Stops the server if it runs and deletes the whole folder.
    public func destroy() throws {
        if isRunning { try stop() }
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: - Set-up steps

    /// The server programs of the cluster's own major version. Others cannot run it: a
    /// cluster made by PostgreSQL 14 is moved to 15 by `parkctl db upgrade` (pg_upgrade,
    /// which needs both), and until then every command says so rather than fail to start.
    func serverBinaries() throws -> PostgresBinaries {
        let binaries = try PostgresBinaries.locate(forMajorVersion: clusterVersion)
        guard let made = clusterVersion else { return binaries }
        let found = try binaries.majorVersion()
        guard found != made else { return binaries }
        if let foundNumber = Int(found), let madeNumber = Int(made), foundNumber > madeNumber {
            throw ParkError.unavailable("""
                the embedded cluster at \(root) was made by PostgreSQL \(made), whose server programs are no longer installed here \
                (PostgreSQL \(found)'s are, in \(binaries.directory)), and PostgreSQL \(found) cannot run it. To move it to \(found): \
                install PostgreSQL \(made)'s server again (Debian/Ubuntu: apt-get install postgresql-\(made)), then run \
                `parkctl db upgrade --check` and `parkctl db upgrade` (which backs it up first, then runs pg_upgrade). \
                Or set PARKCTL_PG_BINDIR to PostgreSQL \(made)'s programs
                """)
        }
        throw ParkError.unavailable("""
            the embedded cluster at \(root) was made by PostgreSQL \(made), newer than the PostgreSQL \(found) found in \(binaries.directory): \
            install PostgreSQL \(made) (Debian/Ubuntu: apt-get install postgresql-\(made)), or set PARKCTL_PG_BINDIR to its programs
            """)
    }

    private func initialize(_ binaries: PostgresBinaries) throws {
        try checkReachableByServerUser()
        try makeDirectory(root)
        try makeDirectory(socketDirectory)
        try initdb(dataDirectory, binaries, checksums: true, walSegmentMB: durable ? 1 : nil)
    }

    /// A new cluster in `data` with parkctl's settings. Data checksums: a page changed on
    /// disk fails its checksum when read (db check reports it); an upgrade keeps the old
    /// cluster's choice, which pg_upgrade requires.
    ///
    /// `walSegmentMB`: 1 for a new durable cluster, whose WAL is archived: a quiet park's
    /// archive then grows by 1 MB files (at most one a minute, `archive_timeout`), not 16 MB ones.
    func initdb(_ data: String, _ binaries: PostgresBinaries, checksums: Bool, walSegmentMB: Int?) throws {
        var args = ["-D", data, "-U", Self.superuser, "--auth-local=trust", "--auth-host=reject",
                    "--encoding=UTF8", "--locale=C"]
        if checksums { args.append("--data-checksums") }
        if let walSegmentMB { args.append("--wal-segsize=\(walSegmentMB)") }
        if !durable { args.append("--no-sync") }
        let out = try ProcessRunner.run(binaries.initdb, args, asUser: serverUser, environment: ProcessRunner.serverEnvironment)
        guard out.status == 0 else {
            throw ParkError.unavailable("initdb failed for \(data):\n\(out.output)")
        }
        var settings = """

            # parkctl's embedded cluster: no TCP listener, a socket in a private folder.
            listen_addresses = ''
            port = \(Self.port)
            unix_socket_directories = '\(socketDirectory.replacingOccurrences(of: "'", with: "''"))'
            unix_socket_permissions = 0700
            max_connections = 200
            timezone = 'Asia/Shanghai'

            """
        if !durable {
            settings += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        }
        try appendSettings(settings, to: data)
        try archiveWAL(data)
    }

    static let archiveMarker = "# parkctl: WAL archiving, for point-in-time recovery (parkctl db restore --to-time)"

    /// Turns WAL archiving on in the cluster `data` (once; a cluster made before parkctl
    /// archived gets it at its next start): each completed WAL file is copied into
    /// ``walArchive``, synced, then renamed into place, and a file already there is
    /// accepted only if it is the same.
    func archiveWAL(_ data: String) throws {
        guard archivingOff == nil else { return }
        let conf = (try? String(contentsOfFile: data + "/postgresql.conf", encoding: .utf8)) ?? ""
        guard !conf.contains(Self.archiveMarker) else { return }
        try makeDirectory(backupsDirectory)
        try makeDirectory(walArchive)
        let command = #"f=%f; d="\#(walArchive)"; if [ -f "$d/$f" ]; then cmp -s %p "$d/$f"; "#
            + #"else cp %p "$d/$f.part" && sync "$d/$f.part" && mv "$d/$f.part" "$d/$f"; fi"#
        try appendSettings("""

            \(Self.archiveMarker)
            archive_mode = on
            archive_command = '\(command)'
            archive_timeout = 60

            """, to: data)
    }

    /// Appends to the cluster's postgresql.conf (or `file`), a plain file of its own (never a link).
    func appendSettings(_ settings: String, to data: String, file: String = "postgresql.conf") throws {
        let conf = data + "/" + file
        let fd = open(conf, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            if fd >= 0 { close(fd) }
            throw ParkError.unavailable("cannot write \(conf) (not a plain file of the cluster's)")
        }
        defer { close(fd) }
        let bytes = Array(settings.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw ParkError.unavailable("cannot write \(conf): \(String(cString: strerror(errno)))")
        }
    }

    func start(_ binaries: PostgresBinaries) throws {
        try makeDirectory(socketDirectory)
        try archiveWAL(dataDirectory)
        let fd = open(logFile, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            defer { close(fd) }
            try chownToServerUser(fd, logFile)
        } else if errno != EEXIST {
            throw ParkError.unavailable("cannot create \(logFile): \(String(cString: strerror(errno)))")
        }
        let out = try ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
                                        asUser: serverUser, environment: ProcessRunner.serverEnvironment)
        guard out.status == 0 else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8))?.split(separator: "\n").suffix(10)
                .joined(separator: "\n") ?? ""
            throw ParkError.unavailable("PostgreSQL did not start (\(dataDirectory)):\n\(out.output)\n\(log)")
        }
    }

    private func createDatabaseIfMissing() throws {
        let conn = try Connection(conninfo(database: "postgres"))
        defer { conn.close() }
        let exists = try conn.query("SELECT 1 FROM pg_database WHERE datname = \(databaseName)").rowCount > 0
        if !exists {
            // CREATE DATABASE takes no parameters; the name is ours, not user input, and quoted.
            try conn.simpleQuery("CREATE DATABASE \"\(databaseName.replacingOccurrences(of: "\"", with: "\"\""))\"")
        }
        // Staff log in to parkctl's database only (its migration gives CONNECT to them
        // alone): the cluster's own databases are closed to every login but the owner.
        try conn.simpleQuery("REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC")
    }

    /// Makes (or takes) a folder of the cluster, 0700 and the server user's. It is
    /// opened without following a symbolic link, and changed through that descriptor:
    /// a link planted in its place is refused, never followed to chown its target.
    func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw ParkError.unavailable("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw ParkError.unavailable("""
                \(path) is not a folder parkctl made (\(String(cString: strerror(errno)))\(errno == ELOOP || errno == ENOTDIR ? ": a symbolic link or a file stands there" : "")); \
                remove it, or set PARKCTL_HOME to another folder
                """)
        }
        defer { close(fd) }
        guard fchmod(fd, 0o700) == 0 else {
            throw ParkError.unavailable("cannot make \(path) private: \(String(cString: strerror(errno)))")
        }
        try chownToServerUser(fd, path)
    }

    /// As root, the server runs as postgres, which must be able to walk down to the
    /// cluster: root's home (0700) is a typical trap, so say so plainly.
    private func checkReachableByServerUser() throws {
        guard let user = serverUser, let pw = getpwnam(user) else { return }
        var dir = URL(fileURLWithPath: root).standardizedFileURL.deletingLastPathComponent()
        while true {
            var info = stat()
            if stat(dir.path, &info) == 0, info.st_uid != pw.pointee.pw_uid, info.st_mode & 0o001 == 0 {
                throw ParkError.unavailable("""
                    the cluster folder \(root) is not reachable by the \(user) user, which runs PostgreSQL \
                    (PostgreSQL refuses to run as root): \(dir.path) is closed to others \
                    (mode \(String(info.st_mode & 0o777, radix: 8))). Set PARKCTL_HOME to a folder under an open one \
                    (the default for root is /var/lib/parkctl)
                    """)
            }
            if dir.path == "/" { break }
            dir = dir.deletingLastPathComponent()
        }
    }

    /// Gives an opened file or folder to the server user (as root); never by path.
    func chownToServerUser(_ fd: Int32, _ path: String) throws {
        guard let (uid, gid) = try serverUserIDs() else { return }
        guard fchown(fd, uid, gid) == 0 else {
            throw ParkError.unavailable("cannot give \(path) to the \(serverUser ?? "") user: \(String(cString: strerror(errno)))")
        }
    }

    private func serverUserIDs() throws -> (uid_t, gid_t)? {
        guard let user = serverUser else { return nil }
        guard let pw = getpwnam(user) else {
            throw ParkError.unavailable("""
                running as root, but there is no '\(user)' system user to run PostgreSQL \
                (PostgreSQL refuses to run as root): install postgresql, or set PARKCTL_DATABASE_URL
                """)
        }
        return (pw.pointee.pw_uid, pw.pointee.pw_gid)
    }

    /// Walks down to ``root`` from `/`, making the folders that are missing, and refuses
    /// a path that someone else could change under us: every folder on the way must
    /// belong to root or to us and be writable by no one else (a sticky folder such as
    /// /tmp may be, since there nobody can replace what is ours); a symbolic link on
    /// the way must be root's or ours, and is followed. The cluster folder itself may
    /// belong to the server user, and must be closed to others.
    ///
    /// Why: as root, parkctl gives the cluster's folders to the postgres user; in a
    /// folder others can write, a planted symbolic link would make root give away (or
    /// open up) whatever it points to.
    func prepareRoot() throws {
        let me = geteuid()
        let server = try serverUserIDs()?.0
        let trusted = { (uid: uid_t) in uid == 0 || uid == me }
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        var pending = absolute.split(separator: "/").map(String.init)
        var resolved = ""
        var links = 0
        func unsafe(_ path: String, _ why: String) -> ParkError {
            ParkError.unavailable("""
                the cluster folder \(root) is not safe: \(path) \(why), so someone else could put a symbolic link in \
                parkctl's way. Set PARKCTL_HOME to a folder whose parents only root\(me == 0 ? "" : " or you") can write \
                (without PARKCTL_HOME, parkctl uses \(Self.defaultRoot(environment: ProcessInfo.processInfo.environment.filter { $0.key != "PARKCTL_HOME" })))
                """)
        }
        var info = stat()
        guard lstat("/", &info) == 0, trusted(info.st_uid), info.st_mode & 0o022 == 0 else { throw unsafe("/", "is writable by others") }
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name.isEmpty || name == "." { continue }
            if name == ".." {
                resolved = String(resolved[..<(resolved.lastIndex(of: "/") ?? resolved.startIndex)])
                continue
            }
            let path = resolved + "/" + name
            let isHome = pending.allSatisfy { $0.isEmpty || $0 == "." }
            if lstat(path, &info) != 0 {
                guard errno == ENOENT, mkdir(path, isHome ? 0o700 : 0o755) == 0 || errno == EEXIST, lstat(path, &info) == 0 else {
                    throw ParkError.unavailable("cannot create \(path): \(String(cString: strerror(errno)))")
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard trusted(info.st_uid) else { throw unsafe(path, "is a symbolic link of user \(info.st_uid)") }
                links += 1
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(path, &buffer, buffer.count - 1)
                guard links <= 32, n > 0 else { throw unsafe(path, "is a symbolic link that leads nowhere (or in a loop)") }
                let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                pending = target.split(separator: "/").map(String.init) + pending
                if target.hasPrefix("/") { resolved = "" }
                continue
            case S_IFDIR:
                break
            default:
                throw unsafe(path, "is not a folder")
            }
            // Group-writable is fine for root's group and for our own primary group (a
            // user private group, as many systems give each user).
            let writableByOthers = info.st_mode & 0o002 != 0
                || (info.st_mode & 0o020 != 0 && info.st_gid != 0 && info.st_gid != getegid())
            if isHome {
                guard trusted(info.st_uid) || info.st_uid == server else { throw unsafe(path, "belongs to user \(info.st_uid)") }
                guard !writableByOthers else { throw unsafe(path, "is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8)))") }
            } else {
                guard trusted(info.st_uid) else { throw unsafe(path, "belongs to user \(info.st_uid)") }
                guard !writableByOthers || info.st_mode & S_ISVTX != 0 else {
                    throw unsafe(path, "is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8)))")
                }
            }
            resolved = path
        }
    }

    /// Holds an exclusive lock on the cluster's lock file, so that two first runs at
    /// once do not both run initdb or start the server.
    func withSetupLock<T>(_ body: () throws -> T) throws -> T {
        try prepareRoot()
        try makeDirectory(root)
        let fd = open(lockFile, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw ParkError.unavailable("cannot open \(lockFile): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid(), info.st_nlink == 1 else {
            throw ParkError.unavailable("\(lockFile) is not parkctl's lock file (another user's, or a link); remove it")
        }
        guard flock(fd, LOCK_EX) == 0 else {
            throw ParkError.unavailable("cannot lock \(lockFile): \(String(cString: strerror(errno)))")
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
