import Foundation
import ParkCore
import Testing
import TestSupport

/// `import … FILE.xlsx`: a workbook made by openpyxl (not by parkctl), read streamed,
/// its rows numbered as Excel shows them, its dates, percentages and numbers as Excel
/// keeps them.
@Suite struct SpreadsheetImportCommandTests {
    @Test func aWorkbookWithChineseHeadersAndExcelDatesImports() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW, building B1 of 12 floors, units 0301 and 0302
        try cli.ok(["unit", "add", "SW/B1/0101", "--floor", "1", "--area", "100", "--kind", "office", "--list-rent", "30"])
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-xlsx-in-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = dir.appending(path: "园区台账.xlsx").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Scripts/make_units_xlsx.py").path
        let made = try ProcessRunner.run("/usr/bin/env", ["python3", script, book], timeout: 600)
        #expect(made.status == 0, "\(made.stderr)")

        // Row 5 (Excel's number; row 4 is empty) has an area of 0: nothing is imported.
        let before = try cli.db.connection.tableChecksums()
        let bad = try cli.run(["import", "units", book])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("line 5, area_m2 '0': area is a number above 0"), "\(bad.stderr)")
        #expect(bad.stderr.contains("read 3 rows, imported 0, rejected 1"))
        #expect(try cli.db.connection.tableChecksums() == before)

        // The sheet named 合同: Excel dates (one shown as 2027年1月1日), 3% kept as 0.03, 季付.
        let leases = try cli.run(["import", "leases", book, "--sheet", "合同"])
        #expect(leases.status == 0 && leases.stdout.contains("read 1 rows, imported 1"), "\(leases.stderr)")
        let lease = try #require((try cli.json(["lease", "list"]) as? [[String: Any]])?.first)
        #expect(lease["start"] as? String == "2027-01-01" && lease["end"] as? String == "2027-12-31")
        #expect(lease["cycle"] as? String == "quarterly")
        #expect((lease["escalation_pct"] as? NSNumber)?.decimalValue == 3)

        // An unknown sheet names the sheets; --encoding is for CSV.
        let noSheet = try cli.run(["import", "units", book, "--sheet", "Sheet9"])
        #expect(noSheet.status == 65 && noSheet.stderr.contains("the workbook has no sheet 'Sheet9'; its sheets are 房源, 合同"))
        #expect(try cli.run(["import", "units", book, "--encoding", "gbk"]).status == 64)
        // A file that is not a workbook, named .xlsx.
        let fake = dir.appending(path: "fake.xlsx").path
        try Data("park,building\n".utf8).write(to: URL(fileURLWithPath: fake))
        let notZip = try cli.run(["import", "units", fake])
        #expect(notZip.status == 65 && notZip.stderr.contains("is not an .xlsx workbook"))
    }

    /// Export as workbooks, import the workbooks into an empty database: the same
    /// parks, buildings, units, tenants and leases (parkctl's writer read by its reader).
    @Test func exportedWorkbooksImportBackUnchanged() throws {
        let source = try CLI()
        try source.ok(["demo"])
        // Text that XML or Excel would otherwise change: a formula, markup characters,
        // Excel's own escapes written literally.
        let awkward = #"=SUM(A1) <漏水> & "A_x0041_B" _x005F_"#
        let park = try #require((try source.json(["park", "list"]) as? [[String: Any]])?.first?["code"] as? String)
        let building = try #require((try source.json(["building", "list", "--park", park]) as? [[String: Any]])?.first?["code"] as? String)
        try source.ok(["unit", "add", "\(building)/9901", "--floor", "1", "--area", "10", "--kind", "office", "--list-rent", "30",
                        "--off-market", awkward])
        let target = try CLI()
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-xlsx-trip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for entity in ["parks", "buildings", "units", "tenants", "leases"] {
            let book = dir.appending(path: "\(entity).xlsx").path
            try source.ok(["export", entity, "--format", "xlsx", "--output", book])
            let out = try target.run(["import", entity, book])
            #expect(out.status == 0, "\(entity): \(out.stderr)")
            #expect(try target.ok(["export", entity]) == (try source.ok(["export", entity])), "\(entity)")
        }
        let units = try SpreadsheetOutputTests.read(dir.appending(path: "units.xlsx").path)
        // Numbers as numbers with two decimals, the unit code 0101 as text (its zero kept).
        let area = units.rows[1][4], code = units.rows[1][2]
        #expect(area.type == "n" && area.format == "#,##0.00" && code.type == "s")
        // The awkward text as parkctl read it back, and as openpyxl reads it: openpyxl does
        // not undo Excel's escapes in inline text, so it shows the literal _x0041_ escaped as
        // _x005F_x0041_ (which Excel reads as _x0041_).
        #expect(units.rows.contains { $0.count > 7 && $0[7].value == .text(awkward.replacingOccurrences(of: "_x", with: "_x005F_x")) })
        let shown = try #require(try target.json(["unit", "show", "\(building)/9901"]) as? [String: Any])
        #expect(shown["off_market_reason"] as? String == awkward)
    }

    /// What the hostile review imported wrongly, each now read as Excel shows it or refused.
    @Test func trickyWorkbooksAreReadAsExcelShowsThemOrRefused() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1 of 12 floors
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-xlsx-tricky-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Scripts/make_tricky_xlsx.py").path
        let made = try ProcessRunner.run("/usr/bin/env", ["python3", script, dir.path], timeout: 600)
        #expect(made.status == 0, "\(made.stderr)")
        func path(_ name: String) -> String { dir.appending(path: name).path }

        // The first sheet Excel shows, not the hidden one before it: 150 m² at 45, not 1.5 at 0.01.
        try cli.ok(["import", "units", path("hidden.xlsx")])
        let unit = try #require(try cli.json(["unit", "show", "SW/B1/0901"]) as? [String: Any])
        #expect((unit["area_m2"] as? NSNumber)?.decimalValue == 150 && (unit["list_rent"] as? NSNumber)?.decimalValue == 45)
        // A 1904 workbook's 2024-06-19 is 2024-06-19 (read in the 1900 system it was 2020-06-18).
        try cli.ok(["import", "buildings", path("d1904.xlsx")])
        let building = try #require((try cli.json(["building", "list", "--park", "SW"]) as? [[String: Any]])?.first { $0["code"] as? String == "SW/B7" })
        #expect(building["delivered_on"] as? String == "2024-06-19")
        // 805 shown as 0805 by its format is unit 0805.
        try cli.ok(["import", "units", path("code.xlsx")])
        #expect(try cli.run(["unit", "show", "SW/B1/0805"]).status == 0)
        // A cell in column 1100 makes the row too wide, as in CSV: refused, not dropped.
        let wide = try cli.run(["import", "units", path("wide.xlsx")])
        #expect(wide.status == 65 && wide.stderr.contains("line 2, (row): has 1024 cells; the header has 7"), "\(wide.stderr)")

        // A failed export leaves the file that was there; --output writes CSV too.
        let keep = path("keep.xlsx")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: keep))
        #expect(try cli.run(["export", "units", "--park", "NOPE", "--format", "xlsx", "--output", keep]).status == 65)
        #expect(try String(contentsOfFile: keep, encoding: .utf8) == "precious")
        let csv = path("units.csv")
        let written = try cli.run(["export", "units", "--output", csv])
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("park,building,unit,floor,area_m2"))
        // A CSV through a pipe is CSV (nothing is read from it to guess).
        let piped = try ProcessRunner.run("/bin/sh", ["-c", "cat '\(csv)' | sed 's/,0805,/,0806,/' | grep -v ',0301,\\|,0302,\\|,0901,' | "
            + "'\(Parkctl.executable)' import units /dev/stdin --update --dry-run --database-url '\(cli.db.conninfo)'"], timeout: 600)
        #expect(piped.status == 0, "\(piped.stderr)")
    }
}
