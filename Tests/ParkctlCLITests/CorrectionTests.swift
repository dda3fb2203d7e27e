import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 14, section 1: correcting the portfolio (`park|building|unit set`) and
/// removing what was entered by mistake (`… remove`), audited, in one transaction.
@Suite struct CorrectionTests {
    /// The portfolio (SW/B1 with 0301 256.50 m² and 0302 1200 m²) and a lease of 0301.
    func setUp() throws -> (CLI, lease: String) {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--on", "2024-12-01"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW", "--on", "2024-12-02"])
        let lease = try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01",
                                "--end", "2028-12-31", "--rent", "40"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return (cli, lease)
    }

    func refused(_ cli: CLI, _ args: [String], status: Int32 = 65, saying text: String) throws {
        let before = try cli.db.connection.tableChecksums()
        let out = try cli.run(args)
        #expect(out.status == status, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
        #expect(out.stderr.contains(text), "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before, "parkctl \(args.joined(separator: " ")) changed the database")
    }

    @Test func parkAndBuildingSetChangeOnlyWhatDiffers() throws {
        let (cli, _) = try setUp()
        #expect(try cli.ok(["park", "set", "SW", "--name", "软件产业园", "--industries", "software,ai,telecom_5g"])
                == "park SW: changed name, industries\n")
        #expect(try cli.ok(["park", "set", "SW", "--name", "软件产业园"]) == "park SW has these values already; nothing changed\n")
        let park = try #require(try cli.json(["park", "show", "SW"]) as? [String: Any])
        #expect(park["name"] as? String == "软件产业园")
        try refused(cli, ["park", "set", "SW", "--industries", "software,5G"], saying: "industry '5G' is not valid")
        try refused(cli, ["park", "set", "ZZ", "--name", "x"], saying: "park 'ZZ' not found")
        try refused(cli, ["park", "set", "SW"], status: 64, saying: "give at least one of --name")

        #expect(try cli.ok(["building", "set", "SW/B1", "--floors", "14", "--floors-below", "1"]) == "building SW/B1: changed floors_above, floors_below\n")
        // Floors that would leave a unit outside the building: the database names the unit.
        try refused(cli, ["building", "set", "SW/B1", "--floors", "2"],
                    saying: "building B1 has unit 0301 on floor 3, outside floors -1 to 2 (move or remove the unit first)")
        try refused(cli, ["building", "set", "SW/B1", "--floors", "0"], saying: "floors must be 1-200, not 0")
        // The audit trail keeps what was replaced.
        let audit = try cli.ok(["audit", "--entity", "building", "--format", "csv"])
        #expect(audit.contains("floors_above: 12 → 14; floors_below: 0 → 1"), "\(audit)")
    }

    @Test func aLeasedUnitsAreaChangesOnlyWithAReasonAndItsOldVersionIsKept() throws {
        let (cli, lease) = try setUp()
        try refused(cli, ["unit", "set", "SW/B1/0301", "--area", "265.80"],
                    saying: "unit SW/B1/0301 is held by lease \(lease) of 博思软件: changing its area to 265.8 m² changes that lease's rent")
        // The list rent, or the same area, needs no reason.
        #expect(try cli.ok(["unit", "set", "SW/B1/0301", "--list-rent", "42", "--area", "256.50"]) == "unit SW/B1/0301: changed list_rent\n")
        #expect(try cli.ok(["unit", "set", "SW/B1/0301", "--area", "265.80", "--reason", "复测面积"]) == "unit SW/B1/0301: changed area_m2\n")
        // The lease's rent follows: 265.80 m² × 40 元 = 10632.00 a month.
        let shown = try #require(try cli.json(["lease", "show", lease]) as? [String: Any])
        #expect((shown["area_m2"] as? NSNumber)?.decimalValue == Decimal(string: "265.8"))
        // The reason is kept beside the change, and the version replaced in the unit's history.
        let audit = try #require(try cli.json(["audit", "--entity", "unit"]) as? [[String: Any]])
        let change = try #require(audit.last)
        #expect(change["changes"] as? String == "area_m2: 256.50 → 265.80" && change["reason"] as? String == "复测面积")
        let history = try cli.db.connection.query("""
            SELECT h.area_m2::text, h.list_rent::text, upper(h.sys_period) IS NOT NULL FROM unit_history h JOIN unit u ON u.id = h.id
            WHERE u.code = '0301' ORDER BY lower(h.sys_period)
            """).rows.map { "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String.self)) \(try $0.decode(2, as: Bool.self))" }
        #expect(history == ["256.50 38.00 true", "256.50 42.00 true"])
        // A lease that ended holds the unit's area in its schedule too.
        try cli.ok(["lease", "terminate", lease, "--on", "2026-06-30", "--reason", "提前退租"])
        try refused(cli, ["unit", "set", "SW/B1/0301", "--area", "270"], saying: "unit SW/B1/0301 was held by lease \(lease) of 博思软件")
        // A vacant unit changes without a reason; a bad value changes nothing.
        #expect(try cli.ok(["unit", "set", "SW/B1/0302", "--kind", "showroom", "--floor", "5"]).contains("changed kind, floor"))
        try refused(cli, ["unit", "set", "SW/B1/0302", "--area", "0"], saying: "area must be more than 0")
        try refused(cli, ["unit", "set", "SW/B1/0302", "--floor", "-3"], saying: "floor -3 is not in building SW/B1, which has floors 1…12")
        try refused(cli, ["unit", "set", "SW/B1/0302", "--kind", "castle"], status: 64, saying: "unit kind 'castle' is not one of")
    }

    @Test func reportsAsRecordedUseTheUnitsAsTheyWere() throws {
        let (cli, _) = try setUp()
        // Pretend the portfolio was recorded on 2026-06-01; then the area is corrected now.
        try cli.db.connection.simpleQuery("""
            ALTER TABLE unit DISABLE TRIGGER unit_keep_history;
            UPDATE unit SET sys_period = tstzrange('2026-06-01 09:00+08', NULL), created_at = '2026-06-01 09:00+08';
            ALTER TABLE unit ENABLE TRIGGER unit_keep_history;
            UPDATE lease SET sys_period = tstzrange('2026-06-01 09:00+08', NULL);
            UPDATE lease_unit SET sys_period = tstzrange('2026-06-01 09:00+08', NULL);
            """)
        try cli.ok(["unit", "set", "SW/B1/0302", "--area", "1000", "--reason", "分割"])
        func total(_ extra: [String]) throws -> [String: Any] {
            try #require((try cli.json(["report", "occupancy", "--as-of", "2026-07-01"] + extra) as? [[String: Any]])?.last)
        }
        // Now: 256.50 + 1000 = 1256.50 m²; as recorded on 2026-06-15: 256.50 + 1200 = 1456.50 m².
        #expect((try total([])["area_total_m2"] as? NSNumber)?.decimalValue == Decimal(string: "1256.5"))
        #expect((try total(["--as-recorded", "2026-06-15"])["area_total_m2"] as? NSNumber)?.decimalValue == Decimal(string: "1456.5"))
        // Before the units were recorded: nothing, and a note that says why.
        #expect((try total(["--as-recorded", "2026-05-31"])["units_total"] as? NSNumber) == 0)
        let early = try cli.run(["report", "occupancy", "--as-recorded", "2026-05-31"])
        #expect(early.status == 0 && early.stderr.contains("nothing was recorded by the end of 2026-05-31 (the first unit was recorded on 2026-06-01)"),
                "\(early.stderr)")
        #expect(try cli.run(["report", "occupancy", "--as-recorded", "2026-06-15"]).stderr.isEmpty)
    }

    @Test func onlyWhatNothingNamesCanBeRemoved() throws {
        let (cli, lease) = try setUp()
        try cli.ok(["ticket", "open", "--tenant", "博思软件", "--unit", "SW/B1/0301", "--category", "repair", "--title", "漏水"])
        try refused(cli, ["unit", "remove", "SW/B1/0301"],
                    saying: "unit SW/B1/0301 cannot be removed: lease \(lease) and ticket T-")
        try refused(cli, ["building", "remove", "SW/B1"], saying: "building SW/B1 cannot be removed: it holds units SW/B1/0301 and SW/B1/0302")
        try refused(cli, ["park", "remove", "SW"], saying: "park SW cannot be removed: it holds building SW/B1, ")
        // A cancelled lease still names its unit.
        try cli.ok(["unit", "add", "SW/B1/0303", "--floor", "3", "--area", "100", "--kind", "office", "--list-rent", "30"])
        let draft = try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0303", "--start", "2027-01-01",
                                "--end", "2027-12-31", "--rent", "30"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.ok(["lease", "cancel", draft, "--reason", "录错"])
        try refused(cli, ["unit", "remove", "SW/B1/0303"], saying: "lease \(draft) named it")

        try cli.ok(["unit", "remove", "SW/B1/0302"])
        #expect(try cli.run(["unit", "show", "SW/B1/0302"]).status == 65)
        let audit = try #require(try cli.json(["audit", "--entity", "unit"]) as? [[String: Any]])
        #expect(audit.last?["action"] as? String == "delete" && audit.last?["label"] as? String == "SW/B1/0302")

        try cli.ok(["building", "add", "SW/B9", "--name", "错录", "--floors", "3"])
        try cli.ok(["building", "remove", "SW/B9"])
        try cli.ok(["park", "add", "--code", "XX", "--name", "错录园区", "--kind", "mixed"])
        try cli.ok(["calendar", "add-holiday", "2027-01-04", "--park", "XX", "--name", "园区假日"])
        #expect(try cli.ok(["park", "remove", "XX"]) == "removed park XX\n")
        #expect(try cli.run(["park", "show", "XX"]).status == 65)
    }

    @Test func aScopedAdminMayCorrectItsParksButRemoveNoPark() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let admin = "sw_admin_\(suffix)", leasing = "sw_leasing_\(suffix)"
        for (login, role) in [(admin, "admin"), (leasing, "leasing")] {
            let out = try cli.run(["staff", "add", login, "--role", role, "--parks", "SW", "--password-stdin"], input: "correct horse 1")
            #expect(out.status == 0, "\(out.stderr)")
        }
        func run(_ login: String, _ args: [String]) throws -> ProcessRunner.Output {
            try cli.run(args + ["--user", login], environment: ["PGPASSWORD": "correct horse 1"])
        }
        #expect(try run(admin, ["park", "set", "SW", "--address", "衡阳市雁峰区"]).status == 0)
        try cli.ok(["park", "add", "--code", "XX", "--name", "空园区", "--kind", "mixed"])
        // Outside its scope a park does not exist; inside, removing one is for admins of every park.
        #expect(try run(admin, ["park", "set", "EC", "--name", "x"]).stderr.contains("park 'EC' not found"))
        try cli.db.connection.execute("UPDATE staff SET park_ids = park_ids || (SELECT id FROM park WHERE code = 'XX') WHERE name = \(admin)")
        // parkctl names the login that holds it; the database would not let the admin remove it anyway.
        let removal = try run(admin, ["park", "remove", "XX"])
        #expect(removal.status == 65 && removal.stderr.contains("it holds the staff login \(admin)"), "\(removal.stderr)")
        let asAdmin = try Connection(cli.db.conninfo + " user=\(admin) password='correct horse 1'")
        defer { asAdmin.close() }
        #expect(try asAdmin.query("SELECT count(*) FROM park WHERE code = 'XX'").rows[0].decode(0, as: Int.self) == 1)
        #expect(try asAdmin.execute("DELETE FROM park WHERE code = 'XX'") == 0)
        #expect(try cli.ok(["park", "show", "XX"]).contains("空园区"))
        let unitSet = try run(leasing, ["unit", "set", "SW/B1/0303", "--list-rent", "1"])
        #expect(unitSet.status == 77, "\(unitSet.stderr)")
    }

    @Test func aTickEnteredByMistakeIsUndoneWithAReasonAndKept() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--on", "2024-12-01"])
        #expect(try cli.ok(["tenant", "check", "博思软件", "--park", "SW", "--item", "deposit_paid", "--note", "转账"]).contains("checked"))
        #expect(try cli.ok(["tenant", "uncheck", "博思软件", "--park", "SW", "--item", "deposit_paid", "--reason", "押金未到账"])
                == "unchecked deposit_paid (押金)\n")
        #expect(try cli.ok(["tenant", "uncheck", "博思软件", "--park", "SW", "--item", "押金", "--reason", "again"])
                == "deposit_paid was not checked; nothing changed\n")
        // The checklist shows it open again, the undone tick is kept, and it can be ticked again.
        let shown = try #require(try cli.json(["tenant", "show", "博思软件"]) as? [String: Any])
        let checklist = try #require(((shown["applications"] as? [[String: Any]])?.first)?["checklist"] as? [[String: Any]])
        #expect(checklist.first { $0["item"] as? String == "deposit_paid" }?["done_at"] is NSNull)
        let unchecked = try #require(((shown["applications"] as? [[String: Any]])?.first)?["unchecked"] as? [[String: Any]])
        #expect(unchecked.map { $0["item"] as? String } == ["deposit_paid"] && unchecked.first?["reason"] as? String == "押金未到账")
        let kept = try cli.db.connection.query("SELECT item, done_by, note, undone_by, reason FROM onboarding_check_undone").rows
        #expect(kept.count == 1)
        #expect(try kept[0].decode("note", as: String?.self) == "转账" && kept[0].decode("reason", as: String.self) == "押金未到账")
        #expect(try kept[0].decode("undone_by", as: String.self) == "cli-tester")
        #expect(try cli.ok(["audit", "--entity", "onboarding_check_undone"]).contains("deposit_paid"))
        try cli.ok(["tenant", "check", "博思软件", "--park", "SW", "--item", "deposit_paid"])
        try refused(cli, ["tenant", "uncheck", "博思软件", "--park", "SW", "--item", "deposit_paid", "--reason", " "],
                    saying: "reason must not be empty")

        // After the move-in a tick stays.
        for item in ["business_license", "fire_safety", "fit_out_plan", "keys_handed"] {
            try cli.ok(["tenant", "check", "博思软件", "--park", "SW", "--item", item])
        }
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW", "--on", "2024-12-02"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2025-01-01", "--end", "2027-12-31", "--rent", "40"])
        try cli.ok(["tenant", "move-in", "博思软件", "--park", "SW", "--on", "2025-01-02"])
        try refused(cli, ["tenant", "uncheck", "博思软件", "--park", "SW", "--item", "keys_handed", "--reason", "x"],
                    saying: "a tick cannot be undone after the move-in")
        // Staff can still not rewrite the record directly.
        #expect(try cli.db.connection.query("""
            SELECT has_table_privilege('parkctl_leasing', 'onboarding_check', 'DELETE')
                OR has_table_privilege('parkctl_leasing', 'onboarding_check_undone', 'INSERT')
                OR has_table_privilege('parkctl_admin', 'onboarding_check_undone', 'UPDATE')
            """).rows[0].decode(0, as: Bool.self) == false)
    }
}
