import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ParkCore
import Postgres
import Testing
import TestSupport

/// Counts elements with a class, through Foundation's XML parser (libxml2).
final class CellCounter: NSObject, XMLParserDelegate {
    var unitCells = 0
    var svgs = 0
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "td", attributes["class"]?.split(separator: " ").contains("unit") == true { unitCells += 1 }
        if name == "svg" { svgs += 1 }
    }
}

@Suite struct ReportCommandTests {
    func fixture() throws -> CLI {
        let cli = try CLI()
        try ReportFixture.build(ParkSession(connection: cli.db.connection, actor: "fixture"))
        return cli
    }

    @Test func occupancyInAllThreeFormats() throws {
        let cli = try fixture()
        let rows = try #require(try cli.json(["report", "occupancy", "--as-of", "2026-06-30", "--by", "floor"]) as? [[String: Any]])
        #expect(rows.count == 6)
        let total = try #require(rows.last)
        #expect(total["scope"] as? String == "total")
        #expect(total["floor"] is NSNull)
        #expect(total["units_total"] as? Int == 5 && total["units_off_market"] as? Int == 1)
        #expect((total["area_leased_m2"] as? NSNumber)?.decimalValue == 100)
        #expect(try cli.ok(["report", "occupancy", "--as-of", "2026-06-30", "--format", "json"]).contains("\"occupancy_rate_area\": 0.1176"))
        let csv = try cli.ok(["report", "occupancy", "--as-of", "2026-06-30", "--format", "csv"]).split(separator: "\r\n").map(String.init)
        #expect(csv[0].hasPrefix("scope,park,building,floor,kind,units_total,units_leased,units_reserved,units_vacant,units_off_market,area_total_m2"))
        #expect(csv.last == "total,,,,,5,1,1,2,1,1000.00,100.00,300.00,450.00,150.00,0.1176,0.2500")
        let table = try cli.ok(["report", "occupancy", "--as-of", "2026-06-30"])
        #expect(table.contains("0.1176"))
        let recorded = try cli.ok(["report", "occupancy", "--as-of", "2026-06-30", "--as-recorded", "2026-06-20", "--format", "csv"])
        // 0501 still leased and 0401 not yet off the market, as recorded then: 350 ÷ 1000, 2 ÷ 5.
        #expect(recorded.split(separator: "\r\n").last?.hasSuffix(",0.3500,0.4000") == true)
    }

    @Test func theOtherReportsAgree() throws {
        let cli = try fixture()
        let vacancy = try #require(try cli.json(["report", "vacancy", "--as-of", "2026-06-30"]) as? [[String: Any]])
        #expect(vacancy.map { $0["days_vacant"] as? Int } == [90, 29])
        let roll = try #require(try cli.json(["report", "rent-roll", "--as-of", "2026-06-30"]) as? [[String: Any]])
        #expect(roll.last?["scope"] as? String == "total")
        #expect((roll.last?["month_rent_due"] as? NSNumber)?.decimalValue == 3000)
        #expect(try cli.ok(["report", "rent-roll", "--as-of", "2026-06-30", "--format", "csv"]).hasPrefix("scope,lease,tenant,park,units,area_m2,rent_per_m2,month_rent_due"))
        let stacking = try cli.ok(["report", "stacking", "SW/B1", "--as-of", "2026-06-30"])
        #expect(!stacking.contains("\u{1B}["))   // piped: no colour
        #expect(stacking.contains("5F") && stacking.contains("legend"))
        let cells = try #require(try cli.json(["report", "stacking", "SW/B1", "--as-of", "2026-06-30"]) as? [[String: Any]])
        #expect(cells.map { $0["state"] as? String } == ["vacant", "off_market", "reserved", "vacant", "expiring"])
        let building = try cli.run(["report", "expiring", "--building", "SW/B1"])
        #expect(building.status == 64 && building.stderr.contains("--building does not apply"))
        let bad = try cli.run(["report", "occupancy", "--by", "tenant"])
        #expect(bad.status == 64 && bad.stderr.contains("grouping 'tenant'"))
    }

    /// `report trend` and `report tickets` through the CLI, with figures worked by hand,
    /// and the tickets and audit exports by their rows.
    @Test func trendTicketsAndTheirExportsByFigure() throws {
        let cli = try fixture()
        // Leased ÷ (all − off the market, 1,000 − 150 = 850 m²) at each month end: April and
        // May, 0101 (100) and 0501 (250, to 05-31) = 350 ÷ 850 = 0.4118; June, 0101 alone,
        // 100 ÷ 850 = 0.1176.
        let trend = try cli.ok(["report", "trend", "--as-of", "2026-06-30", "--months", "3", "--format", "csv"]).split(separator: "\r\n")
        #expect(trend.count == 4 && trend.dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }
                    == ["2026-04-30", "2026-05-31", "2026-06-30"], "\(trend)")
        #expect(trend.dropFirst().map { $0.split(separator: ",").last.map(String.init) ?? "" } == ["0.4118", "0.4118", "0.1176"], "\(trend)")
        let chart = try cli.ok(["report", "trend", "--as-of", "2026-06-30", "--months", "3"])
        #expect(chart.contains("41.18%") && chart.contains("11.76%"), "\(chart)")

        // Three repairs under a 2 h response and 1 day resolution on the 24-hour clock:
        // T1 answered in 0.5 h and resolved in 6 h; T2 answered in 3 h (late) and resolved
        // in 49 h (late); T3 still open, past both its targets. Breached: T2 and T3. Response
        // median (0.5 + 3) ÷ 2 = 1.75, p90 0.5 + 0.9 × 2.5 = 2.75; resolution median
        // (6 + 49) ÷ 2 = 27.50, p90 6 + 0.9 × 43 = 44.70; met 1 of the 2 resolved = 0.5000.
        try cli.ok(["sla", "set", "--category", "repair", "--priority", "normal", "--response", "2h", "--resolution", "1d", "--clock", "24x7"])
        var numbers: [String] = []
        for (title, at) in [("空调漏水", "2026-06-01 09:00"), ("门禁故障", "2026-06-02 09:00"), ("灯不亮", "2026-06-03 10:00")] {
            let out = try cli.ok(["ticket", "open", "--tenant", ReportFixture.tenantCode, "--category", "repair", "--title", title, "--opened-at", at])
            numbers.append(try #require(out.split(whereSeparator: \.isWhitespace).first.map(String.init)))
        }
        try cli.ok(["ticket", "assign", numbers[0], "--to", "张工", "--at", "2026-06-01 09:30"])
        try cli.ok(["ticket", "resolve", numbers[0], "--at", "2026-06-01 15:00", "--note", "修好"])
        try cli.ok(["ticket", "assign", numbers[1], "--to", "张工", "--at", "2026-06-02 12:00"])
        try cli.ok(["ticket", "resolve", numbers[1], "--at", "2026-06-04 10:00", "--note", "换锁"])
        let report = try cli.ok(["report", "tickets", "--from", "2026-06-01", "--to", "2026-06-30", "--format", "csv"]).split(separator: "\r\n")
        #expect(report.map(String.init) == [
            "scope,category,priority,opened,resolved,open_now,breached,response_hours_median,response_hours_p90,resolution_hours_median,resolution_hours_p90,met_share",
            "category_priority,repair,normal,3,2,1,2,1.75,2.75,27.50,44.70,0.5000", "total,,,3,2,1,2,1.75,2.75,27.50,44.70,0.5000"], "\(report)")
        #expect(try cli.ok(["report", "tickets", "--from", "2026-07-01", "--to", "2026-07-31", "--format", "csv"]).split(separator: "\r\n").count == 2)

        let export = try cli.ok(["export", "tickets"]).split(separator: "\n").map(String.init)
        #expect(export.count == 4 && export[2] == "\(numbers[1]),SW,\(ReportFixture.tenantCode),,repair,normal,门禁故障,,,张工,resolved,24x7,"
                + "2026-06-02 09:00:00,2026-06-02 12:00:00,2026-06-04 10:00:00,,2026-06-02 11:00:00,2026-06-03 09:00:00", "\(export)")
        // The audit export: the off-market change of 0401 as a row, with the values it replaced.
        let audit = try cli.ok(["export", "audit", "--park", "SW"]).split(separator: "\n").map(String.init)
        let offMarket = audit.filter { $0.contains(",unit,") && $0.contains(",update,") && $0.contains("维修") }
        #expect(offMarket.count == 1 && offMarket[0].contains(",0401,update,SW,") && offMarket[0].contains("\"\"off_market_reason\"\": null"),
                "\(offMarket)")
    }

    /// Whether a page loads anything from the network: a src or href (or a CSS url())
    /// with a scheme or a scheme-relative address. The XHTML namespace URL is no fetch.
    static func fetchesAnything(_ page: String) -> Bool {
        page.range(of: #"(src|href)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|//)|url\(\s*["']?\s*([a-z][a-z0-9+.-]*:|//)"#,
                   options: [.regularExpression, .caseInsensitive]) != nil
    }

    @Test func theAssetCheckSeesAFetch() {
        let page = "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>园区</p></body></html>"
        #expect(!Self.fetchesAnything(page))
        for fetch in ["<img src=\"https://cdn.example/x.png\"/>", "<link rel=\"stylesheet\" href='//cdn.example/a.css'/>",
                      "<script SRC = http://evil.example/x.js></script>", "<style>p { background: url(\"http://x/y.png\") }</style>"] {
            #expect(Self.fetchesAnything(page.replacingOccurrences(of: "<p>", with: fetch + "<p>")), "\(fetch)")
        }
    }

    @Test func htmlPagesParseAndTheStackingPlanHasOneCellPerUnit() throws {
        let cli = try fixture()
        let dir = NSTemporaryDirectory() + "/parkctl-html-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try cli.ok(["report", "stacking", "SW/B1", "--as-of", "2026-06-30", "--html", dir + "/stack.html"])
        try cli.ok(["report", "occupancy", "--as-of", "2026-06-30", "--html", dir + "/occ.html"])
        try cli.ok(["report", "trend", "--html", dir + "/trend.html"])
        for (file, cells, svgs) in [("stack.html", 5, 0), ("occ.html", 0, 1), ("trend.html", 0, 1)] {
            let data = try #require(FileManager.default.contents(atPath: dir + "/" + file))
            let text = String(decoding: data, as: UTF8.self)
            #expect(!Self.fetchesAnything(text), "\(file) fetches an asset")
            #expect(!text.contains("<script"))
            let parser = XMLParser(data: data)
            let counter = CellCounter()
            parser.delegate = counter
            #expect(parser.parse(), "\(file): \(parser.parserError.map { "\($0)" } ?? "")")
            #expect(counter.unitCells == cells, "\(file)")
            #expect(counter.svgs == svgs, "\(file)")
        }
    }

    @Test func anEmptyScopeIsAnEmptyReportNotACrash() throws {
        let cli = try CLI()
        // A fresh database: every report, in every format, is empty, not a crash.
        let reports: [[String]] = [["occupancy"], ["occupancy", "--by", "floor"], ["vacancy"], ["expiring", "--within", "30"],
                                   ["rent-roll"], ["tickets"], ["trend", "--months", "3"]]
        for report in reports {
            for format in ["table", "json", "csv"] {
                let out = try cli.run(["report"] + report + ["--format", format])
                #expect(out.status == 0, "\(report) \(format): \(out.stderr)")
            }
        }
        try cli.ok(["park", "add", "--code", "NE", "--name", "新园区", "--kind", "mixed"])
        try cli.ok(["building", "add", "NE/B1", "--name", "1号楼", "--floors", "3"])
        // A park and a building without units, and a day before anything was recorded.
        for report in reports.map({ $0 + ["--park", "NE"] }) + [["occupancy", "--building", "NE/B1"], ["stacking", "NE/B1"],
                                                               ["occupancy", "--as-recorded", "2020-01-01"]] {
            let out = try cli.run(["report"] + report + ["--format", "csv"])
            #expect(out.status == 0, "\(report): \(out.stderr)")
        }
        for args in [["report", "occupancy", "--park", "NE", "--format", "csv"],
                     ["report", "occupancy", "--as-recorded", "2020-01-01", "--format", "csv"]] {
            let out = try cli.run(args)
            let total = out.stdout.split(separator: "\r\n").last.map(String.init) ?? ""
            #expect(total.hasPrefix("total,") && total.contains(",0,0,0,0,0,0.00,"), "\(args): \(out.stdout)")
        }
    }
}
