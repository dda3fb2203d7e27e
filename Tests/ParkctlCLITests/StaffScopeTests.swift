import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Staff logins with a role and a park scope, enforced by PostgreSQL: what each role
/// may do, in its parks and outside them, through every command family.
@Suite struct StaffScopeTests {
    /// A demo database and a way to run parkctl as a member of staff.
    struct Staff {
        let cli: CLI
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        init() throws {
            cli = try CLI()
            try cli.ok(["demo"])
        }

        /// Adds a login (a unique name: roles belong to the whole test cluster) and returns it.
        func add(_ name: String, role: String, parks: String?) throws -> String {
            let login = "\(name)_\(suffix)"
            let scope = parks.map { ["--parks", $0] } ?? ["--all-parks"]
            let out = try cli.run(["staff", "add", login, "--role", role, "--password-stdin"] + scope, input: "correct horse 1")
            #expect(out.status == 0, "\(out.stderr)")
            return login
        }

        func run(_ login: String, _ args: [String], actor: String = "someone-else", input: String = "") throws -> ProcessRunner.Output {
            try cli.run(args + ["--user", login], actor: actor, environment: ["PGPASSWORD": "correct horse 1"], input: input)
        }

        @discardableResult
        func ok(_ login: String, _ args: [String]) throws -> String {
            let out = try run(login, args)
            #expect(out.status == 0, "\(login): parkctl \(args.joined(separator: " ")): \(out.stderr)")
            return out.stdout
        }

        /// Runs a command that must be refused, and checks that nothing changed.
        func refused(_ login: String, _ args: [String], status: Int32, saying text: String, input: String = "") throws {
            let before = try cli.db.connection.tableChecksums()
            let out = try run(login, args, input: input)
            #expect(out.status == status, "\(login): parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(text), "\(out.stderr)")
            #expect(try cli.db.connection.tableChecksums() == before, "parkctl \(args.joined(separator: " ")) changed the database")
        }
    }

    static let swTenant = "91430400MA40001014"   // 腾讯数字乡村总部, SW
    static let ecTenant = "91330100MA4000201K"   // 光云科技, EC

    @Test func leasingStaffSeeAndChangeOnlyTheirParks() throws {
        let staff = try Staff()
        let li = try staff.add("li_lei", role: "leasing", parks: "SW")

        // Reads: only SW, in every command, report and export.
        #expect(try staff.ok(li, ["park", "list", "--format", "csv"]).split(separator: "\r\n").dropFirst().map { $0.prefix(3) } == ["SW,"])
        try staff.refused(li, ["unit", "list", "--park", "EC"], status: 65, saying: "park 'EC' not found (parks: SW)")
        for args in [["tenant", "list", "--format", "csv"], ["lease", "list", "--format", "csv"], ["ticket", "list", "--format", "csv"],
                     ["report", "occupancy", "--format", "csv"], ["report", "rent-roll", "--format", "csv"],
                     ["export", "tenants"], ["export", "leases"], ["export", "units"], ["export", "tickets"], ["export", "audit"],
                     ["audit", "--limit", "100000", "--format", "csv"]] {
            let out = try staff.ok(li, args)
            #expect(!out.contains("EC") && !out.contains("MF") && !out.contains("光云科技"), "\(args): \(out.prefix(300))")
        }
        #expect(try staff.ok(li, ["export", "tenants"]).contains("腾讯数字乡村总部"))
        try staff.refused(li, ["tenant", "show", Self.ecTenant], status: 65, saying: "not found")

        // Writes in SW; the audit trail names the login, whatever --actor says.
        let number = try staff.ok(li, ["lease", "sign", "--tenant", Self.swTenant, "--units", "SW/B1/0101", "--start", "2027-01-01",
                                       "--end", "2028-12-31", "--rent", "40"])
        #expect(number.contains("L-2027-"))
        let actors = try staff.cli.db.connection.query("SELECT DISTINCT actor FROM audit_log WHERE table_name = 'lease' AND label LIKE 'L-2027-%'")
            .rows.map { try $0.decode(0, as: String.self) }
        #expect(actors == [li])

        // Not EC's units, not tickets, not the portfolio.
        try staff.refused(li, ["lease", "sign", "--tenant", Self.swTenant, "--units", "EC/A/103", "--start", "2027-01-01",
                               "--end", "2028-12-31", "--rent", "40"], status: 65, saying: "EC")
        try staff.refused(li, ["ticket", "open", "--tenant", Self.swTenant, "--unit", "SW/B1/0501", "--category", "repair",
                               "--title", "漏水"], status: 77, saying: "not allowed")
        try staff.refused(li, ["unit", "add", "SW/B1/1299", "--floor", "12", "--area", "100", "--kind", "office", "--list-rent", "30"],
                          status: 77, saying: "not allowed")
        try staff.refused(li, ["staff", "add", "x_\(staff.suffix)", "--role", "viewer", "--parks", "SW"], status: 77, saying: "not allowed")
        // Imports obey the same grants and scope.
        try staff.refused(li, ["import", "units", "-"], status: 77, saying: "not allowed",
                          input: "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,1298,12,80,office,30\n")
        let ecTenants = "name,credit_code,industry,contact,phone,park\n新电商,91430400MA4L000012,ecommerce,张三,0734-1234567,EC\n"
        let imported = try staff.run(li, ["import", "tenants", "-"], input: ecTenants)
        #expect(imported.status == 65 && imported.stderr.contains("EC"), "\(imported.stderr)")
        #expect(try staff.cli.db.connection.query("SELECT count(*) FROM tenant WHERE name = '新电商'").rows[0].decode(0, as: Int.self) == 0)
    }

    @Test func serviceAndViewerStaffDoOnlyTheirWork() throws {
        let staff = try Staff()
        let zhao = try staff.add("zhao", role: "service", parks: "EC")
        let wang = try staff.add("wang", role: "viewer", parks: "EC,MF")

        let opened = try staff.ok(zhao, ["ticket", "open", "--tenant", Self.ecTenant, "--category", "network", "--title", "断网"])
        #expect(opened.contains("T-"))
        try staff.refused(zhao, ["ticket", "open", "--tenant", Self.swTenant, "--category", "network", "--title", "断网"],
                          status: 65, saying: "not found")
        try staff.refused(zhao, ["lease", "sign", "--tenant", Self.ecTenant, "--units", "EC/A/103", "--start", "2027-01-01",
                                 "--end", "2028-12-31", "--rent", "40"], status: 77, saying: "not allowed")

        let parks = try staff.ok(wang, ["report", "occupancy", "--format", "csv"])
        #expect(parks.contains("EC") && parks.contains("MF") && !parks.contains("SW"))
        #expect(try staff.ok(wang, ["ticket", "list", "--park", "EC"]).contains("断网"))
        try staff.refused(wang, ["ticket", "open", "--tenant", Self.ecTenant, "--category", "network", "--title", "断网"],
                          status: 77, saying: "not allowed")
        try staff.refused(wang, ["sla", "set", "--category", "repair", "--priority", "high", "--response", "1h"], status: 77,
                          saying: "not allowed")
        try staff.refused(wang, ["calendar", "add-holiday", "2027-10-08", "--park", "EC", "--name", "国庆"], status: 77,
                          saying: "not allowed")
        // Nor replace the group's official arrangement (its Spring Festival made working days).
        try staff.refused(wang, ["calendar", "update", "-"], status: 77, saying: "not allowed",
                          input: "date,kind,name\n2026-02-16,workday,上班\n")
        let number = String(try #require(opened.firstMatch(of: /T-\d{4}-\d{6}/)).output)
        try staff.ok(zhao, ["ticket", "comment", number, "--text", "已联系网络运营商"])
        try staff.refused(wang, ["ticket", "comment", number, "--text", "我来看看"], status: 77, saying: "not allowed")
        try staff.refused(wang, ["tenant", "apply", "--park", "EC", "--name", "新公司", "--credit-code", "91330100MA4000999D",
                                 "--industry", "ecommerce", "--contact", "张三", "--phone", "0734-1234567"], status: 77, saying: "not allowed")
    }

    @Test func adminsAreScopedTooAndTheAuditTrailIsAppendOnly() throws {
        let staff = try Staff()
        let boss = try staff.add("boss", role: "admin", parks: nil)
        let swAdmin = try staff.add("sw_admin", role: "admin", parks: "SW")

        try staff.ok(boss, ["park", "add", "--code", "NP", "--name", "新园区", "--kind", "mixed"])
        try staff.ok(swAdmin, ["unit", "add", "SW/B1/1299", "--floor", "12", "--area", "100", "--kind", "office", "--list-rent", "30"])
        try staff.refused(swAdmin, ["park", "add", "--code", "NQ", "--name", "另一个园区", "--kind", "mixed"], status: 77,
                          saying: "parks are added by admins of every park")
        try staff.refused(swAdmin, ["staff", "add", "ec_\(staff.suffix)", "--role", "viewer", "--parks", "EC"], status: 65, saying: "EC")
        try staff.refused(swAdmin, ["staff", "add", "all_\(staff.suffix)", "--role", "viewer", "--all-parks"], status: 77,
                          saying: "only give staff the parks you have")

        // No staff role, admins included, can change or remove an audit row.
        let conninfo = try ConnectionString.replacing(["user": boss, "password": "correct horse 1"], in: staff.cli.db.conninfo)
        let asBoss = try Connection(conninfo)
        for sql: PostgresQuery in ["DELETE FROM audit_log", "UPDATE audit_log SET actor = 'nobody'", "TRUNCATE audit_log",
                                   "INSERT INTO audit_log (actor, table_name, row_key, action) VALUES ('x', 'park', '1', 'insert')"] {
            let refused144 = #expect(throws: PostgresError.self) { try asBoss.query(sql) }
            #expect(refused144?.sqlState == SQLState("42501"), "\(String(describing: refused144))")
            do { try asBoss.query(sql) } catch let error as PostgresError { #expect(error.sqlState == .insufficientPrivilege, "\(sql)") }
        }
        asBoss.close()

        // Revoked: the login is gone at once, and parkctl says so (not an outage).
        try staff.cli.ok(["staff", "revoke", swAdmin])
        let gone = try staff.run(swAdmin, ["park", "list"])
        #expect(gone.status == 77, "\(gone.stderr)")
        #expect(gone.stderr.contains("the login was revoked"), "\(gone.stderr)")
        let list = try staff.cli.ok(["staff", "list", "--format", "csv"])
        #expect(list.contains("\(swAdmin),,admin,SW,") && list.contains("cli-tester"))   // no display name
    }

    @Test func everyParkTableIsForcedUnderRowLevelSecurity() throws {
        let db = try TestDatabase()
        let unforced: [String] = try db.connection.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND (c.relname IN ('park', 'tenant') OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'park_id'))
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            ORDER BY 1
            """).rows.map { try $0.decode(0) }
        #expect(unforced == [])
    }
}
