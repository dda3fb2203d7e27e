import Foundation
import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// `parkctl db restore --to-time`: the embedded cluster put back as it was at a moment
/// (the parks' time), from the newest base backup finished before it and the WAL the
/// server archived since, replayed by PostgreSQL's own recovery up to that moment.
/// The cluster as it was is moved aside (`data.before-restore-…`), not deleted: a
/// restore to the wrong moment is undone by moving it back.
public struct PointInTimeRestore {
    public let cluster: LocalCluster

    public init(cluster: LocalCluster) { self.cluster = cluster }

    public struct Outcome: Sendable {
        /// The moment, as the parks' time ("2026-12-01T10:15:00").
        public var moment: String
        /// The backup whose base it started from.
        public var backup: String
        public var baseEndedAt: String
        /// Where the cluster as it was before the restore now lies.
        public var previous: String
    }

    /// Restores the cluster to `moment` ("2026-12-01 10:15", the parks' time).
    public func run(to moment: String) throws -> Outcome {
        if let why = cluster.archivingOff {
            throw ParkError.invalid("the embedded cluster's WAL is not archived (\(why)), so there is no point in time to go back to; restore a backup instead")
        }
        try cluster.ensureRunning()
        let conn = try Connection(cluster.conninfo, applicationName: "parkctl restore")
        defer { conn.close() }
        // The moment in the parks' time, and in UTC for the server's recovery target.
        let parsed: PostgresRow
        do {
            parsed = try conn.query("""
                SELECT to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS') AS local,
                       to_char((t AT TIME ZONE park_time_zone(NULL)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' AS utc,
                       (t AT TIME ZONE park_time_zone(NULL)) < now() AS past
                FROM (SELECT \(moment)::timestamp(0) AS t) m
                """).rows[0]
        } catch let error as PostgresError where error.sqlState?.codeClass == .dataException {
            throw ParkError.invalid("--to-time \(moment): give the moment as YYYY-MM-DD HH:MM (the parks' time), e.g. --to-time \"2026-12-01 10:15\"")
        }
        let local: String = try parsed.decode("local")
        let utc: String = try parsed.decode("utc")
        guard try parsed.decode("past", as: Bool.self) else {
            throw ParkError.invalid("--to-time \(moment): that moment has not come yet; the cluster is already as it is now")
        }
        let major = try ClientTool.serverMajor(conn)
        let bases = Backup.backups(in: cluster.backupsDirectory).filter { $0.manifest.base?.postgresMajor == major }
        guard let chosen = bases.first(where: { $0.manifest.base!.endedAt < local }) else {
            let oldest = bases.last.map { "the oldest base backup here was finished at \($0.manifest.base!.endedAt) (\($0.folder))" }
                ?? "there is no base backup in \(cluster.backupsDirectory) yet (parkctl db backup takes one)"
            throw ParkError.invalid("--to-time \(moment): no base backup was finished before that moment: \(oldest)")
        }
        let base = chosen.manifest.base!
        guard !base.file.hasPrefix("/"), !base.file.split(separator: "/").contains("..") else {
            throw ParkError.invalid("\(chosen.folder)/manifest.json names the base backup \(base.file), which is not in its folder")
        }
        let tarball = (chosen.folder as NSString).appendingPathComponent(base.file)
        let sha = try Backup.sha256(tarball)
        guard sha == base.sha256 else {
            throw ParkError.invalid("\(tarball) has changed since it was written: sha256 \(sha), not \(base.sha256)")
        }
        // Every change up to now into the archive: a commit after the moment (recovery
        // stops at the first one past it, and needs one), then the current WAL file closed
        // and archived. The server archives what is left as it stops, too.
        try conn.query("SELECT pg_catalog.txid_current()").clear()
        let last: String = try conn.query("SELECT pg_catalog.pg_walfile_name(pg_catalog.pg_switch_wal())").rows[0].decode(0)
        _ = try waitUntil(seconds: 60) { () -> Bool? in
            let archived: String? = try conn.query("SELECT last_archived_wal FROM pg_catalog.pg_stat_archiver").rows[0].decode(0)
            return (archived ?? "").suffix(16) >= last.suffix(16) ? true : nil
        } ?? { throw ParkError.unavailable("the server has not archived its WAL up to \(last) within a minute; see \(cluster.logFile). Nothing was changed") }()
        conn.close()

        try cluster.stop()
        let stamp = local.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "T", with: "-")
        var previous = cluster.root + "/data.before-restore-to-\(stamp)"
        var n = 2
        while FileManager.default.fileExists(atPath: previous) { previous = cluster.root + "/data.before-restore-to-\(stamp)-\(n)"; n += 1 }
        guard rename(cluster.dataDirectory, previous) == 0 else {
            _ = try? cluster.ensureRunning()
            throw ParkError.unavailable("cannot move \(cluster.dataDirectory) aside: \(String(cString: strerror(errno))). Nothing was changed")
        }
        do {
            try recover(from: tarball, to: utc)
        } catch {
            // Back as it was.
            try? cluster.stopImmediately()
            try? FileManager.default.removeItem(atPath: cluster.dataDirectory)
            rename(previous, cluster.dataDirectory)
            _ = try? cluster.ensureRunning()
            throw error
        }
        return Outcome(moment: local, backup: chosen.folder, baseEndedAt: base.endedAt, previous: previous)
    }

    /// Unpacks the base backup as the cluster's data, sets the recovery target and
    /// starts the server, which replays the archived WAL up to it and then opens.
    private func recover(from tarball: String, to utc: String) throws {
        try cluster.makeDirectory(cluster.dataDirectory)
        // Read by us (the file is ours, 0600), written by the server's user.
        var tar = ["tar", "-xzf", "-", "-C", cluster.dataDirectory]
        if let user = cluster.serverUser { tar = [try ProcessRunner.runuserPath(), "-u", user, "--"] + tar }
        let unpacked = try ProcessRunner.run("/bin/sh", ["-c", "f=$1; shift; exec \"$@\" < \"$f\"", "sh", tarball] + tar,
                                             environment: ProcessRunner.serverEnvironment)
        guard unpacked.status == 0 else { throw ParkError.unavailable("cannot unpack \(tarball): \(unpacked.output)") }
        try cluster.appendSettings("""

            # parkctl db restore --to-time: removed once the recovery is done.
            restore_command = 'cp "\(cluster.walArchive)/%f" %p'
            recovery_target_time = '\(utc)'
            recovery_target_action = 'promote'

            """, to: cluster.dataDirectory, file: "postgresql.auto.conf")
        let signal = cluster.dataDirectory + "/recovery.signal"
        let fd = open(signal, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ParkError.unavailable("cannot create \(signal): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try cluster.chownToServerUser(fd, signal)

        try cluster.withSetupLock { try cluster.start(try cluster.serverBinaries()) }
        let conn = try Connection(cluster.conninfo(database: "postgres"), applicationName: "parkctl restore")
        defer { conn.close() }
        _ = try waitUntil(seconds: 600) { () -> Bool? in
            try conn.query("SELECT pg_catalog.pg_is_in_recovery()").rows[0].decode(0, as: Bool.self) ? nil : true
        } ?? { throw ParkError.unavailable("the recovery did not finish within ten minutes; see \(cluster.logFile)") }()
        for setting in ["restore_command", "recovery_target_time", "recovery_target_action"] {
            try conn.simpleQuery("ALTER SYSTEM RESET \(setting)")
        }
        try conn.query("SELECT pg_catalog.pg_reload_conf()").clear()
    }

    private func waitUntil<T>(seconds: Double, _ probe: () throws -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try probe() { return value }
            usleep(200_000)
        }
        return nil
    }
}
