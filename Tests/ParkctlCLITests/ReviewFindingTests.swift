import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 15's reviews: a hostile staff login and a manager working from the README.
@Suite struct ReviewFindingTests {
    func refused(_ cli: CLI, _ args: [String], status: Int32 = 65, saying text: String) throws {
        let before = try cli.db.connection.tableChecksums()
        let out = try cli.run(args)
        #expect(out.status == status, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
        #expect(out.stderr.contains(text), "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before, "parkctl \(args.joined(separator: " ")) changed the database")
    }

    /// The database's transitions allow fitting_out → approved for a lease's cancellation;
    /// approving again is not that, and leaves the application where it is.
    @Test func anApplicationIsApprovedOnlyFromApplied() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        // 博思软件 fits out at SW under a signed lease (the demo).
        try refused(cli, ["tenant", "approve", "博思软件", "--park", "SW"],
                    saying: "the application is fitting_out; it cannot become approved")
        try refused(cli, ["tenant", "reject", "博思软件", "--park", "SW", "--reason", "测试"],
                    saying: "the application is fitting_out; it cannot become rejected")
    }

    /// A URL typed where an argument was expected is echoed by the parser: without its
    /// password, and the message starts `parkctl:` as every other one does.
    @Test func aStrayURLIsEchoedWithoutItsPassword() throws {
        let cli = try CLI()
        // A huge argument with no @ costs no quadratic time either.
        let huge = try cli.run(["unit", "list", String(repeating: "a://:", count: 25_000)])
        #expect(huge.status == 64, "\(huge.stderr.prefix(200))")
        let out = try cli.run(["unit", "list", "postgresql://u:s3cret-pw@db.example/parks"])
        #expect(out.status == 64, "\(out.stderr)")
        #expect(out.stderr.hasPrefix("parkctl: "), "\(out.stderr)")
        #expect(!out.stderr.contains("s3cret-pw") && out.stderr.contains("postgresql://u:***@db.example"), "\(out.stderr)")
        let word = try cli.run(["unit", "list", "--kind", "castle"])
        #expect(word.status == 64 && word.stderr.hasPrefix("parkctl: The value 'castle' is invalid for '--kind"), "\(word.stderr)")
    }

    /// A search_path from the environment (pg_temp first) does not make the schema look
    /// unmigrated: parkctl's session reads public.
    @Test func aSearchPathFromTheEnvironmentDoesNotHideTheSchema() throws {
        let cli = try CLI()
        try cli.portfolio()
        let out = try cli.run(["unit", "list"], environment: ["PGOPTIONS": "-c search_path=pg_temp"])
        #expect(out.status == 0 && out.stdout.contains("0301"), "\(out.stderr)")
    }

    /// A park's zone is a named one: a POSIX rule could move its "today" by a week.
    @Test func aParkTimeZoneIsANamedZone() throws {
        let cli = try CLI()
        try cli.portfolio()
        for zone in ["XXX-167", "posix/Asia/Shanghai", "Posix/Asia/Shanghai", "UTC+8", "Asia/Atlantis", "Asia/Shanghai-167",
                     "Etc/X+167", "Abc/Def167", "Etc/GMT+15"] {
            let error = #expect(throws: PostgresError.self, "\(zone)") {
                try cli.db.connection.execute("UPDATE park SET time_zone = \(zone) WHERE code = 'SW'")
            }
            #expect(error?.constraint == "park_time_zone_known", "\(zone)")
        }
        for zone in ["America/Argentina/Buenos_Aires", "Etc/GMT-8", "UTC", "America/Port-au-Prince"] {
            try cli.db.connection.execute("UPDATE park SET time_zone = \(zone) WHERE code = 'SW'")
        }
        try cli.db.connection.execute("UPDATE park SET time_zone = 'Asia/Urumqi' WHERE code = 'SW'")
        let today: CalendarDate = try cli.db.connection.query("SELECT park_today(id) FROM park WHERE code = 'SW'").rows[0].decode(0)
        let expected: CalendarDate = try cli.db.connection.query("SELECT (now() AT TIME ZONE 'Asia/Urumqi')::date").rows[0].decode(0)
        #expect(today == expected)
    }
}
