import Foundation
import Postgres

/// `parkctl db upgrade`: the embedded cluster moved to a newer PostgreSQL major version
/// through pg_upgrade, which needs the server programs of both. `check()` is
/// pg_upgrade's dry run against the running cluster; `run()` stops the cluster, makes
/// the new one beside it (same settings, same data checksums), upgrades it in copy mode
/// (the old cluster is left as it was), and swaps the folders: the old one stays as
/// `data.old-N` until its owner removes it. Take a backup first (the command does).
public struct ClusterUpgrade {
    public let cluster: LocalCluster
    public let old: PostgresBinaries
    public let new: PostgresBinaries
    public let oldMajor: String
    public let newMajor: String

    /// `newBinDir`: the new version's programs (default: the newest installed under
    /// /usr/lib/postgresql). The same major version is taken only when named.
    public init(cluster: LocalCluster, newBinDir: String? = nil) throws {
        guard let made = cluster.clusterVersion else {
            throw ParkError.invalid("there is no embedded cluster at \(cluster.root) to upgrade")
        }
        self.cluster = cluster
        old = try cluster.serverBinaries()
        oldMajor = made
        if let newBinDir {
            new = PostgresBinaries(directory: newBinDir)
            guard PostgresBinaries.required.allSatisfy({ FileManager.default.isExecutableFile(atPath: newBinDir + "/" + $0) }),
                  FileManager.default.isExecutableFile(atPath: newBinDir + "/pg_upgrade") else {
                throw ParkError.invalid("--new-bindir \(newBinDir) does not hold PostgreSQL's server programs (initdb, pg_ctl, postgres, pg_upgrade)")
            }
            newMajor = try new.majorVersion()
            guard let n = Int(newMajor), let o = Int(made), n >= o else {
                throw ParkError.invalid("--new-bindir \(newBinDir) is PostgreSQL \(newMajor), older than the cluster's \(made): pg_upgrade only moves forward")
            }
        } else {
            guard let newest = PostgresBinaries.installedMajors().first, newest > Int(made) ?? Int.max else {
                throw ParkError(.conflict, "the embedded cluster is on PostgreSQL \(made), the newest installed here: there is nothing to upgrade to "
                                           + "(install the newer server first, e.g. apt-get install postgresql-17)")
            }
            new = PostgresBinaries(directory: "/usr/lib/postgresql/\(newest)/bin")
            newMajor = String(newest)
        }
    }

    var newData: String { cluster.root + "/data.upgrade-\(newMajor)" }

    /// pg_upgrade's checks, against the running cluster: returns what it printed.
    public func check() throws -> String {
        try cluster.ensureRunning()
        return try cluster.withSetupLock {
            try? FileManager.default.removeItem(atPath: newData)
            defer { try? FileManager.default.removeItem(atPath: newData) }
            try initdbNew()
            return try pgUpgrade(["--check"])
        }
    }

    /// Upgrades: returns where the old cluster's folder now is. On failure the old
    /// cluster is started again, as it was.
    public func run() throws -> String {
        try cluster.stop()
        return try cluster.withSetupLock {
            try? FileManager.default.removeItem(atPath: newData)
            do {
                try initdbNew()
                _ = try pgUpgrade([])
            } catch {
                try? FileManager.default.removeItem(atPath: newData)
                try? cluster.start(old)
                throw error
            }
            var kept = cluster.root + "/data.old-\(oldMajor)"
            var n = 2
            while FileManager.default.fileExists(atPath: kept) { kept = cluster.root + "/data.old-\(oldMajor)-\(n)"; n += 1 }
            guard rename(cluster.dataDirectory, kept) == 0 else {
                throw ParkError.unavailable("cannot move \(cluster.dataDirectory) aside: \(String(cString: strerror(errno))); the upgraded cluster is in \(newData)")
            }
            guard rename(newData, cluster.dataDirectory) == 0 else {
                rename(kept, cluster.dataDirectory)
                throw ParkError.unavailable("cannot move \(newData) into place: \(String(cString: strerror(errno)))")
            }
            // pg_upgrade's script for removing the old cluster: the folder's name says as much.
            try? FileManager.default.removeItem(atPath: cluster.root + "/delete_old_cluster.sh")
            try cluster.start(new)
            return kept
        }
    }

    /// The new cluster, made as the old one was where pg_upgrade requires it: data
    /// checksums and the WAL file size, as pg_controldata reads them.
    func initdbNew() throws {
        let out = try ProcessRunner.run(old.directory + "/pg_controldata", ["-D", cluster.dataDirectory],
                                        asUser: cluster.serverUser, environment: ProcessRunner.serverEnvironment.merging(["LC_ALL": "C"]) { $1 })
        func value(_ label: String) throws -> String {
            guard out.status == 0, let line = out.stdout.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else {
                throw ParkError.unavailable("pg_controldata \(cluster.dataDirectory) did not say its \(label) \(out.output)")
            }
            return line.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
        }
        let checksums = try value("Data page checksum version:") != "0"
        let segment = try Int(value("Bytes per WAL segment:")).map { $0 / (1024 * 1024) }
        try cluster.initdb(newData, new, checksums: checksums, walSegmentMB: segment)
    }

    /// pg_upgrade as the server's user, from the cluster's folder (it writes its logs
    /// under the new cluster), on the cluster's private socket folder.
    private func pgUpgrade(_ extra: [String]) throws -> String {
        let args = ["-b", old.directory, "-B", new.directory, "-d", cluster.dataDirectory, "-D", newData,
                    "-U", LocalCluster.superuser, "-s", cluster.socketDirectory, "-p", "\(LocalCluster.port)", "-P", "50432"] + extra
        let out = try ProcessRunner.run("/bin/sh", ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", cluster.root, new.directory + "/pg_upgrade"] + args,
                                        asUser: cluster.serverUser, environment: ProcessRunner.serverEnvironment)
        guard out.status == 0 else {
            throw ParkError.unavailable("pg_upgrade from PostgreSQL \(oldMajor) to \(newMajor) failed; the cluster is as it was:\n\(out.output)")
        }
        return out.stdout
    }
}
