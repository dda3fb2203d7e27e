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
        guard moment.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?$"#, options: .regularExpression) != nil else {
            throw ParkError.invalid("--to-time \(moment): give the moment as YYYY-MM-DD HH:MM[:SS] (the parks' time), e.g. --to-time \"2026-12-01 10:15\"")
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
            throw ParkError.invalid("--to-time \(moment): that is no moment of the calendar (YYYY-MM-DD HH:MM[:SS], the parks' time)")
        }
        let local: String = try parsed.decode("local")
        let utc: String = try parsed.decode("utc")
        guard try parsed.decode("past", as: Bool.self) else {
            throw ParkError.invalid("--to-time \(moment): that moment has not come yet; the cluster is already as it is now")
        }
        let major = try ClientTool.serverMajor(conn)
        // The history that was live at the moment: an earlier restore to the past began a
        // new timeline when it finished; the moment before that lies on the old one.
        let branches = Self.branches(in: cluster)
        let live = branches.last(where: { $0.since <= local })
        let allowed: Set<Int>? = live.map { Set([$0.timeline] + Self.ancestors(of: $0.timeline, in: cluster)) }
        let bases = Backup.backups(in: cluster.backupsDirectory).filter { backup in
            guard let base = backup.manifest.base, base.postgresMajor == major, let tl = Self.timeline(of: base.startWAL) else { return false }
            guard let allowed else { return true }
            guard allowed.contains(tl) else { return false }
            // A base on an older timeline serves only if it was finished before that
            // timeline was left (the restore that began the next one went back further).
            let left = branches.filter { allowed.contains($0.timeline) && $0.timeline > tl }.map(\.restoredTo).min()
            return left.map { base.endedAt < $0 } ?? true
        }
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
        let timeline = live?.timeline ?? Self.timeline(of: base.startWAL) ?? 1
        do {
            try recover(from: tarball, to: utc, timeline: timeline)
            try Self.record(branch: try newBranch(restoredTo: local), in: cluster)
        } catch {
            // Back as it was.
            try? cluster.stopImmediately()
            try? FileManager.default.removeItem(atPath: cluster.dataDirectory)
            rename(previous, cluster.dataDirectory)
            _ = try? cluster.ensureRunning()
            throw ParkError.unavailable("the recovery to \(local) failed, and the cluster is back as it was before it: \(ParkError(error).message)")
        }
        return Outcome(moment: local, backup: chosen.folder, baseEndedAt: base.endedAt, previous: previous)
    }

    /// Unpacks the base backup as the cluster's data, sets the recovery target and
    /// starts the server, which replays the archived WAL up to it and then opens.
    private func recover(from tarball: String, to utc: String, timeline: Int) throws {
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
            recovery_target_timeline = '\(timeline)'
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
        // Gone from the settings; read again at the next start (a reload would only log
        // that recovery settings cannot change while the server runs).
        for setting in ["restore_command", "recovery_target_time", "recovery_target_timeline", "recovery_target_action"] {
            try conn.simpleQuery("ALTER SYSTEM RESET \(setting)")
        }
    }

    /// A timeline an earlier restore began: its number, when it began (the parks' time)
    /// and the moment it went back to.
    struct Branch: Codable, Equatable {
        var timeline: Int
        var since: String
        var restoredTo: String
    }

    static func branchesFile(_ cluster: LocalCluster) -> String { cluster.backupsDirectory + "/timelines.json" }

    static func branches(in cluster: LocalCluster) -> [Branch] {
        guard let data = FileManager.default.contents(atPath: branchesFile(cluster)),
              let list = try? JSONDecoder().decode([Branch].self, from: data) else { return [] }
        return list.sorted { $0.since < $1.since }
    }

    static func record(branch: Branch, in cluster: LocalCluster) throws {
        let list = branches(in: cluster).filter { $0.timeline != branch.timeline } + [branch]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(list).write(to: URL(fileURLWithPath: branchesFile(cluster)), options: .atomic)
    }

    /// The timeline the recovered server now writes, and when it began.
    private func newBranch(restoredTo: String) throws -> Branch {
        let conn = try Connection(cluster.conninfo, applicationName: "parkctl restore")
        defer { conn.close() }
        let row = try conn.query("""
            SELECT pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()) AS wal,
                   to_char(now() AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD"T"HH24:MI:SS') AS since
            """).rows[0]
        return Branch(timeline: Self.timeline(of: try row.decode("wal")) ?? 1, since: try row.decode("since"), restoredTo: restoredTo)
    }

    /// The timeline of a WAL file's name (its first eight hex digits).
    static func timeline(of wal: String) -> Int? { Int(wal.prefix(8), radix: 16) }

    /// The timelines `timeline` descends from, as its history file in the archive lists them.
    static func ancestors(of timeline: Int, in cluster: LocalCluster) -> [Int] {
        let name = String(format: "%08X.history", timeline)
        guard let text = try? String(contentsOfFile: cluster.walArchive + "/" + name, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : line.split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap { Int($0) }
        }
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
