import Foundation
import ParkCore
import Testing
import TestSupport

/// `--format xlsx --output FILE`: a real workbook, read back by openpyxl (Python's
/// reader, independent of parkctl's writer) as Excel would read it.
@Suite struct SpreadsheetOutputTests {
    /// The sheet as openpyxl reads it.
    struct Sheet: Decodable {
        struct Cell: Decodable {
            let value: Value?
            let type: String
            let format: String
            let bold: Bool
        }
        enum Value: Decodable, Equatable {
            case number(Double), text(String), bool(Bool)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { self = .bool(b) }
                else if let n = try? c.decode(Double.self) { self = .number(n) }
                else { self = .text(try c.decode(String.self)) }
            }
        }
        let freeze: String?
        let filter: String?
        let widths: [String: Double]
        struct Chart: Decodable {
            let kind: String?
            let title: String
            let ranges: [String]
        }
        let charts: [Chart]
        let rows: [[Cell]]
    }

    static func read(_ path: String) throws -> Sheet {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Scripts/xlsx_cells.py").path
        let out = try ProcessRunner.run("/usr/bin/env", ["python3", script, path], timeout: 600)
        #expect(out.status == 0, "\(out.stderr)")
        return try JSONDecoder().decode(Sheet.self, from: Data(out.stdout.utf8))
    }

    @Test func aReportIsAWorkbookWithTypedCells() throws {
        let cli = try CLI()
        try ReportFixture.build(ParkSession(connection: cli.db.connection, actor: "fixture"))
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        // The occupancy by floor, in Chinese: headers, labels, numbers and rates.
        let occupancy = dir.appending(path: "出租率.xlsx").path
        let out = try cli.run(["report", "occupancy", "--as-of", "2026-06-30", "--by", "floor", "--format", "xlsx", "--output", occupancy],
                              environment: ["PARKCTL_LANG": "zh"])
        #expect(out.status == 0 && out.stdout.isEmpty, "\(out.stderr)")
        let sheet = try Self.read(occupancy)
        #expect(sheet.freeze == "A2" && sheet.filter == "A1:Q1")
        let header = sheet.rows[0]
        #expect(header.map(\.value) == ["范围", "园区", "楼栋", "楼层", "类型", "总套数", "已租套数", "预订套数", "空置套数", "不可租套数",
                                        "总面积(㎡)", "已租面积(㎡)", "预订面积(㎡)", "空置面积(㎡)", "不可租面积(㎡)", "出租率(面积)",
                                        "出租率(套数)"].map { .text($0) })
        #expect(header.allSatisfyAndNonEmpty { $0.bold })
        // Six rows after the header: five floors and the total, in bold.
        #expect(sheet.rows.count == 7)
        let floor1 = sheet.rows[1], total = sheet.rows[6]
        #expect(floor1[0].value == .text("楼层") && floor1[3].value == .number(1) && floor1[3].type == "n")
        // 100 m² leased of 850 lettable (1000 less 150 off the market): 100 ÷ 850 = 0.1176.
        #expect(total[0].value == .text("合计") && total[0].bold)
        #expect(total[10].value == .number(1000) && total[10].format == "#,##0.00")
        #expect(total[15].value == .number(0.1176) && total[15].format == "0.00%" && total[15].bold)
        // Columns fitted to their text: 总面积(㎡) is 10 wide (汉字 and ㎡ count double), 1,000.00 is 8;
        // two more for the margin (Excel stores 12 as 12.71, its padding added).
        #expect(sheet.widths["K"].map { Int($0) } == 12)
        // A column chart of the floors' rates (column D against P, rows 2-6: the total left out).
        #expect(sheet.charts.count == 1)
        #expect(sheet.charts.first?.kind == "barChart" && sheet.charts.first?.title == "出租率(按面积,已租÷可租)")
        #expect(sheet.charts.first?.ranges == ["parkctl!$D$2:$D$6", "parkctl!$P$2:$P$6"])

        // Dates are dates; a list (show) works too; English keeps the keys and codes.
        let leases = dir.appending(path: "leases.xlsx").path
        try cli.ok(["lease", "list", "--format", "xlsx", "--output", leases])
        let list = try Self.read(leases)
        let keys = list.rows[0].compactMap { if case .text(let t)? = $0.value { t } else { nil } }
        let start = try #require(keys.firstIndex(of: "start"))
        #expect(list.rows.count == 5)
        #expect(list.rows.dropFirst().allSatisfyAndNonEmpty { $0[start].type == "d" && $0[start].format == "yyyy-mm-dd" })
        #expect(list.rows[1][start].value == .text("2025-01-01 00:00:00"))

        // xlsx needs a file; the file is written whole or not at all.
        let noFile = try cli.run(["lease", "list", "--format", "xlsx"])
        #expect(noFile.status == 64 && noFile.stderr.contains("--output FILE.xlsx"))
        let badFolder = try cli.run(["lease", "list", "--format", "xlsx", "--output", "/no/such/folder/x.xlsx"])
        #expect(badFolder.status == 65 && badFolder.stderr.contains("cannot write '/no/such/folder/x.xlsx'"))
    }
}
