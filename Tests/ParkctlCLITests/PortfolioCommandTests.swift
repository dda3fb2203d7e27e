import Foundation
import Postgres
import Testing
import TestSupport

/// Runs parkctl against one test database.
struct CLI {
    let db: TestDatabase

    init() throws { db = try TestDatabase() }

    func run(_ args: [String], actor: String = "cli-tester", environment: [String: String] = [:],
             input: String = "") throws -> ProcessRunner.Output {
        try Parkctl.run(args + ["--database-url", db.conninfo], environment: ["PARKCTL_ACTOR": actor].merging(environment) { $1 },
                        input: input)
    }

    /// Runs and expects success.
    @discardableResult
    func ok(_ args: [String], actor: String = "cli-tester") throws -> String {
        let out = try run(args, actor: actor)
        #expect(out.status == 0, "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        return out.stdout
    }

    func json(_ args: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try ok(args + ["--format", "json"]).utf8))
    }

    func portfolio() throws {
        try ok(["park", "add", "--code", "SW", "--name", "湘南湘西软件产业园", "--kind", "software", "--industries", "software,internet,ai"])
        try ok(["building", "add", "SW/B1", "--name", "1号楼", "--floors", "12", "--delivered", "2020-10-28"])
        try ok(["unit", "add", "SW/B1/0301", "--floor", "3", "--area", "256.50", "--kind", "office", "--list-rent", "38.00"])
        try ok(["unit", "add", "SW/B1/0302", "--floor", "3", "--area", "1200", "--kind", "office", "--list-rent", "36.5"])
    }
}

import ParkCore

@Suite struct PortfolioCommandTests {
    @Test func unitsInAllThreeFormats() throws {
        let cli = try CLI()
        try cli.portfolio()
        let units = try #require(try cli.json(["unit", "list", "--building", "SW/B1"]) as? [[String: Any]])
        #expect(units.count == 2)
        #expect(units[0]["code"] as? String == "SW/B1/0301")
        #expect(units[0]["park"] as? String == "SW")
        #expect(units[0]["building"] as? String == "B1")
        #expect(units[0]["floor"] as? Int == 3)
        #expect((units[0]["area_m2"] as? NSNumber)?.decimalValue == Decimal(string: "256.5"))
        #expect(units[0]["kind"] as? String == "office")
        #expect((units[1]["list_rent"] as? NSNumber)?.decimalValue == Decimal(string: "36.5"))
        // Numbers keep two decimals in the text itself.
        #expect(try cli.ok(["unit", "list", "--format", "json"]).contains("\"area_m2\": 256.50"))

        let csv = try cli.ok(["unit", "list", "--park", "SW", "--format", "csv"]).split(separator: "\r\n").map(String.init)
        #expect(csv[0] == "code,park,building,floor,area_m2,kind,list_rent,off_market,off_market_reason,status,fitting_out,lease,tenant,as_of")
        #expect(csv[1].hasPrefix("SW/B1/0301,SW,B1,3,256.50,office,38.00,false,,vacant,false,,,"))
        #expect(csv.count == 3)

        let table = try cli.ok(["unit", "list"]).split(separator: "\n").map(String.init)
        #expect(table[0].hasPrefix("code"))
        #expect(table[2].contains("256.50") && table[3].contains("1200.00"))

        let one = try #require(try cli.json(["unit", "show", "SW/B1/0302"]) as? [String: Any])
        #expect(one["code"] as? String == "SW/B1/0302")
    }

    @Test func parksAlignCJKNamesByDisplayWidth() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["park", "add", "--code", "EC", "--name", "电商园", "--kind", "ecommerce"])
        try cli.ok(["park", "add", "--code", "MF", "--name", "Mangrove 红树林 factories", "--kind", "factory"])
        let lines = try cli.ok(["park", "list"]).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        // The column after the name starts at the same display column on every line.
        func displayColumn(of needle: String, in line: String) -> Int? {
            guard let r = line.range(of: needle) else { return nil }
            return String(line[..<r.lowerBound]).unicodeScalars.reduce(0) { width, s in
                width + ((0x2E80...0x9FFF).contains(s.value) || (0xFF00...0xFF60).contains(s.value) ? 2 : 1)
            }
        }
        let kinds = [("kind", 0), ("ecommerce", 2), ("factory", 3), ("software", 4)]
        let columns = kinds.compactMap { displayColumn(of: $0.0, in: lines[$0.1]) }
        #expect(columns.count == 4)
        #expect(Set(columns).count == 1, "\(lines.joined(separator: "\n"))")

        let parks = try #require(try cli.json(["park", "list"]) as? [[String: Any]])
        #expect(parks.map { $0["code"] as? String } == ["EC", "MF", "SW"])
        #expect(parks[2]["industries"] as? [String] == ["software", "internet", "ai"])
        #expect(parks[2]["name"] as? String == "湘南湘西软件产业园")
        let show = try #require(try cli.json(["park", "show", "SW"]) as? [String: Any])
        #expect((show["building_list"] as? [[String: Any]])?.first?["code"] as? String == "SW/B1")
        let csv = try cli.ok(["park", "list", "--format", "csv"])
        #expect(csv.hasPrefix("code,name,kind,industries,"))
        #expect(csv.contains("SW,湘南湘西软件产业园,software,\"software,internet,ai\","))
    }

    @Test func badInputExits65NamingFieldValueAndRuleAndChangesNothing() throws {
        let cli = try CLI()
        try cli.portfolio()
        let before = try cli.ok(["audit", "--format", "csv"])
        let cases: [([String], String)] = [
            (["unit", "add", "SW/B1/0303", "--floor", "3", "--area=-5", "--kind", "office", "--list-rent", "1"], "area must be more than 0, not -5"),
            (["unit", "add", "SW/B1/0303", "--floor", "3", "--area", "1e3", "--kind", "office", "--list-rent", "1"], "area '1e3'"),
            (["unit", "add", "SW/B1/0303", "--floor", "3", "--area", "NaN", "--kind", "office", "--list-rent", "1"], "area 'NaN'"),
            (["unit", "add", "SW/B1/0303", "--floor", "13", "--area", "10", "--kind", "office", "--list-rent", "1"], "floor 13"),
            (["unit", "add", "SW/B1/0301", "--floor", "3", "--area", "10", "--kind", "office", "--list-rent", "1"], "SW/B1/0301 exists already"),
            (["unit", "add", "SW/B9/0101", "--floor", "1", "--area", "10", "--kind", "office", "--list-rent", "1"], "building 'SW/B9' not found"),
            (["unit", "add", "SW-B1-0101", "--floor", "1", "--area", "10", "--kind", "office", "--list-rent", "1"], "PARK/BUILDING/UNIT"),
            (["unit", "show", "XX/B1/0101"], "park 'XX' not found"),
            (["park", "add", "--code", "SW", "--name", "x", "--kind", "software"], "湘南湘西软件产业园"),
            (["park", "add", "--code", "ec", "--name", "x", "--kind", "software"], "park code 'ec'"),
            (["building", "add", "SW/B2", "--name", "x", "--floors", "3", "--delivered", "2026-02-30"], "delivered '2026-02-30'"),
            (["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y44", "--industry", "software",
              "--contact", "陈静", "--phone", "0591-87500103"], "18th would be '3'"),
            (["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100m000100Y43", "--industry", "software",
              "--contact", "陈静", "--phone", "0591-87500103"], "lower case"),
            (["tenant", "show", "91350100M000100Y43"], "not found"),
        ]
        for (args, expected) in cases {
            let out = try cli.run(args)
            #expect(out.status == 65, "\(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(expected), "\(args.joined(separator: " ")): \(out.stderr)")
            #expect(out.stdout.isEmpty)
        }
        // A word outside a vocabulary is a usage error (issue 15, section 3: exit 64).
        let words: [([String], String)] = [
            (["unit", "add", "SW/B1/0303", "--floor", "3", "--area", "10", "--kind", "castle", "--list-rent", "1"], "unit kind 'castle'"),
            (["park", "add", "--code", "EC", "--name", "x", "--kind", "farm"], "park kind 'farm'"),
        ]
        for (args, expected) in words {
            let out = try cli.run(args)
            #expect(out.status == 64, "\(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(expected), "\(args.joined(separator: " ")): \(out.stderr)")
            #expect(out.stdout.isEmpty)
        }
        #expect(try cli.ok(["audit", "--format", "csv"]) == before)
    }

    @Test func offMarketAndOnMarket() throws {
        let cli = try CLI()
        try cli.portfolio()
        #expect(try cli.ok(["unit", "off-market", "SW/B1/0301", "--reason", "屋面维修"]).contains("off the market: 屋面维修"))
        let unit = try #require(try cli.json(["unit", "show", "SW/B1/0301"]) as? [String: Any])
        #expect(unit["off_market"] as? Bool == true)
        #expect(unit["off_market_reason"] as? String == "屋面维修")
        try cli.ok(["unit", "on-market", "SW/B1/0301"])
        let back = try #require(try cli.json(["unit", "show", "SW/B1/0301"]) as? [String: Any])
        #expect(back["off_market_reason"] is NSNull)
    }
}

@Suite struct TenantCommandTests {
    @Test func fromApplicationToApprovalWithChecklistAndAudit() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "腾讯数字乡村总部", "--credit-code", "91440300708461136T",
                    "--industry", "internet", "--contact", "李明", "--phone", "0734-8100101", "--wanted-area", "500"], actor: "王经理")
        #expect(try cli.ok(["tenant", "check", "91440300708461136T", "--park", "SW", "--item", "business_license"]).contains("营业执照"))
        #expect(try cli.ok(["tenant", "check", "91440300708461136T", "--park", "SW", "--item", "business_license"]).contains("nothing changed"))
        let bad = try cli.run(["tenant", "check", "91440300708461136T", "--park", "SW", "--item", "passport"])
        #expect(bad.status == 64 && bad.stderr.contains("checklist item 'passport'"))
        try cli.ok(["tenant", "approve", "91440300708461136T", "--park", "SW"], actor: "李总")

        let list = try #require(try cli.json(["tenant", "list", "--park", "SW"]) as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list[0]["name"] as? String == "腾讯数字乡村总部")
        #expect(list[0]["credit_code"] as? String == "91440300708461136T")
        #expect(list[0]["industry"] as? String == "internet")
        #expect(list[0]["contact"] as? String == "李明")
        #expect(list[0]["phone"] as? String == "0734-8100101")
        #expect(list[0]["stage"] as? String == "approved")
        #expect(try (cli.json(["tenant", "list", "--stage", "applied"]) as? [Any])?.isEmpty == true)
        let csv = try cli.ok(["tenant", "list", "--format", "csv"])
        #expect(csv.hasPrefix("name,short_name,credit_code,industry,contact,phone,email,park,stage"))

        let show = try #require(try cli.json(["tenant", "show", "91440300708461136T"]) as? [String: Any])
        let application = try #require((show["applications"] as? [[String: Any]])?.first)
        #expect(application["stage"] as? String == "approved")
        let timeline = try #require(application["timeline"] as? [[String: Any]])
        #expect(timeline.map { $0["to"] as? String } == ["applied", "approved"])
        #expect(timeline.map { $0["actor"] as? String } == ["王经理", "李总"])
        let checklist = try #require(application["checklist"] as? [[String: Any]])
        #expect(checklist.filter { $0["done"] as? Bool == true }.map { $0["item"] as? String } == ["business_license"])
        #expect(try cli.ok(["tenant", "show", "91440300708461136T"]).contains("营业执照"))

        let audit = try #require(try cli.json(["audit", "--entity", "onboarding"]) as? [[String: Any]])
        #expect(audit.map { $0["actor"] as? String } == ["王经理", "李总"])
        #expect(audit.last?["changes"] as? String == "stage: applied → approved")
    }

    @Test func positioningMismatchNeedsOverride() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "湘味餐饮管理", "--credit-code", "91430400MA4000107N",
                    "--industry", "catering", "--contact", "周强", "--phone", "0734-8100107"])
        let refused = try cli.run(["tenant", "approve", "91430400MA4000107N", "--park", "SW"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("'catering' is not in SW's positioning"))
        let stage = try #require(try cli.json(["tenant", "list"]) as? [[String: Any]])
        #expect(stage.first?["stage"] as? String == "applied")
        #expect(try cli.ok(["tenant", "approve", "91430400MA4000107N", "--park", "SW", "--override", "园区食堂配套"]).contains("override: 园区食堂配套"))
        let illegal = try cli.run(["tenant", "reject", "91430400MA4000107N", "--park", "SW", "--reason", "x"])
        #expect(illegal.status == 0)   // approved → rejected is allowed (withdrawn before signing)
        let closed = try cli.run(["tenant", "approve", "91430400MA4000107N", "--park", "SW"])
        #expect(closed.status == 65 && closed.stderr.contains("the application is rejected"))
    }

    @Test func theDemoLoadsOnceThroughTheCLI() throws {
        let cli = try CLI()
        let first = try cli.ok(["demo"])
        #expect(first.contains("loaded the demo portfolio"))
        let auditCount = try cli.ok(["audit", "--limit", "100000", "--format", "csv"]).count
        let second = try cli.ok(["demo"])
        #expect(second.contains("nothing changed"))
        #expect(try cli.ok(["audit", "--limit", "100000", "--format", "csv"]).count == auditCount)
        let rooms = try #require(try cli.json(["unit", "list", "--park", "EC", "--kind", "live_room"]) as? [Any])
        #expect(rooms.count == 100)
        #expect(try cli.ok(["tenant", "list", "--park", "EC"]).contains("鲸灵集团"))
    }

    /// Negative numbers reach the rules (ArgumentParser took them for options and said
    /// "Missing value"): a floor below ground is accepted, a negative rent is refused as such.
    @Test func negativeNumbersAndDashedNamesAreValues() throws {
        let cli = try CLI()
        try cli.ok(["park", "add", "--code", "SW", "--name", "软件园", "--kind", "software"])
        try cli.ok(["building", "add", "SW/B1", "--name", "1号楼", "--floors", "12", "--floors-below", "2"])
        #expect(try cli.ok(["unit", "add", "SW/B1/B101", "--floor", "-1", "--area", "80", "--kind", "warehouse", "--list-rent", "10"])
                .contains("floor -1"))
        let rent = try cli.run(["unit", "add", "SW/B1/0101", "--floor", "1", "--area", "80", "--kind", "office", "--list-rent", "-5"])
        #expect(rent.status == 65 && rent.stderr.contains("list rent must be 0 or more, not -5"), "\(rent.stderr)")
        let area = try cli.run(["unit", "add", "SW/B1/0102", "--floor", "1", "--area", "-80", "--kind", "office", "--list-rent", "5"])
        #expect(area.status == 65 && area.stderr.contains("must be more than 0, not -80"), "\(area.stderr)")
        let dashed = try cli.run(["tenant", "apply", "--park", "SW", "--name", "-减号公司", "--credit-code", "91350100M000100Y43",
                                  "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        #expect(dashed.status == 0, "\(dashed.stderr)")
    }
}
