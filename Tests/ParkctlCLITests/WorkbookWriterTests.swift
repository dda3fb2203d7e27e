import Foundation
import ParkCore
import Testing
@testable import parkctl

/// parkctl's own .xlsx writer, read back by openpyxl (with every entry's CRC-32 checked):
/// a sheet longer than one compression block and than the rows that set the widths.
@Suite struct WorkbookWriterTests {
    @Test func aLongSheetIsWholeAndTyped() throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appending(path: "长表.xlsx").path

        let book = try Spreadsheet(path: path)
        try book.header(["id", "amount", "day", "note"])
        let filler = String(repeating: "园区", count: 150)   // 900 bytes of UTF-8 a row: 2.7 MB in all, three blocks
        let start = CalendarDate(year: 2026, month: 1, day: 1)!
        for i in 1...3_000 {
            // Row 2,500 has the longest note, but only the first 1,000 rows set the widths.
            let note = i == 2_500 ? filler + filler : i == 1_234 ? "第一行\n第二行" : filler
            try book.append([.integer(i), .decimal(Decimal(i) + Decimal(string: "0.56")!, places: 2), .day(start.adding(days: i)), .text(note)],
                            language: .en)
        }
        // Nothing is in place until the workbook is whole.
        #expect(!FileManager.default.fileExists(atPath: path))
        try book.close()

        let sheet = try SpreadsheetOutputTests.read(path)
        #expect(sheet.rows.count == 3_001 && sheet.freeze == "A2" && sheet.filter == "A1:D1")
        let row = sheet.rows[1_234]
        #expect(row[0].value == .number(1_234) && row[0].type == "n")
        // 1234 + 0.56, shown with two decimals.
        #expect(row[1].value == .number(1_234.56) && row[1].format == "#,##0.00")
        // 2026-01-01 + 1,234 days: 365 + 365 + 366 = 1,096 days to 2029-01-01, then 138 more,
        // 31 + 28 + 31 + 30 = 120 to 1 May and 18 beyond: 2029-05-19.
        #expect(row[2].value == .text("2029-05-19 00:00:00") && row[2].type == "d")
        // A line break stays one (control characters are shown escaped, as in tables).
        #expect(row[3].value == .text("第一行\n第二行"))
        #expect(sheet.rows[3_000][0].value == .number(3_000))
        // 150 × 园区 is 600 columns wide: the width stops at 60 (+ Excel's padding), and the
        // longer note of row 2,500 changes nothing.
        #expect(sheet.widths["D"].map { Int($0) } == 60)
        // The longest id of the first 1,000 rows is 1000: 4 wide, 2 more for the margin.
        #expect(sheet.widths["A"].map { Int($0) } == 6)
    }

    /// Excel's escapes: control characters XML cannot hold, and `_xHHHH_` written literally.
    @Test func textXMLCannotHoldIsEscapedAsExcelDoes() {
        var buffer = XMLBuffer()
        buffer.append(escaped: "a\u{1}b_x0041_c_x12G4_<&>\"\r\n\t")
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "a_x0001_b_x005F_x0041_c_x12G4_&lt;&amp;&gt;&quot;&#13;\n\t")
        #expect(Spreadsheet.columnName(0) == "A" && Spreadsheet.columnName(25) == "Z" && Spreadsheet.columnName(26) == "AA"
                && Spreadsheet.columnName(16_383) == "XFD")
        // Excel's day 1 March 1900 is serial 61; 1 January 2026 is 46023.
        #expect(Spreadsheet.serial(CalendarDate(year: 1900, month: 3, day: 1)!) == 61)
        #expect(Spreadsheet.serial(CalendarDate(year: 2026, month: 1, day: 1)!) == 46_023)
        #expect(Spreadsheet.isDecimal(Array("-12.50".utf8)[...]) && !Spreadsheet.isDecimal(Array("1e5".utf8)[...])
                && !Spreadsheet.isDecimal(Array("12.".utf8)[...]) && !Spreadsheet.isDecimal(Array("NaN".utf8)[...]))
    }

    /// `--output` never writes through a link planted at its partial file's name, and
    /// refuses to replace what is not a regular file (a device, a FIFO).
    @Test func theOutputFileIsWrittenOnlyWhereItIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let victim = dir.appending(path: "victim.txt").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let destination = dir.appending(path: "o.xlsx").path
        try FileManager.default.createSymbolicLink(atPath: PartialFile.path(for: destination), withDestinationPath: victim)
        let book = try Spreadsheet(path: destination)
        try book.header(["a"])
        try book.close()
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        let attributes = try FileManager.default.attributesOfItem(atPath: destination)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)

        let fifo = dir.appending(path: "pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let refused = #expect(throws: ParkError.self) { _ = try Spreadsheet(path: fifo) }
        #expect(refused?.message.contains("is not a regular file") == true)
    }
}
