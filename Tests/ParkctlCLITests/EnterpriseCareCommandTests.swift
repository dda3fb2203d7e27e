import Foundation
import ParkCore
import Testing
import TestSupport

/// `parkctl tenant manager|follow-up|follow-ups` and `report visits` as a park's enterprise
/// service staff use them: who serves a tenant, the visits recorded in Chinese, who
/// nobody visited in a quarter, and the bad input refused with the database unchanged.
@Suite struct EnterpriseCareCommandTests {
    @Test func aQuarterOfVisits() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301, 0302
        for (name, code, unit) in [("博思软件", "91350100M000100Y43", "SW/B1/0301"), ("北京百度网讯", "91110108551385082Q", "SW/B1/0302")] {
            try cli.ok(["tenant", "apply", "--park", "SW", "--name", name, "--credit-code", code, "--industry", "软件",
                        "--contact", "陈静", "--phone", "0591-87500103"])
            try cli.ok(["tenant", "approve", name, "--park", "SW"])
            try cli.ok(["lease", "sign", "--tenant", name, "--units", unit, "--start", "2025-01-01", "--end", "2027-12-31", "--rent", "35"])
        }
        #expect(try cli.ok(["tenant", "manager", "博思软件", "--park", "SW", "--to", "cli-tester"]) == "博思软件 at SW is served by cli-tester\n")

        let before = try cli.db.connection.tableChecksums()
        for (args, status, message) in [
            (["tenant", "manager", "博思软件", "--park", "SW"], 64, "give --to STAFF, or --none"),
            (["tenant", "manager", "博思软件", "--park", "SW", "--to", "zhang_wei"], 65, "no leasing member or admin of park SW is called 'zhang_wei'"),
            (["tenant", "follow-up", "博思软件", "--way", "visit", "--note", "走访", "--on", "2999-01-01"], 65, "a follow-up is of today or before"),
            (["tenant", "follow-up", "博思软件", "--way", "拜访", "--note", " "], 65, "note"),
            (["tenant", "follow-up", "博思软件", "--way", "letter", "--note", "走访"], 64, "letter"),
            (["report", "visits", "--period", "2026-Q5"], 65, "period '2026-Q5' is a quarter 2026-Q3"),
        ] {
            let out = try cli.run(args)
            #expect(out.status == Int32(status) && out.stderr.contains(message), "\(args): \(out.status) \(out.stderr)")
        }
        #expect(try cli.db.connection.tableChecksums() == before)

        // A visit in August (the way by its Chinese name), a call in September (no visit).
        #expect(try cli.ok(["tenant", "follow-up", "博思软件", "--way", "拜访", "--note", "走访:扩租 200㎡ 意向", "--on", "2026-08-10",
                            "--next", "2026-08-20"]) == "博思软件 at SW followed up on 2026-08-10; next step on 2026-08-20\n")
        try cli.ok(["tenant", "follow-up", "北京百度网讯", "--park", "SW", "--way", "call", "--note", "电话回访", "--on", "2026-09-01"])

        let rows = try #require(try cli.json(["report", "visits", "--period", "2026-Q3"]) as? [[String: Any]])
        #expect(rows.map { "\($0["tenant"] ?? "") \($0["manager"] ?? "-") \($0["visits"] ?? "") \($0["last_visit"] ?? "-")" }
                == ["博思软件 cli-tester 1 2026-08-10", "北京百度网讯 <null> 0 <null>"], "\(rows)")
        let zh = try cli.run(["report", "visits", "--period", "2026年第3季度", "--not-visited"], environment: ["PARKCTL_LANG": "zh"])
        #expect(zh.status == 0 && zh.stdout.contains("服务专员") && zh.stdout.contains("北京百度网讯") && !zh.stdout.contains("博思软件"),
                "\(zh.stdout)\(zh.stderr)")
        // Coverage of 2026-Q3: cli-tester's 1 of 1; 百度 unserved, 0 of 1; in all 1 of 2 = 0.5000.
        #expect(try cli.ok(["report", "visits", "--period", "2026-Q3", "--by", "manager", "--format", "csv"]).split(separator: "\r\n")
                    .map(String.init) == ["manager,enterprises,visited,coverage", "cli-tester,1,1,1.0000", ",1,0,0.0000", "total,2,1,0.5000"])
        let typo = try cli.run(["report", "visits", "--manager", "zhang_wie"])
        #expect(typo.status == 65 && typo.stderr.contains("nobody called 'zhang_wie'"), "\(typo.stderr)")
        #expect(try cli.run(["report", "visits", "--by", "park", "--not-visited"]).status == 64)
        // The next step set in August is due by now, with what was said.
        let due = try cli.ok(["report", "follow-ups-due", "--format", "csv"])
        #expect(due.contains("2026-08-20,SW,91350100M000100Y43,博思软件,cli-tester,lease_signed,0591-87500103,走访:扩租 200㎡ 意向"), "\(due)")
        let record = try cli.ok(["tenant", "follow-ups", "北京百度网讯", "--format", "csv"])
        #expect(record.split(separator: "\r\n").map(String.init)
                == ["park,manager,happened_on,way,note,next_step_on,by", "SW,,2026-09-01,call,电话回访,,cli-tester"], "\(record)")
        #expect(try cli.ok(["tenant", "manager", "博思软件", "--park", "SW", "--none"]) == "博思软件 at SW has no account manager now\n")
    }
}
