import Foundation
@testable import ParkCore
import Testing

/// The sheet reader's events, however the zip cuts the XML into chunks.
@Suite struct SheetParserTests {
    /// A sheet as Excel writes one: shared and inline strings, an entity, a date-styled
    /// number, a percentage, a self-closing empty cell, a skipped column, a formula, an
    /// empty row, rows numbered 1, 2, 5.
    static let xml = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
        <row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>备注 &amp; note</t></is></c></row>\
        <row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>46082</v></c><c r="C2" s="2"><v>0.03</v></c><c r="D2" s="0"/></row>\
        <row r="4"/>\
        <row r="5"><c r="B5"><f>1+1</f><v>2</v></c><c r="C5" t="b"><v>1</v></c></row>\
        </sheetData></worksheet>
        """

    @Test func rowsComeOutTheSameWhateverTheChunks() throws {
        let strings = ["园区", "面积(㎡)", "SW"]
        let styles: [SpreadsheetReader.NumberStyle] = [.plain, .date, .percent]
        let bytes = Array(Self.xml.utf8)
        // 2026-03-01 is Excel's day 46082: 2025-01-01 is 45658, + 365 (2025) = 46023 for 2026-01-01, + 31 + 28 = 46082.
        let expected: [(Int, [String])] = [(1, ["园区", "面积(㎡)", "", "备注 & note"]), (2, ["SW", "2026-03-01", "3%"]), (5, ["", "2", "TRUE"])]
        for size in [1, 2, 3, 7, 64, bytes.count] {
            var parser = SheetParser(strings: strings, styles: styles)
            var rows: [(Int, [String])] = []
            var offset = 0
            while offset < bytes.count {
                let chunk = Data(bytes[offset..<min(bytes.count, offset + size)])
                try parser.feed(chunk) { rows.append(($0, $1)) }
                offset += size
            }
            try parser.finish { rows.append(($0, $1)) }
            #expect(rows.map(\.0) == expected.map(\.0), "chunks of \(size)")
            #expect(rows.map(\.1) == expected.map(\.1), "chunks of \(size)")
        }
    }

    @Test func numberFormatsAreReadFromTheStyles() {
        let styles = SpreadsheetReader.numberStyles("""
            <styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>\
            <numFmt numFmtId="165" formatCode="#,##0.00&quot;元&quot;"/></numFmts>\
            <cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="9"/></cellXfs></styleSheet>
            """)
        // 元 inside quotes is not a day's d; 年月日 inside quotes leave y, m, d.
        #expect(styles == [.plain, .date, .date, .plain, .percent])
    }

    /// Each <si>, with or without attributes, in order: skipping one moved every later
    /// index (the review's 120 read as 12).
    @Test func sharedStringsKeepTheirOrder() {
        let xml = """
            <sst count="4"><si a="1"><t>120</t></si><si><t xml:space="preserve"> 12 </t></si>            <si><r><t>256</t></r><r><rPr/><t>.5㎡</t></r><rPh><t>ふりがな</t></rPh></si><si><t/></si></sst>
            """
        #expect(SpreadsheetReader.sharedStrings(xml) == ["120", " 12 ", "256.5㎡", ""])
        #expect(SpreadsheetReader.numberStyles("<cellXfs><xf numFmtId=\"1\"/><xf numFmtId=\"164\"/></cellXfs><numFmts><numFmt numFmtId=\"164\" formatCode=\"0000\"/></numFmts>")
                == [.plain, .zeroPadded(4)])
    }
}
