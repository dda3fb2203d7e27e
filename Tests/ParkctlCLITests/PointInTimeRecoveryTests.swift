import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 21, point-in-time recovery: the embedded cluster archives its WAL into
/// backups/wal from its first start, `db backup` adds a base backup, and
/// `db restore --to-time` puts the cluster back as it was between two imports: every
/// table as after the first, nothing of the second, the cluster open for work after;
/// `--keep` removes old backups and the archived WAL before the oldest base left.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PointInTimeRecoveryTests {
    static func units(_ pc: PrivateCluster, _ codes: [String]) throws {
        for code in codes {
            let out = try pc.parkctl(["unit", "add", "SW/B1/\(code)", "--floor", "\(code.prefix(2))", "--area", "88.00", "--kind", "office",
                                      "--list-rent", "40.00"])
            try #require(out.status == 0, "\(out.stderr)")
        }
    }

    /// The parks' time now, to the second, as staff would type it.
    static func now(_ conn: Connection) throws -> String {
        try conn.query("SELECT to_char(now() AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD HH24:MI:SS')").rows[0].decode(0)
    }

    @Test func theClusterGoesBackToAMomentBetweenTwoImports() throws {
        let pc = try PrivateCluster(label: "pitr")
        defer { pc.destroy() }
        try FaultTests.park(pc)
        let conn = try pc.connect(applicationName: "pitr-test")
        #expect(try conn.query("SHOW archive_mode").rows[0].decode(0, as: String.self) == "on")
        #expect(try conn.query("SHOW wal_segment_size").rows[0].decode(0, as: String.self) == "1MB")
        conn.close()
        let taken = try pc.parkctl(["db", "backup"])
        try #require(taken.status == 0, "\(taken.output)")
        let backups = Backup.backups(in: pc.cluster.backupsDirectory)
        let base = try #require(backups.first?.manifest.base, "the embedded cluster's backup has a base backup")
        #expect(base.file == "base/base.tar.gz" && base.startWAL.count == 24 && base.postgresMajor == 15, "\(base)")

        // The first import, then the moment, then the mistaken second import.
        try Self.units(pc, ["0201", "0202", "0203"])
        var probe = try pc.connect(applicationName: "pitr-test")
        let afterFirst = try probe.tableChecksums()
        usleep(1_200_000)
        let moment = try Self.now(probe)
        probe.close()
        usleep(1_200_000)
        try Self.units(pc, ["0301", "0302"])
        probe = try pc.connect(applicationName: "pitr-test")
        let afterSecond = try probe.tableChecksums()
        usleep(1_200_000)
        let later = try Self.now(probe)
        probe.close()
        usleep(1_200_000)

        let unasked = try pc.parkctl(["db", "restore", "--to-time", moment])
        #expect(unasked.status == 65 && unasked.stderr.contains("give --replace to go ahead"), "\(unasked.output)")
        let tooEarly = try pc.parkctl(["db", "restore", "--to-time", "2020-01-01 00:00", "--replace"])
        #expect(tooEarly.status == 65 && tooEarly.stderr.contains("no base backup was finished before that moment: the oldest base backup here was finished at"),
                "\(tooEarly.output)")
        let future = try pc.parkctl(["db", "restore", "--to-time", "2999-01-01 00:00", "--replace"])
        #expect(future.status == 65 && future.stderr.contains("that moment has not come yet"), "\(future.output)")
        for garbled in ["yesterday-ish", "4713-01-01 00:00 BC", "2026-13-01 00:00"] {
            let out = try pc.parkctl(["db", "restore", "--to-time", garbled, "--replace"])
            #expect(out.status == 65 && out.stderr.contains("--to-time \(garbled): "), "\(out.output)")
        }
        try pc.connect(applicationName: "pitr-test").execute("SELECT parkctl_staff_add('pitr_admin', 'admin', NULL, NULL)")
        let staff = try pc.parkctl(["db", "restore", "--to-time", moment, "--replace", "--user", "pitr_admin"])
        #expect(staff.status == 77 && staff.stderr.contains("a staff login may not"), "\(staff.output)")
        let both = try pc.parkctl(["db", "restore", backups[0].folder, "--to-time", moment, "--replace"])
        #expect(both.status == 64 && both.stderr.contains("--to-time picks the base backup itself"), "\(both.output)")

        let restored = try pc.parkctl(["db", "restore", "--to-time", moment, "--replace"])
        #expect(restored.status == 0, "\(restored.output)")
        let stamp = moment.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: " ", with: "-")
        #expect(restored.stdout.contains("to \(moment.replacingOccurrences(of: " ", with: "T")) (the parks' time), from the base backup in \(backups[0].folder)")
                && restored.stdout.contains("kept at \(pc.cluster.root)/data.before-restore-to-\(stamp)"), "\(restored.stdout)")
        probe = try pc.connect(applicationName: "pitr-test")
        #expect(try probe.tableChecksums() == afterFirst, "every table as after the first import")
        #expect(try probe.query("SELECT pg_is_in_recovery()").rows[0].decode(0, as: Bool.self) == false)
        probe.close()
        // Open for work, and the recovery's settings gone.
        try Self.units(pc, ["0401"])
        let auto = try String(contentsOfFile: pc.cluster.dataDirectory + "/postgresql.auto.conf", encoding: .utf8)
        #expect(!auto.contains("recovery_target_time") && !auto.contains("restore_command"), "\(auto)")

        // A later moment, before that restore: the history as it was then (both imports),
        // not the new history the restore began (the first import and 0401).
        let again = try pc.parkctl(["db", "restore", "--to-time", later, "--replace"])
        #expect(again.status == 0, "\(again.output)")
        probe = try pc.connect(applicationName: "pitr-test")
        #expect(try probe.tableChecksums() == afterSecond, "every table as after the second import")
        probe.close()

        // Retention: the first backup made three days old; --keep 2d removes it and the WAL
        // archived before the new backup's base.
        var manifest = backups[0].manifest
        manifest.takenAt = "2020-01-01T00:00:00"
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: backups[0].folder + "/manifest.json"))
        let kept = try pc.parkctl(["db", "backup", "--keep", "2d"])
        #expect(kept.status == 0 && kept.stdout.contains("removed 1 older") && kept.stdout.contains("archived WAL files older than the oldest base backup kept"),
                "\(kept.output)")
        let left = try #require(Backup.backups(in: pc.cluster.backupsDirectory).first?.manifest.base)
        let segments = try FileManager.default.contentsOfDirectory(atPath: pc.cluster.walArchive).filter { $0.count == 24 }
        #expect(!segments.isEmpty && segments.allSatisfy { $0.suffix(16) >= left.startWAL.suffix(16) }, "\(segments.sorted()) before \(left.startWAL)")
    }
}
