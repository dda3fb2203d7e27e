import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 21, major versions. Only PostgreSQL 15 can be installed here (Debian 12 has no
/// other major, and apt.postgresql.org is out of reach), so the upgrade runs 15 → 15
/// through `--new-bindir`: pg_upgrade's checks, the backup first, the copy, the swap of
/// folders, the start on the new programs, every table as it was. The message a cluster
/// made by a major version whose programs are gone gives is shown by a cluster whose
/// PG_VERSION says 14 (and 99, for one newer than the programs found).
@Suite(.serialized, .timeLimit(.minutes(10))) struct UpgradeTests {
    @Test func aClusterIsUpgradedWithPgUpgradeAndAMissingVersionIsNamed() throws {
        let pc = try PrivateCluster(label: "upgrade")
        defer { pc.destroy() }
        try FaultTests.park(pc)
        let bindir = try PostgresBinaries.locate(forMajorVersion: "15").directory
        let conn = try pc.connect(applicationName: "upgrade-test")
        let before = try conn.tableChecksums()
        conn.close()

        let nothing = try pc.parkctl(["db", "upgrade"])
        #expect(nothing.status == 65 && nothing.stderr.contains("is on PostgreSQL 15, the newest installed here: there is nothing to upgrade to"),
                "\(nothing.output)")
        let notPrograms = try pc.parkctl(["db", "upgrade", "--new-bindir", pc.directory])
        #expect(notPrograms.status == 65 && notPrograms.stderr.contains("does not hold PostgreSQL's server programs"), "\(notPrograms.output)")

        let checked = try pc.parkctl(["db", "upgrade", "--check", "--new-bindir", bindir])
        #expect(checked.status == 0 && checked.stdout.contains("*Clusters are compatible*") && checked.stdout.contains("nothing was changed"),
                "\(checked.output)")
        #expect(!FileManager.default.fileExists(atPath: pc.cluster.root + "/data.upgrade-15"))

        let upgraded = try pc.parkctl(["db", "upgrade", "--new-bindir", bindir])
        #expect(upgraded.status == 0, "\(upgraded.output)")
        #expect(upgraded.stdout.contains("backed up first to \(pc.cluster.root)/backups/parkctl-backup-")
                && upgraded.stdout.contains("from PostgreSQL 15 to 15") && upgraded.stdout.contains("kept at \(pc.cluster.root)/data.old-15"),
                "\(upgraded.stdout)")
        #expect(FileManager.default.fileExists(atPath: pc.cluster.root + "/data.old-15/PG_VERSION"))
        #expect(!FileManager.default.fileExists(atPath: pc.cluster.root + "/data.upgrade-15"))
        let after = try pc.connect(applicationName: "upgrade-test")
        #expect(try after.tableChecksums() == before)
        #expect(try after.query("SHOW data_checksums").rows[0].decode(0, as: String.self) == "on")
        after.close()
        let list = try pc.parkctl(["park", "list"])
        #expect(list.status == 0 && list.stdout.contains("湘南湘西软件产业园"), "\(list.output)")

        // The programs of the cluster's version are gone (PG_VERSION says 14): every
        // command says what to install and what to run, and touches nothing.
        try pc.cluster.stop()
        let version = pc.cluster.dataDirectory + "/PG_VERSION"
        try "14\n".write(toFile: version, atomically: false, encoding: .utf8)
        for args in [["park", "list"], ["db", "upgrade"]] {
            let out = try pc.parkctl(args)
            #expect(out.status == 69, "\(args): \(out.output)")
            #expect(out.stderr.contains("was made by PostgreSQL 14, whose server programs are no longer installed here (PostgreSQL 15's are")
                    && out.stderr.contains("apt-get install postgresql-14") && out.stderr.contains("`parkctl db upgrade`"), "\(args): \(out.stderr)")
        }
        try "99\n".write(toFile: version, atomically: false, encoding: .utf8)
        let newer = try pc.parkctl(["park", "list"])
        #expect(newer.status == 69 && newer.stderr.contains("was made by PostgreSQL 99, newer than the PostgreSQL 15 found"), "\(newer.output)")
        try "15\n".write(toFile: version, atomically: false, encoding: .utf8)
        #expect(try pc.parkctl(["park", "list"]).status == 0)
    }
}
