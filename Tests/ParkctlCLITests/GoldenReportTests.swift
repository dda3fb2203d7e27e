import Foundation
import ParkCore
import Testing
import TestSupport

/// Each report of the hand-worked fixture (ReportFixture, as of 2026-06-30), in each
/// language, against the file under Golden/ that a person has read: English keeps
/// the JSON keys and codes; Chinese has Chinese headers and labels, rates as 11.76%
/// and amounts grouped by thousands. `PARKCTL_UPDATE_GOLDEN=1 swift test --filter
/// GoldenReportTests` writes the files anew, to be read before they are committed.
@Suite struct GoldenReportTests {
    static let reports: [(name: String, args: [String])] = [
        ("occupancy", ["report", "occupancy", "--as-of", "2026-06-30", "--by", "floor"]),
        ("vacancy", ["report", "vacancy", "--as-of", "2026-06-30"]),
        ("rent-roll", ["report", "rent-roll", "--as-of", "2026-06-30"]),
        ("stacking", ["report", "stacking", "SW/B1", "--as-of", "2026-06-30"]),
        ("receivables", ["report", "receivables", "--as-of", "2026-06-30"]),
        ("collection", ["report", "collection", "--from", "2026-01-01", "--to", "2026-06-30"]),
        ("units", ["unit", "list", "--park", "SW"]),
        ("trend", ["report", "trend", "--as-of", "2026-06-30", "--months", "6"]),
        ("rent-roll-csv", ["report", "rent-roll", "--as-of", "2026-06-30", "--format", "csv"]),
    ]

    @Test func everyReportInEachLanguageIsItsGoldenFile() throws {
        let cli = try CLI()
        try ReportFixture.build(ParkSession(connection: cli.db.connection, actor: "fixture"))
        // The bills of the first half of 2026, for the receivables and collection reports.
        // By hand (monthly rent, 30 元/m², due on the 1st): lease A 100 m² × 30 = 3,000 a month
        // for January-June 2026 = 18,000; B 200 m² = 6,000 a month for January 2025 - March 2026
        // = 15 × 6,000 = 90,000; D 250 m² = 7,500 a month for January-May 2026 = 37,500;
        // owed 145,500. Ageing on 2026-06-30: June's 3,000 (A) is 29 days late; May's
        // 3,000 + 7,500 = 10,500 is 60; April's 10,500 is 90; January-March's 3 × (3,000 +
        // 6,000 + 7,500) = 49,500 is 91-180; 2025's 12 × 6,000 = 72,000 is over 180.
        // Collection, due 2026-01-01..06-30: 18,000 + 3 × 6,000 + 37,500 = 73,500 billed, 0 paid.
        try cli.ok(["bill", "run", "--through", "2026-06-30"])
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Golden")
        let update = ProcessInfo.processInfo.environment["PARKCTL_UPDATE_GOLDEN"] == "1"
        for (name, args) in Self.reports {
            for language in ["en", "zh"] {
                let out = try cli.run(args, environment: ["PARKCTL_LANG": language])
                #expect(out.status == 0, "\(name) \(language): \(out.stderr)")
                let file = folder.appending(path: "\(name).\(language).txt")
                if update { try Data(out.stdout.utf8).write(to: file) }
                let golden = (try? String(contentsOf: file, encoding: .utf8)) ?? "(no golden file \(file.lastPathComponent))"
                #expect(out.stdout == golden, "\(name) \(language) differs from Golden/\(file.lastPathComponent):\n\(out.stdout)")
            }
        }
    }

    /// Every column of every list and report has a Chinese name: no header is left a
    /// JSON key in a Chinese table or CSV.
    @Test func noChineseHeaderIsLeftInEnglish() throws {
        let cli = try CLI()
        try ReportFixture.build(ParkSession(connection: cli.db.connection, actor: "fixture"))
        try cli.ok(["bill", "run", "--through", "2026-06-30"])
        // A payment and a ticket, so that their lists have rows.
        func first(_ list: [String], _ key: String) throws -> String {
            try #require((try cli.json(list) as? [[String: Any]])?.first?[key] as? String)
        }
        try cli.ok(["payment", "record", "--tenant", "博思软件", "--park", "SW", "--amount", "3000", "--on", "2026-06-30"])
        try cli.ok(["meter", "add", "SW/E-1", "--kind", "electricity", "--unit", "SW/B1/0101", "--installed-on", "2026-06-01"])
        try cli.ok(["meter", "read", "SW/E-1", "--on", "2026-06-30", "--value", "12.5"])
        try cli.ok(["tariff", "set", "SW", "--kind", "electricity", "--from", "2026-01-01", "--price", "0.60", "--tier", "2000=0.80"])
        try cli.ok(["utility", "period", "open", "SW", "--kind", "electricity", "--from", "2026-06-01", "--to", "2026-06-30"])
        let period = try first(["utility", "period", "list"], "number")
        try cli.ok(["utility", "period", "calc", period])
        try cli.ok(["ticket", "open", "--tenant", "博思软件", "--unit", "SW/B1/0101", "--category", "repair", "--title", "漏水",
                    "--opened-at", "2026-06-30 09:00"])
        let commands: [[String]] = Self.reports.map(\.args).filter { !$0.contains("stacking") } + [
            ["park", "list"], ["building", "list"], ["tenant", "list"], ["lease", "list"], ["bill", "list"], ["payment", "list"],
            ["ticket", "list"], ["calendar", "list", "--year", "2026"], ["sla", "list"], ["audit", "--limit", "5"],
            ["report", "expiring", "--within", "3650"], ["report", "uninvoiced"], ["meter", "list"], ["tariff", "list"],
            ["utility", "period", "list"], ["utility", "period", "calc", period], ["report", "utility", "--period", period],
        ]
        for args in commands {
            let base = args.filter { $0 != "--format" && $0 != "csv" }
            let out = try cli.run(base + ["--format", "csv"], environment: ["PARKCTL_LANG": "zh"])
            #expect(out.status == 0, "\(args): \(out.stderr)")
            let header = out.stdout.prefix { $0 != "\r\n" && $0 != "\n" }
            #expect(!header.isEmpty, "\(args): no rows to name")
            let english = header.split(separator: ",").filter { $0.wholeMatch(of: /[a-z][a-z0-9_]*/) != nil }
            #expect(english.isEmpty, "\(args.joined(separator: " ")): \(english)")
            // And --headers en gives the JSON keys back.
            let keys = try cli.run(base + ["--format", "csv", "--headers", "en"], environment: ["PARKCTL_LANG": "zh"])
            #expect(keys.stdout.prefix { $0 != "\r\n" }.unicodeScalars.allSatisfyAndNonEmpty { $0.isASCII }, "\(args)")
        }
        // Each show, in a Chinese table: no field left a catalogue key.
        let shows: [[String]] = [
            ["park", "show", "SW"], ["unit", "show", "SW/B1/0101"], ["tenant", "show", "博思软件"],
            ["lease", "show", try first(["lease", "list"], "number")], ["bill", "show", try first(["bill", "list"], "number")],
            ["payment", "show", try first(["payment", "list"], "number")], ["ticket", "show", try first(["ticket", "list"], "number")],
            ["meter", "show", "SW/E-1"], ["utility", "period", "show", period],
        ]
        for args in shows {
            let out = try cli.run(args, environment: ["PARKCTL_LANG": "zh"])
            #expect(out.status == 0 && !out.stdout.contains("column."), "\(args): \(out.stdout)\(out.stderr)")
        }
        let wrong = try cli.run(["park", "list"], environment: ["PARKCTL_LANG": "fr"])
        #expect(wrong.status == 64 && wrong.stderr.contains("PARKCTL_LANG 'fr' is not one of: zh, en"))
    }

    /// The common errors in Chinese, and the same in English as before.
    @Test func theCommonErrorsSpeakChinese() throws {
        let cli = try CLI()
        let lease = try ReportFixture.build(ParkSession(connection: cli.db.connection, actor: "fixture")).a   // L-2026-000001
        func refused(_ args: [String], _ language: String) throws -> String {
            let out = try cli.run(args, environment: ["PARKCTL_LANG": language])
            #expect(out.status == 65, "\(args): \(out.stderr)")
            return out.stderr
        }
        #expect(try refused(["report", "occupancy", "--park", "XX"], "zh").contains("园区 'XX' 不存在（现有园区：SW）"))
        #expect(try refused(["report", "occupancy", "--park", "XX"], "en").contains("park 'XX' not found (parks: SW)"))
        #expect(try refused(["report", "stacking", "SW/B9"], "zh").contains("楼栋 'SW/B9' 不存在；您是不是要找 SW/B1？（SW 的楼栋：B1）"))
        #expect(try refused(["unit", "show", "SW/B1/101"], "zh").contains("单元 'SW/B1/101' 不存在；您是不是要找 SW/B1/0101？"))
        #expect(try refused(["lease", "show", "L-2026-1"], "zh").contains("合同 'L-2026-1' 不存在；您是不是要找 \(lease)？"))
        #expect(try refused(["lease", "show", "L-2026-1"], "en").contains("lease 'L-2026-1' not found; did you mean \(lease)?"))
        #expect(try refused(["lease", "list", "--tenant", "腾讯"], "zh").contains("名为 '腾讯' 的租户不存在"))
        #expect(try refused(["report", "occupancy", "--as-of", "2026-02-30"], "zh").contains("as-of '2026-02-30' 不是日期"))
    }
}
