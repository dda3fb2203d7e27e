import Foundation
import ParkCore
import Postgres
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An embedded parkctl cluster of one test's own, for faults that would harm the
/// shared test server (stopping it, crashing it). parkctl reaches it the way a user's
/// parkctl reaches its default database: `PARKCTL_HOME`, no `--database-url`.
///
/// The folder is made under /tmp and opened (0755) so that, as root, the `postgres`
/// user that runs the server can walk down to it (like bench/import.sh does).
/// Call ``destroy()`` in a `defer`: it stops the server and removes the folder.
public final class PrivateCluster: @unchecked Sendable {
    /// The test's folder; the cluster lives in `cluster/` inside it.
    public let directory: String
    public let cluster: LocalCluster

    public init(label: String) throws {
        var template = Array("/tmp/parkctl-\(label)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SpawnError("mkdtemp: \(String(cString: strerror(errno)))") }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        chmod(directory, 0o755)
        cluster = LocalCluster(root: directory + "/cluster")
    }

    /// What parkctl needs to find this cluster.
    public var environment: [String: String] { ["PARKCTL_HOME": cluster.root] }

    /// Runs parkctl on this cluster.
    public func parkctl(_ arguments: [String], actor: String = "fault-tester", input: String = "") throws -> ProcessRunner.Output {
        try Parkctl.run(arguments, environment: environment.merging(["PARKCTL_ACTOR": actor]) { $1 }, input: input)
    }

    /// Runs parkctl in the background, standard input a pipe the test writes.
    public func spawnParkctl(_ arguments: [String], actor: String = "fault-tester") throws -> SpawnedProcess {
        try SpawnedProcess.parkctl(arguments, environment: environment.merging(["PARKCTL_ACTOR": actor]) { $1 })
    }

    /// A connection to parkctl's database in this cluster, as its owner.
    public func connect(applicationName: String) throws -> Connection {
        try Connection(cluster.conninfo, applicationName: applicationName)
    }

    /// The system user that runs the server (postgres when we are root).
    public static var serverUser: String? { geteuid() == 0 ? "postgres" : nil }

    /// Our environment without what would point the server programs elsewhere.
    public static var serverEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["PGDATA", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS"] { env[key] = nil }
        env["LC_ALL"] = "C.UTF-8"
        return env
    }

    /// `pg_ctl stop -m immediate`: the server and every backend end at once, as in a
    /// crash; the next start runs crash recovery.
    public func stopImmediately() throws -> ProcessRunner.Output {
        let binaries = try PostgresBinaries.locate(forMajorVersion: cluster.clusterVersion)
        return try ProcessRunner.run(binaries.pgCtl, ["-D", cluster.dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"],
                                     asUser: Self.serverUser, environment: Self.serverEnvironment, timeout: 600)
    }

    /// The server's log so far.
    public var serverLog: String { (try? String(contentsOfFile: cluster.logFile, encoding: .utf8)) ?? "" }

    /// Stops the server (if it runs) and removes the folder.
    public func destroy() {
        if cluster.isRunning { try? cluster.stop() }
        // A server that did not answer but left its pid file: make sure it is gone.
        if FileManager.default.fileExists(atPath: cluster.dataDirectory + "/postmaster.pid") {
            _ = try? stopImmediately()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls `probe` every 100 ms until it returns a value, for at most `seconds`.
public func waitFor<T>(seconds: Double, _ what: String, _ probe: () throws -> T?) throws -> T {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if let value = try probe() { return value }
        if Date() >= deadline { throw SpawnError("gave up after \(seconds) s waiting for \(what)") }
        usleep(100_000)
    }
}
