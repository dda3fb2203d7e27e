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
/// `.lock` (serialises set-up between processes).
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

    /// Creates, starts and prepares the cluster as needed; quick when it already runs.
    /// Returns true when this call started the server.
    @discardableResult
    public func ensureRunning() throws -> Bool {
        return try withSetupLock {
            if isRunning {
                try createDatabaseIfMissing()
                return false
            }
            let binaries = try PostgresBinaries.locate(forMajorVersion: clusterVersion)
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
            let binaries = try PostgresBinaries.locate(forMajorVersion: clusterVersion)
            let out = try ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
                                            asUser: serverUser, environment: ProcessRunner.serverEnvironment)
            // 1 with "Is server running?" means it was already stopped.
            if out.status != 0 && !out.output.contains("Is server running?") {
                throw ParkError.unavailable("pg_ctl stop failed for \(dataDirectory):\n\(out.output)")
            }
        }
    }

    /// Stops the server if it runs and deletes the whole folder.
    public func destroy() throws {
        if isRunning { try stop() }
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: - Set-up steps

    private func initialize(_ binaries: PostgresBinaries) throws {
        try checkReachableByServerUser()
        try makeDirectory(root)
        try makeDirectory(socketDirectory)
        var args = ["-D", dataDirectory, "-U", Self.superuser, "--auth-local=trust", "--auth-host=reject",
                    "--encoding=UTF8", "--locale=C"]
        if !durable { args.append("--no-sync") }
        let out = try ProcessRunner.run(binaries.initdb, args, asUser: serverUser, environment: ProcessRunner.serverEnvironment)
        guard out.status == 0 else {
            throw ParkError.unavailable("initdb failed for \(dataDirectory):\n\(out.output)")
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
        let conf = dataDirectory + "/postgresql.conf"
        guard let handle = FileHandle(forWritingAtPath: conf) else {
            throw ParkError.unavailable("cannot write \(conf)")
        }
        handle.seekToEndOfFile()
        handle.write(Data(settings.utf8))
        handle.closeFile()
    }

    private func start(_ binaries: PostgresBinaries) throws {
        try makeDirectory(socketDirectory)
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil, attributes: [.posixPermissions: 0o600])
            try chownToServerUser(logFile)
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
    }

    private func makeDirectory(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        chmod(path, 0o700)
        try chownToServerUser(path)
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

    private func chownToServerUser(_ path: String) throws {
        guard let user = serverUser else { return }
        guard let pw = getpwnam(user) else {
            throw ParkError.unavailable("""
                running as root, but there is no '\(user)' system user to run PostgreSQL \
                (PostgreSQL refuses to run as root): install postgresql, or set PARKCTL_DATABASE_URL
                """)
        }
        guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
            throw ParkError.unavailable("cannot give \(path) to the \(user) user: \(String(cString: strerror(errno)))")
        }
    }

    /// Holds an exclusive lock on the cluster's lock file, so that two first runs at
    /// once do not both run initdb or start the server.
    private func withSetupLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try chownToServerUser(root)
        let fd = open(lockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ParkError.unavailable("cannot open \(lockFile): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else {
            throw ParkError.unavailable("cannot lock \(lockFile): \(String(cString: strerror(errno)))")
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
