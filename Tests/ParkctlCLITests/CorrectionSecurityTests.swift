import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// The attacks a hostile review made on issue 14's changes; each failed before its fix.
@Suite struct CorrectionSecurityTests {
    static let password = "correct horse 1"

    /// The demo, and a login of `role` scoped to SW.
    func setUp(_ role: String) throws -> (StaffScopeTests.Staff, String) {
        let staff = try StaffScopeTests.Staff()
        return (staff, try staff.add("sw_\(role)", role: role, parks: "SW"))
    }

    func login(_ staff: StaffScopeTests.Staff, _ name: String) throws -> Connection {
        try Connection(staff.cli.db.conninfo + " user=\(name) password='\(Self.password)'")
    }

    @Test func aTenantWithoutAnApplicationIsNoScopedLoginsToFindOrChange() throws {
        let (staff, viewer) = try setUp("viewer")
        let leasing = try staff.add("sw_leasing", role: "leasing", parks: "SW")
        let code = CreditCode.make("91330100MA4000301")!
        let out = try staff.cli.run(["import", "tenants", "-"], input: "name,credit_code,industry,contact,phone\n机密并购目标公司,\(code),ecommerce,秘密联系人,13900000000\n")
        #expect(out.status == 0, "\(out.stderr)")
        try staff.refused(viewer, ["tenant", "show", "机密并购目标公司"], status: 65, saying: "tenant named '机密并购目标公司' not found")
        let suggestion = try staff.run(viewer, ["lease", "list", "--tenant", "机密"])
        #expect(suggestion.status == 65 && !suggestion.stderr.contains("机密并购目标公司"), "\(suggestion.stderr)")
        try staff.refused(leasing, ["tenant", "update", code, "--contact", "X"], status: 65, saying: "not found")
        #expect(try staff.ok(viewer, ["tenant", "list", "--name", "机密"]) == "(none)\n")
        // Staff of every park, and the owner, still find it.
        #expect(try staff.cli.ok(["tenant", "show", "机密并购目标公司"]).contains("秘密联系人"))
    }

    @Test func aScopedLoginCannotRenameATenantOtherParksKnow() throws {
        let (staff, leasing) = try setUp("leasing")
        // 光云科技 is EC's; SW's leasing agent joins it to SW with its exact name.
        try staff.ok(leasing, ["tenant", "apply", "--park", "SW", "--name", "光云科技", "--credit-code", StaffScopeTests.ecTenant,
                               "--industry", "software", "--contact", "吴磊", "--phone", "0571-8800201"])
        try staff.refused(leasing, ["tenant", "update", "光云科技", "--name", "光云科技被改名"], status: 77,
                          saying: "other parks know \(StaffScopeTests.ecTenant) by its registered name")
        #expect(try staff.ok(leasing, ["tenant", "update", "光云科技", "--phone", "0571-8800999"]).contains("changed phone"))
    }

    @Test func displayNamesCannotImitateOtherStaffNorCrossParks() throws {
        let (staff, service) = try setUp("service")
        let ec = try staff.add("ec_leasing", role: "leasing", parks: "EC")
        try staff.cli.ok(["staff", "set", ec, "--display-name", "陈大文"])
        for bad in ["园区总经理 (admin)", "a\u{200B}b", ec.uppercased()] {
            let out = try staff.cli.run(["staff", "set", service, "--display-name", bad])
            #expect(out.status == 65, "\(bad): \(out.stderr)")
        }
        // The actor stays the login; a scoped login sees no display name of staff outside its parks.
        let conn = try login(staff, service)
        defer { conn.close() }
        #expect(try conn.query("SELECT parkctl_actor_name(\(ec))").rows[0].decode(0, as: String?.self) == nil)
        #expect(try staff.cli.db.connection.query("SELECT parkctl_actor_name(\(ec))").rows[0].decode(0, as: String?.self) == "陈大文")
    }

    @Test func uncheckTellsNothingOfAnotherParksApplications() throws {
        let (staff, leasing) = try setUp("leasing")
        let ecApplication: Int = try staff.cli.db.connection.query("""
            SELECT o.id FROM onboarding o JOIN park p ON p.id = o.park_id WHERE p.code = 'EC' LIMIT 1
            """).rows[0].decode(0)
        let conn = try login(staff, leasing)
        defer { conn.close() }
        for id in [ecApplication, 99_999_999] {
            let error = #expect(throws: PostgresError.self) { try conn.query("SELECT parkctl_uncheck(\(id), 'business_license', 'x')") }
            #expect(error?.message == "no application \(id)")
        }
    }

    @Test func importUpdateKeepsTheRulesOfTheCommands() throws {
        let (staff, _) = try setUp("viewer")
        let before = try staff.cli.db.connection.tableChecksums()
        let header = "park,building,unit,floor,area_m2,kind,list_rent,off_market_reason\n"
        // A key twice in the file: refused in a dry run and a real one alike.
        let twice = header + "SW,B1,0101,1,486.20,showroom,40.00,\nSW,B1,0101,1,486.20,showroom,1.00,\n"
        for extra in [["--dry-run"], []] {
            let out = try staff.cli.run(["import", "units", "-", "--update"] + extra, input: twice)
            #expect(out.status == 65 && out.stderr.contains("the same unit is on line 2"), "\(out.stderr)")
        }
        // A leased unit stays on the market (SW/B1/0301 is leased in the demo).
        let off = header + "SW,B1,0301,3,486.20,office,38.00,维修\n"
        let out = try staff.cli.run(["import", "units", "-", "--update"], input: off)
        #expect(out.status == 65 && out.stderr.contains("it can go off the market once no lease holds it"), "\(out.stderr)")
        #expect(try staff.cli.db.connection.tableChecksums() == before)
    }

    @Test func aUnitAddedWhileItsBuildingShrinksWaitsForIt() throws {
        let cli = try CLI()
        try cli.portfolio()
        let shrinking = try Connection(cli.db.conninfo)
        defer { shrinking.close() }
        try shrinking.simpleQuery("BEGIN; UPDATE building SET floors_above = 5 WHERE code = 'B1'")   // units stand on floor 3
        let adding = try Connection(cli.db.conninfo)
        defer { adding.close() }
        try adding.simpleQuery("SET lock_timeout = '300ms'")
        // Before 0015 both passed their checks and a unit stood on floor 9 of a 5-floor building.
        let error = #expect(throws: PostgresError.self) {
            try adding.execute("""
                INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent)
                SELECT park_id, id, '0901', 9, 50, 'office', 30 FROM building WHERE code = 'B1'
                """)
        }
        #expect(error?.sqlState == SQLState("55P03"))
        try shrinking.simpleQuery("ROLLBACK")
    }

    @Test func aReasonIsKeptAsPlainText() throws {
        let cli = try CLI()
        try cli.portfolio()
        _ = try cli.db.connection.transaction(setUp: ["SELECT set_config('parkctl.reason', E'x\\u202E\\u001B[31m', true)"]) { conn in
            try conn.execute("UPDATE unit SET list_rent = 1 WHERE code = '0301'")
        }
        #expect(try cli.db.connection.query("SELECT reason FROM audit_log WHERE reason IS NOT NULL").rows[0].decode(0, as: String.self)
                == "x\\u{202E}\\u{1B}[31m")
    }

    @Test func theDatabaseKeepsTheRulesOfUnitSetAndOffMarket() throws {
        let (staff, _) = try setUp("viewer")
        let conn = staff.cli.db.connection
        // SW/B1/0301 is leased in the demo: psql, passing parkctl by, meets the same rules.
        let area = #expect(throws: PostgresError.self) { try conn.execute("UPDATE unit SET area_m2 = area_m2 + 1 WHERE code = '0301'") }
        #expect(area?.constraint == "unit_leased_change_needs_reason", "\(String(describing: area))")
        let off = #expect(throws: PostgresError.self) { try conn.execute("UPDATE unit SET off_market_reason = '维修' WHERE code = '0301'") }
        #expect(off?.constraint == "unit_leased_stays_on_market")
        // With a reason, the change is made and the reason kept.
        _ = try conn.transaction(setUp: ["SELECT set_config('parkctl.reason', '复测面积', true)"]) { c in
            try c.execute("UPDATE unit u SET area_m2 = area_m2 + 1 FROM building b WHERE b.id = u.building_id AND b.code = 'B1' AND u.code = '0301'")
        }
        #expect(try conn.query("SELECT count(*) FROM audit_log WHERE reason = '复测面积'").rows[0].decode(0, as: Int.self) >= 1)
    }
}

