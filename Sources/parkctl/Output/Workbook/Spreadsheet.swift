import Foundation
import ParkCore

/// Records as an Excel workbook (.xlsx): one sheet, a bold frozen header row with a
/// filter, typed cells (numbers as numbers with their decimals, dates and times as
/// Excel's, rates as percentages, yes/no as booleans), columns as wide as their text
/// (汉字 count double), a report's total row in bold, and a native chart where a report
/// has one in HTML.
///
/// The sheet is SpreadsheetML written by hand and streamed into the archive
/// (``ZipArchiveWriter``) as the rows come: memory is the first ``measuredRows`` rows
/// (their widths go before the data) and two compression blocks, however long the list.
/// Numbers are written as the exact decimal text the database gave, never through a
/// double. The sheet is called parkctl (Latin letters, which every spreadsheet
/// program's formulas accept).
///
/// Why not libxlsxwriter: it was this writer's first engine, and it spent 5.6 times
/// psql's time on a million-row export (its cell-by-cell `fprintf` and a compression
/// level it does not let one choose); this one compresses on a second thread at zlib's
/// fastest level.
final class Spreadsheet {
    /// Excel's last row.
    static let maxRows = 1_048_576
    /// The rows whose text sets the column widths.
    static let measuredRows = 1_000

    private let path: String
    /// The file written until it is whole (``PartialFile``).
    private let partial: String
    private let zip: ZipArchiveWriter
    private var xml = XMLBuffer()
    /// The sheet's start is written (the widths known): rows go on to the archive.
    private var streaming = false
    private var written = false
    private var widths: [Int] = []
    private var columnNames: [[UInt8]] = []
    private var row = 0
    private var rowDigits: [UInt8] = []
    private var chart: (title: String, categories: Int, values: Int, rows: ClosedRange<Int>, numeric: Bool, line: Bool, percent: Bool)?

    // The cell formats used, numbered as the styles part will list them.
    private var numberFormats: [String] = []
    private var styles: [(format: Int?, bold: Bool)] = [(nil, false)]
    private var styleIndex: [String: Int] = [:]

    /// A new workbook for `path` (replaced once it is written).
    init(path: String) throws {
        self.path = path
        let (partial, fd) = try PartialFile.create(for: path)
        self.partial = partial
        zip = ZipArchiveWriter(fd: fd, shownAs: path)
    }

    deinit {
        if !written { unlink(partial) }
    }

    /// The style of a number format (nil: General) and weight.
    private func style(_ code: String?, bold: Bool) -> Int {
        let key = (code ?? "") + (bold ? "\u{1}bold" : "")
        if let index = styleIndex[key] { return index }
        var format: Int?
        if let code {
            format = numberFormats.firstIndex(of: code) ?? { numberFormats.append(code); return numberFormats.count - 1 }()
        }
        styles.append((format, bold))
        styleIndex[key] = styles.count - 1
        return styles.count - 1
    }

    /// The header row, bold, frozen and filtered.
    func header(_ titles: [String]) throws {
        columnNames = titles.indices.map { Array(Self.columnName($0).utf8) }
        widths = titles.map(DisplayWidth.of)
        let bold = style(nil, bold: true)
        try startRow()
        for (column, title) in titles.enumerated() { text(column, Array(title.utf8)[...], style: bold) }
        try endRow()
    }

    /// One row of values; `bold` for a total.
    func append(_ values: [OutputValue], language: Language, bold: Bool = false) throws {
        try startRow()
        let plain = bold ? style(nil, bold: true) : 0
        for (column, value) in values.enumerated() where column < columnNames.count {
            let shown: String
            switch value {
            case .null, .records, .object:
                shown = ""
            case .integer(let n):
                number(column, Array(String(n).utf8)[...], style: bold ? style("0", bold: true) : 0)
                shown = String(n)
            case .decimal(let d, let places):
                let text = OutputValue.fixed(d, places: places)
                number(column, Array(text.utf8)[...], style: style(places == 0 ? "#,##0" : "#,##0." + String(repeating: "0", count: places), bold: bold))
                shown = OutputValue.grouped(text)
            case .ratio(let d, let places):
                let code = places <= 2 ? "0%" : "0." + String(repeating: "0", count: places - 2) + "%"
                number(column, Array(OutputValue.fixed(d, places: places).utf8)[...], style: style(code, bold: bold))
                shown = value.shown(in: .zh)
            case .day(let date):
                number(column, Array(String(Self.serial(date)).utf8)[...], style: style("yyyy-mm-dd", bold: bold))
                shown = date.description
            case .instant(let instant):
                let t = Timestamps.Fields(instant, Timestamps.shanghai)
                let day = CalendarDate(year: t.y, month: t.m, day: t.d).map(Self.serial) ?? 0
                let serial = Double(day) + Double(t.hour * 3_600 + t.minute * 60 + t.second) / 86_400
                number(column, Array("\(serial)".utf8)[...], style: style("yyyy-mm-dd hh:mm:ss", bold: bold))
                shown = Timestamps.spreadsheet(instant)
            case .bool(let b) where language == .en:
                cell(column, style: plain, type: #" t="b""#)
                xml.append(b ? "<v>1</v></c>" : "<v>0</v></c>")
                shown = "FALSE"
            case .text, .label, .list, .bool:
                // 是 or 否 in Chinese; text is text, never a formula: a cell starting = stays text.
                shown = Validate.escapingControlCharacters(value.shown(in: language), keeping: ["\n"])
                text(column, Array(shown.utf8)[...], style: plain)
            }
            if row <= Self.measuredRows + 1 { widths[column] = max(widths[column], DisplayWidth.of(shown)) }
        }
        try endRow()
    }

    /// One CSV record of an export, typed by its columns' kinds: numbers and dates as
    /// Excel's, text as text (the `'` that protected a formula-like cell in CSV dropped:
    /// a workbook's text cell is never a formula).
    func append(_ record: CSVRecordReader.Record, kinds: [CellKind]) throws {
        if exportStyles.isEmpty {
            exportStyles = kinds.map { kind in
                switch kind {
                case .integer: style("0", bold: false)
                case .number, .percent: style("#,##0.00", bold: false)
                case .date: style("yyyy-mm-dd", bold: false)
                case .text, .label: 0
                }
            }
        }
        try startRow()
        for index in 0..<min(record.count, kinds.count, columnNames.count) {
            let field = record[index]
            guard !field.isEmpty else { continue }
            switch kinds[index] {
            case .integer, .number, .percent:
                if Self.isDecimal(field) { number(index, field, style: exportStyles[index]) } else { text(index, field, style: 0) }
            case .date:
                if let date = Self.isoDate(field) {
                    number(index, Array(String(Self.serial(date)).utf8)[...], style: exportStyles[index])
                } else {
                    text(index, field, style: 0)
                }
            case .text, .label:
                text(index, FormulaGuard.unprotected(field), style: 0)
            }
            if row <= Self.measuredRows + 1 {
                widths[index] = max(widths[index], DisplayWidth.of(String(decoding: field, as: UTF8.self)))
            }
        }
        try endRow()
    }

    private var exportStyles: [Int] = []

    /// A chart of one column of the rows written (`rows`, 1-based after the header) against
    /// another, placed right of the table: columns, or a line for a series over time;
    /// `numericCategories` when the categories are numbers or dates.
    func chart(title: String, categories: Int, values: Int, rows: ClosedRange<Int>, numericCategories: Bool, line: Bool, percent: Bool) {
        chart = (title, categories, values, rows, numericCategories, line, percent)
    }

    /// Sets the widths and writes the file.
    func close() throws {
        if !streaming { try startSheet() }
        xml.append("</sheetData>")
        let filter = columnNames.isEmpty ? nil : "$A$1:$\(Self.columnName(columnNames.count - 1))$\(max(row, 1))"
        if !columnNames.isEmpty { xml.append(#"<autoFilter ref="A1:"#); xml.append(columnNames[columnNames.count - 1]); xml.append(#"1"/>"#) }
        xml.append(#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#)
        if chart != nil { xml.append(#"<drawing r:id="rId1"/>"#) }
        xml.append("</worksheet>")
        try zip.write(xml.bytes)
        try zip.end()

        try add("xl/workbook.xml", WorkbookParts.workbook(filter: filter))
        try add("xl/_rels/workbook.xml.rels", WorkbookParts.workbookRelationships)
        try add("xl/styles.xml", WorkbookParts.styles(numberFormats: numberFormats, styles: styles))
        if let chart {
            func range(_ column: Int) -> String {
                let name = Self.columnName(column)
                return "\(WorkbookParts.sheetName)!$\(name)$\(chart.rows.lowerBound + 1):$\(name)$\(chart.rows.upperBound + 1)"
            }
            try add("xl/worksheets/_rels/sheet1.xml.rels", WorkbookParts.relationships([("drawing", "../drawings/drawing1.xml")]))
            try add("xl/drawings/drawing1.xml", WorkbookParts.drawing(column: columnNames.count + 1))
            try add("xl/drawings/_rels/drawing1.xml.rels", WorkbookParts.relationships([("chart", "../charts/chart1.xml")]))
            try add("xl/charts/chart1.xml", WorkbookParts.chart(title: chart.title, categories: range(chart.categories), values: range(chart.values),
                                                                numericCategories: chart.numeric, line: chart.line, percent: chart.percent))
        }
        try add("docProps/core.xml", WorkbookParts.core(created: Date()))
        try add("_rels/.rels", WorkbookParts.packageRelationships)
        try add("[Content_Types].xml", WorkbookParts.contentTypes(chart: chart != nil))
        try zip.finish()
        try PartialFile.finish(partial, as: path)
        written = true
    }

    private func add(_ name: String, _ text: String) throws { try zip.add(name, Array(text.utf8)) }

    // MARK: The sheet's XML

    private func startRow() throws {
        guard row < Self.maxRows else {
            throw ParkError.invalid("an Excel sheet holds at most \(Self.maxRows) rows and this one has more: "
                                    + "use --format csv (or --park for a part)")
        }
        row += 1
        rowDigits.removeAll(keepingCapacity: true)
        rowDigits.append(contentsOf: String(row).utf8)
        xml.append(#"<row r=""#); xml.append(rowDigits); xml.append(#"">"#)
    }

    private func endRow() throws {
        xml.append("</row>")
        if !streaming, row > Self.measuredRows { try startSheet() }
        if streaming, xml.count >= ZipArchiveWriter.blockSize {
            try zip.write(xml.bytes)
            xml.removeAll()
        }
    }

    /// The sheet's start, now that the widths are known, and the rows kept until now.
    private func startSheet() throws {
        var start = XMLBuffer()
        start.append(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#)
        start.append("\n")
        start.append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        start.append(#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#)
        start.append(#"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#)
        if !widths.isEmpty {
            start.append("<cols>")
            for (index, width) in widths.enumerated() {
                start.append(#"<col min="\#(index + 1)" max="\#(index + 1)" width="\#(Self.storedWidth(min(60, width + 2)))" customWidth="1"/>"#)
            }
            start.append("</cols>")
        }
        start.append("<sheetData>")
        try zip.begin(WorkbookParts.sheetPath, level: 1)
        try zip.write(start.bytes)
        try zip.write(xml.bytes)
        xml.removeAll()
        streaming = true
    }

    /// `<c r="B7" s="3" t="…">`.
    @inline(__always) private func cell(_ column: Int, style: Int, type: StaticString = "") {
        xml.append(#"<c r=""#); xml.append(columnNames[column]); xml.append(rowDigits); xml.append(UInt8(ascii: "\""))
        if style != 0 { xml.append(#" s=""#); xml.append(decimal: style); xml.append(UInt8(ascii: "\"")) }
        if type.utf8CodeUnitCount > 0 { xml.append(type) }
        xml.append(UInt8(ascii: ">"))
    }

    /// A number cell of decimal text (`-1234.50`) as it is.
    private func number(_ column: Int, _ digits: ArraySlice<UInt8>, style: Int) {
        cell(column, style: style)
        xml.append("<v>"); xml.append(digits); xml.append("</v></c>")
    }

    /// A text cell, inline (no shared-strings table to hold in memory); spaces at either
    /// end kept.
    private func text(_ column: Int, _ bytes: ArraySlice<UInt8>, style: Int) {
        cell(column, style: style, type: #" t="inlineStr""#)
        let spaced = bytes.first.map(Self.isSpace) == true || bytes.last.map(Self.isSpace) == true
        xml.append(spaced ? #"<is><t xml:space="preserve">"# : "<is><t>")
        xml.append(escaped: bytes)
        xml.append("</t></is></c>")
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    // MARK: Values

    /// A, B, … Z, AA, AB, … for a 0-based column.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// Excel's serial number of a day: days since 1899-12-30 (right from 1 March 1900,
    /// where Excel's phantom 29 February 1900 is behind).
    static func serial(_ date: CalendarDate) -> Int { date.daysSinceEpoch + 25_569 }

    /// `2026-03-01` from the 1 March 1900 on (before, a day Excel counts wrong: left as text).
    static func isoDate(_ field: ArraySlice<UInt8>) -> CalendarDate? {
        guard field.count == 10 else { return nil }
        let b = Array(field)
        func digits(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b[4] == 0x2D, b[7] == 0x2D, let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10),
              let date = CalendarDate(year: y, month: m, day: d), date >= CalendarDate(year: 1900, month: 3, day: 1)! else { return nil }
        return date
    }

    /// `-12`, `12.50`: decimal text Excel reads as the number it is.
    static func isDecimal(_ field: ArraySlice<UInt8>) -> Bool {
        var i = field.startIndex
        if i < field.endIndex, field[i] == 0x2D { i += 1 }
        var digits = 0, point = false, after = 0
        while i < field.endIndex {
            let b = field[i]
            if b >= 0x30 && b <= 0x39 {
                if point { after += 1 } else { digits += 1 }
            } else if b == 0x2E && !point {
                point = true
            } else {
                return false
            }
            i += 1
        }
        return digits > 0 && (!point || after > 0) && digits <= 15
    }

    /// The width Excel stores for a column `characters` wide: whole pixels of its 7-pixel
    /// digit plus 5 of padding, in 1/256 of a character.
    static func storedWidth(_ characters: Int) -> Double {
        let pixels = characters * 7 + 5
        return Double(Int(Double(pixels) / 7 * 256)) / 256
    }
}
