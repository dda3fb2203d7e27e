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
        let trend = try cli.ok(["report", "trend", "--months", "3"])
        #expect(trend.contains("█") || trend.contains("░"))
        let tickets = try #require(try cli.json(["report", "tickets"]) as? [[String: Any]])
        #expect(tickets.last?["scope"] as? String == "total")
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
