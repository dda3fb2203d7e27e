import Foundation
import ParkCore
import Testing
import TestSupport

/// `parkctl stat`, `report stats`, `import stats` and `export stats` as the enterprise
/// service staff use them: the tenants' sheet of the quarter imported with Chinese
/// headers, refused line by line when wrong, corrected with --update, exported in the
/// zone's shape.
@Suite struct StatCommandTests {
    @Test func aQuarterFromSheetToReport() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301 (256.50 m²), 0302 (1,200 m²)
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301,SW/B1/0302", "--start", "2025-01-01",
                    "--end", "2027-12-31", "--rent", "35"])
        try cli.ok(["park", "set", "SW", "--land-mu", "40"])
        // Last year's quarter by hand; this year's from the sheet.
        try cli.ok(["stat", "record", "--tenant", "博思软件", "--park", "SW", "--period", "2025年第3季度", "--revenue", "1000", "--tax", "80"])
        let usage = try cli.run(["stat", "record", "--tenant", "博思软件", "--park", "SW", "--period", "2026-Q3"])
        #expect(usage.status == 65 && usage.stderr.contains("at least one figure"), "\(usage.stderr)")

        let before = try cli.db.connection.tableChecksums()
        let bad = "园区,统一社会信用代码,企业名称,统计期,营业收入(万元),纳税额(万元),从业人员\n"
            + "SW,91350100M000100Y44,博思软件,2026-Q3,1200,90,320\n"
            + "SW,91350100M000100Y43,博思软件,2026-Q5,1200,90,320\n"
            + "SW,91350100M000100Y43,博思软件,2026-Q3,-5,,\n"
            + "SW,91350100M000100Y43,博思软件,2026-09,,,\n"
        let refused = try cli.run(["import", "stats", "-"], environment: ["PARKCTL_LANG": "zh"], input: bad)
        #expect(refused.status == 65, "\(refused.stderr)")
        for problem in ["第 2 行,统一社会信用代码「91350100M000100Y44」:本园区没有此统一社会信用代码的租户",
                        "第 3 行,统计期「2026-Q5」:统计期须为季度 2026-Q3",
                        "第 4 行,营业收入(万元)「-5」:金额以万元计,不小于 0",
                        "第 5 行,营业收入(万元)「」:至少填写一项"] {
            #expect(refused.stderr.contains(problem), "\(problem)\n\(refused.stderr)")
        }
        #expect(try cli.db.connection.tableChecksums() == before)
        let good = "园区,统一社会信用代码,企业名称,统计期,营业收入(万元),纳税额(万元),研发投入(万元),从业人员\n"
            + "SW,91350100M000100Y43,博思软件,2026年第三季度,\"1,200\",90,150,320\n"
        let imported = try cli.run(["import", "stats", "-"], input: good)
        #expect(imported.status == 0 && imported.stdout.contains("imported 1"), "\(imported.stderr)")
        let again = try cli.run(["import", "stats", "-"], input: good)
        #expect(again.status == 65 && again.stderr.contains("has filed this period already"), "\(again.stderr)")

        // Revenue growth (1,200 − 1,000) ÷ 1,000 = 20.00 %; tax (90 − 80) ÷ 80 = 12.50 %; tax per m²
        // 90 × 10,000 ÷ 1,456.50 m² = 617.92 元; per mu 90 ÷ 40 = 2.2500 万元.
        let rows = try #require(try cli.json(["report", "stats", "--period", "2026-Q3"]) as? [[String: Any]])
        #expect(rows.map { $0["park"] as? String } == ["SW", "total"])
        let sw = rows[0]
        #expect((sw["revenue_growth"] as? NSNumber)?.decimalValue == Decimal(string: "0.2"))
        #expect((sw["tax_growth"] as? NSNumber)?.decimalValue == Decimal(string: "0.125"))
        #expect((sw["tax_per_m2"] as? NSNumber)?.decimalValue == Decimal(string: "617.92"))
        #expect((sw["tax_per_mu"] as? NSNumber)?.decimalValue == Decimal(string: "2.25"))
        let zh = try cli.run(["report", "stats", "--period", "2026-Q3", "--by", "industry"], environment: ["PARKCTL_LANG": "zh"])
        #expect(zh.status == 0 && zh.stdout.contains("软件") && zh.stdout.contains("20.00%") && zh.stdout.contains("营收同比"), "\(zh.stdout)")
        #expect(try cli.run(["report", "stats", "--period", "2026-Q3", "--top", "3"]).status == 64)

        // Corrected by the tenant: the sheet again with --update changes the tax only.
        let corrected = "园区,统一社会信用代码,统计期,纳税额(万元)\nSW,91350100M000100Y43,2026-Q3,92.5\n"
        let updated = try cli.run(["import", "stats", "-", "--update"], input: corrected)
        #expect(updated.status == 0 && updated.stdout.contains("tax_paid") && updated.stdout.contains("92.5"), "\(updated.stdout)\(updated.stderr)")
        let listed = try #require(try cli.json(["stat", "list", "--period", "2026-Q3"]) as? [[String: Any]])
        #expect((listed.first?["tax_paid"] as? NSNumber)?.decimalValue == Decimal(string: "92.5"))
        #expect((listed.first?["revenue"] as? NSNumber)?.decimalValue == 1200 && listed.first?["source"] as? String == "self_reported")

        // The zone's return: Chinese headers with their units; read back by import as they are.
        let exported = try cli.ok(["export", "stats", "--headers", "zh"])
        #expect(exported.hasPrefix("园区,统一社会信用代码,企业名称,统计期,营业收入(万元),工业总产值(万元),纳税额(万元),研发投入(万元),从业人员,数据来源\n"),
                "\(exported)")
        #expect(exported.contains("SW,91350100M000100Y43,博思软件,2026-Q3,1200.0000,,92.5000,150.0000,320,self_reported\n"), "\(exported)")
        let roundTrip = try cli.run(["import", "stats", "-", "--update", "--dry-run"], input: exported)
        #expect(roundTrip.status == 0, "\(roundTrip.stderr)")
        // The return of one quarter only.
        let quarter = try cli.ok(["export", "stats", "--period", "2026年第3季度"])
        #expect(quarter.contains(",2026-Q3,") && !quarter.contains(",2025-Q3,"), "\(quarter)")
        #expect(try cli.run(["export", "units", "--period", "2026-Q3"]).status == 65)
        // A period not begun is filed by nobody.
        let early = try cli.run(["stat", "record", "--tenant", "博思软件", "--park", "SW", "--period", "2099-Q1", "--revenue", "1"])
        #expect(early.status == 65 && early.stderr.contains("has not begun"), "\(early.stderr)")

        // Verified by the admin; the tenant not yet filed for Q4 is listed with its phone.
        // The admin sees the figures verified.
        let verified = try #require(try cli.json(["stat", "verify", "--tenant", "博思软件", "--park", "SW", "--period", "2026-Q3"]) as? [String: Any])
        #expect(verified["source"] as? String == "verified" && (verified["tax_paid"] as? NSNumber)?.decimalValue == Decimal(string: "92.5"))
        let missing = try #require(try cli.json(["report", "stats-missing", "--period", "2026-Q4"]) as? [[String: Any]])
        #expect(missing.map { $0["tenant"] as? String } == ["博思软件"] && missing.first?["phone"] as? String == "0591-87500103")
    }
}
