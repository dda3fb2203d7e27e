import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 21: a page changed on disk is noticed. A new embedded cluster has data
/// checksums, and `db check` reads every table and btree index through amcheck; a byte
/// flipped in the `unit` table's file (server stopped, as a failing disk would leave
/// it) makes `db check` exit 65 naming the table, while a healthy cluster passes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CorruptionTests {
    @Test func aDamagedPageIsFoundByDbCheck() throws {
        let pc = try PrivateCluster(label: "corrupt")
        defer { pc.destroy() }
        try FaultTests.park(pc)
        for floor in 1...3 {
            let out = try pc.parkctl(["unit", "add", "SW/B1/0\(floor)01", "--floor", "\(floor)", "--area", "120.00", "--kind", "office",
                                      "--list-rent", "38.00"])
            try #require(out.status == 0, "\(out.stderr)")
        }
        let healthy = try pc.parkctl(["db", "check"])
        #expect(healthy.status == 0, "\(healthy.output)")
        #expect(healthy.stdout.contains("pages: data checksums on, 0 checksum failures recorded"), "\(healthy.stdout)")
        #expect(healthy.stdout.range(of: #"amcheck: \d+ btree indexes and \d+ tables read, no damage found"#, options: .regularExpression) != nil,
                "\(healthy.stdout)")

        // A staff login may not install amcheck: its check says the page check was skipped.
        let conn = try pc.connect(applicationName: "corruption-test")
        try conn.execute("SELECT parkctl_staff_add('pc_admin', 'admin', NULL, NULL)")
        let file: String = try conn.query("SELECT pg_relation_filepath('unit')").rows[0].decode(0)
        try conn.simpleQuery("CHECKPOINT")
        conn.close()
        let staff = try pc.parkctl(["db", "check", "--user", "pc_admin"])
        #expect(staff.stdout.contains("amcheck: skipped: amcheck is not installed, and only a superuser may install it"), "\(staff.output)")
        #expect(!staff.stdout.contains("btree indexes"))

        // The disk goes bad under the table: one byte of its first page's rows flipped.
        try pc.cluster.stop()
        let path = pc.cluster.dataDirectory + "/" + file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try #require(bytes.count >= 8192, "unit's file holds \(bytes.count) bytes")
        bytes[8192 - 64] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))

        let damaged = try pc.parkctl(["db", "check"])
        #expect(damaged.status == 65, "\(damaged.output)")
        #expect(damaged.stdout.range(of: #"\n  unit: .*invalid page in block 0"#, options: .regularExpression) != nil, "\(damaged.stdout)")
        #expect(damaged.stdout.range(of: #"pages: data checksums on, [1-9]\d* checksum failures? recorded"#, options: .regularExpression) != nil,
                "\(damaged.stdout)")
        #expect(damaged.stderr.contains("the database's pages are damaged") && damaged.stderr.contains("parkctl db restore BACKUP --replace"),
                "\(damaged.stderr)")
        // Any other command that reads the page says what happened, not a bare XX001.
        let list = try pc.parkctl(["unit", "list", "--park", "SW"])
        #expect(list.status == 70 && list.stderr.contains("PostgreSQL found damaged data (invalid page in block 0")
                && list.stderr.contains("Nothing was changed"), "\(list.output)")
    }
}
