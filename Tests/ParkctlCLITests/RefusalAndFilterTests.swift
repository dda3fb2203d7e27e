import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// The gaps a mutation run found (issue 20): commands no test ran, refusals no test
/// provoked, filters that could ignore their argument, and figures that depend on today.
/// Each was watched failing against a build broken on purpose (README, "Tests").
@Suite struct RefusalAndFilterTests {
    /// `building list`, `calendar add-workday` and `tenant fit-out`, with what they do.
    @Test func commandsNoTestRan() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301 (256.50 m²), 0302 (1,200 m²)
        try cli.ok(["building", "add", "SW/B2", "--name", "2号楼", "--floors", "6", "--delivered", "2021-05-01"])
        // B1: 2 units, 256.50 + 1,200 = 1,456.50 m²; B2: none.
        let buildings = try cli.ok(["building", "list", "--park", "SW", "--format", "csv"]).split(separator: "\r\n").map(String.init)
        #expect(buildings == ["code,park,name,floors,floors_below,delivered_on,units,area_m2",
                              "SW/B1,SW,1号楼,12,0,2020-10-28,2,1456.50", "SW/B2,SW,2号楼,6,0,2021-05-01,0,0.00"], "\(buildings)")

        // A Saturday made a working day (调休), then refused as a holiday unless replaced.
        #expect(try cli.ok(["calendar", "add-workday", "2027-02-20", "--name", "调休"]) == "2027-02-20 is a working day (调休)\n")
        let days = try cli.ok(["calendar", "list", "--year", "2027", "--format", "csv"])
        #expect(days.contains("2027-02-20,workday,调休,,"), "\(days)")
        let clash = try cli.run(["calendar", "add-holiday", "2027-02-20", "--name", "春节"])
        #expect(clash.status == 65 && clash.stderr.contains("--replace"), "\(clash.stderr)")

        // An application goes applied → approved → lease signed → fitting out → moved in.
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        let early = try cli.run(["tenant", "fit-out", "博思软件", "--park", "SW"])
        #expect(early.status == 65 && early.stderr.contains("the application is applied"), "\(early.stderr)")
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01", "--end", "2027-12-31", "--rent", "35"])
        try cli.ok(["tenant", "fit-out", "博思软件", "--park", "SW"])
        let stage = try #require(try cli.json(["tenant", "list", "--park", "SW"]) as? [[String: Any]])
        #expect(stage.first?["stage"] as? String == "fitting_out", "\(stage)")
        let twice = try cli.run(["tenant", "fit-out", "博思软件", "--park", "SW"])
        #expect(twice.status == 65 && twice.stderr.contains("it cannot become fitting_out: next it moves in"), "\(twice.stderr)")
    }

    /// Refusals no test provoked: each names the rule, exits with its code, changes nothing.
    @Test func refusalsNoTestProvoked() throws {
        let cli = try CLI()
        try cli.portfolio()
        let before = try cli.db.connection.tableChecksums()
        let cases: [(args: [String], input: String, status: Int32, message: String)] = [
            (["sla", "set", "--category", "repair", "--priority", "normal", "--response", "3d", "--resolution", "4h"], "", 65,
             "the response target 3d is longer than the resolution target 4h"),
            (["report", "expiring", "--within", "3661"], "", 65, "within must be 0-3660 days, not 3661"),
            (["report", "expiring", "--within=-1"], "", 65, "within must be 0-3660 days, not -1"),
            (["report", "trend", "--months", "0"], "", 65, "months must be 1-120, not 0"),
            (["report", "trend", "--months", "121"], "", 65, "months must be 1-120, not 121"),
            (["report", "tickets", "--from", "2026-12-01", "--to", "2026-11-01"], "", 65, "the period ends (2026-11-01) before it starts (2026-12-01)"),
            (["audit", "--limit", "0"], "", 65, "limit must be 1-100000, not 0"),
            (["audit", "--limit", "100001"], "", 65, "limit must be 1-100000, not 100001"),
            (["staff", "revoke", "nobody_here"], "", 65, "no staff named nobody_here"),
            (["staff", "add", "li_lei", "--role", "leasing"], "", 64, "give either --parks CODES or --all-parks"),
            (["staff", "add", "li_lei", "--role", "leasing", "--parks", "SW", "--password-stdin"], "abc\n", 65, "password: 8-200 characters"),
            (["staff", "add", "pg_evil", "--role", "leasing", "--parks", "SW"], "", 65, "staff name 'pg_evil'"),
            (["staff", "add", "parkctl_x", "--role", "leasing", "--parks", "SW"], "", 65, "(not pg_… or parkctl…)"),
            (["report", "stacking", "SW/B99"], "", 65, "building 'SW/B99' not found (buildings of SW: B1)"),
            (["export", "units", "--park", "ZZ"], "", 65, "park 'ZZ' not found (parks: SW)"),
        ]
        for c in cases {
            let out = try cli.run(c.args, input: c.input)
            #expect(out.status == c.status && out.stderr.contains(c.message), "\(c.args): \(out.status) \(out.stderr)")
            #expect(out.stdout.isEmpty, "\(c.args): \(out.stdout)")
        }
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    /// Filters that could ignore their argument: each fixture has rows the filter must drop.
    @Test func filtersDropWhatTheyDoNotName() throws {
        let cli = try CLI()
        try cli.portfolio()
        let conn = cli.db.connection
        try cli.ok(["park", "add", "--code", "EC", "--name", "电商产业园", "--kind", "ecommerce", "--industries", "ecommerce,software"])
        try cli.ok(["building", "add", "EC/A", "--name", "A栋", "--floors", "5", "--delivered", "2020-01-01"])
        try cli.ok(["unit", "add", "EC/A/101", "--floor", "1", "--area", "100", "--kind", "office", "--list-rent", "30"])
        for (park, name, code) in [("SW", "博思软件", "91350100M000100Y43"), ("EC", "光云科技", "91330100MA4000201K")] {
            try cli.ok(["tenant", "apply", "--park", park, "--name", name, "--credit-code", code, "--industry", "软件",
                        "--contact", "陈静", "--phone", "0591-87500103"])
            try cli.ok(["tenant", "approve", name, "--park", park])
        }
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01", "--end", "2027-12-31", "--rent", "35"])
        try cli.ok(["lease", "sign", "--tenant", "光云科技", "--units", "EC/A/101", "--start", "2026-01-01", "--end", "2027-12-31", "--rent", "30"])
        let leases = try #require(try cli.json(["lease", "list", "--tenant", "博思软件"]) as? [[String: Any]])
        #expect(leases.map { $0["tenant"] as? String } == ["博思软件"], "\(leases)")

        // Tickets: 博思软件's two (one assigned to 张工, one resolved), 光云科技's one.
        func open(_ tenant: String, _ title: String) throws -> String {
            let out = try cli.ok(["ticket", "open", "--tenant", tenant, "--category", "repair", "--title", title])
            return try #require(out.split(whereSeparator: \.isWhitespace).first.map(String.init).flatMap { $0.hasPrefix("T-") ? $0 : nil }, "\(out)")
        }
        let leak = try open("博思软件", "空调漏水"), light = try open("博思软件", "走廊灯不亮"), door = try open("光云科技", "门禁故障")
        try cli.ok(["ticket", "assign", leak, "--to", "张工"])
        try cli.ok(["ticket", "start", light])
        try cli.ok(["ticket", "resolve", light, "--note", "已更换灯管"])
        let numbers = { (args: [String]) throws -> [String] in
            try #require(try cli.json(["ticket", "list"] + args) as? [[String: Any]]).compactMap { $0["number"] as? String }.sorted()
        }
        #expect(try numbers([]) == [leak, light, door].sorted())
        #expect(try numbers(["--status", "open"]) == [door], "open")
        #expect(try numbers(["--status", "resolved"]) == [light], "resolved")
        #expect(try numbers(["--assignee", "张工"]) == [leak], "assignee")

        // Calendar: a holiday of each park, and one of every park.
        try cli.ok(["calendar", "add-holiday", "2027-03-01", "--name", "园区庆典", "--park", "SW"])
        try cli.ok(["calendar", "add-holiday", "2027-03-02", "--name", "店庆", "--park", "EC"])
        try cli.ok(["calendar", "add-holiday", "2027-03-03", "--name", "全区活动"])
        let swDays = try #require(try cli.json(["calendar", "list", "--year", "2027", "--park", "SW"]) as? [[String: Any]])
        #expect(swDays.compactMap { $0["date"] as? String } == ["2027-03-01", "2027-03-03"], "\(swDays)")

        // Audit: EC's entries only with --park EC; with --since, none written before it.
        let ecAudit = try #require(try cli.json(["audit", "--park", "EC", "--limit", "1000"]) as? [[String: Any]])
        #expect(!ecAudit.isEmpty && ecAudit.allSatisfyAndNonEmpty { $0["park"] as? String == "EC" }, "\(ecAudit)")
        let all = try #require(try cli.json(["audit", "--limit", "1000"]) as? [[String: Any]])
        #expect(all.contains { $0["park"] as? String == "SW" })
        let today: CalendarDate = try conn.query("SELECT park_today(NULL)").rows[0].decode(0)
        try conn.transaction { conn in
            try conn.simpleQuery("SET LOCAL session_replication_role = replica")
            try conn.execute("UPDATE audit_log SET at = at - interval '10 days' WHERE table_name = 'ticket'")
        }
        let recent = try #require(try cli.json(["audit", "--since", today.adding(days: -5).description, "--limit", "1000"]) as? [[String: Any]])
        #expect(!recent.isEmpty && !recent.contains { $0["entity"] as? String == "ticket" }, "\(recent.map { $0["entity"] ?? "" })")
        #expect(try #require(try cli.json(["audit", "--since", today.adding(days: -20).description, "--limit", "1000"]) as? [[String: Any]])
            .contains { $0["entity"] as? String == "ticket" })
    }

    /// Figures that depend on today, with dates relative to the test's own clock: a rent
    /// escalated once a year, and the days a unit has stood vacant.
    @Test func figuresOfToday() throws {
        let cli = try CLI()
        try cli.portfolio()
        let today: CalendarDate = try cli.db.connection.query("SELECT park_today(NULL)").rows[0].decode(0)
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        // Signed 400 days ago at 100.00 with 5 % a year: one anniversary passed, 100 × 1.05 = 105.00.
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", today.adding(days: -400).description,
                    "--end", today.adding(days: 400).description, "--rent", "100", "--escalation-pct", "5"])
        // 0302 held until 30 days ago: vacant since the day after, 29 days.
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0302", "--start", today.adding(days: -400).description,
                    "--end", today.adding(days: -30).description, "--rent", "36", "--escalation-pct", "5"])
        let leases = try #require(try cli.json(["lease", "list", "--tenant", "博思软件"]) as? [[String: Any]])
        let current = leases.first { ($0["units"] as? [String]) == ["SW/B1/0301"] }
        #expect((current?["current_rent"] as? NSNumber)?.decimalValue == 105, "\(leases)")
        let vacancy = try #require(try cli.json(["report", "vacancy"]) as? [[String: Any]])
        #expect(vacancy.map { "\($0["unit"] ?? "") \($0["vacant_since"] ?? "") \($0["days_vacant"] ?? "")" }
                == ["SW/B1/0302 \(today.adding(days: -29)) 29"], "\(vacancy)")
    }
}
