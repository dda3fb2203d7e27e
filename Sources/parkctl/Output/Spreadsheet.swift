import CXlsxWriter
import Foundation
import ParkCore

/// Records as an Excel workbook (.xlsx), through libxlsxwriter: one sheet, a bold
/// frozen header row with a filter, typed cells (numbers as numbers with their
/// decimals, dates and times as Excel's, rates as percentages, yes/no as booleans),
/// columns as wide as their text (汉字 count double), a report's total row in bold.
/// Rows are written in order in constant memory, so a long list costs no more than a
/// short one. The sheet is called parkctl (a name in Latin letters, which every
/// spreadsheet program's formulas accept).
final class Spreadsheet {
    private let workbook: UnsafeMutablePointer<lxw_workbook>
    private let sheet: UnsafeMutablePointer<lxw_worksheet>
    private let path: String
    private var formats: [String: UnsafeMutablePointer<lxw_format>] = [:]
    private var widths: [Int] = []
    private var row: lxw_row_t = 0
    private var closed = false

    /// The file written until it is whole (``PartialFile``).
    private let partial: String

    /// Excel's last row.
    static let maxRows: lxw_row_t = 1_048_576

    /// A new workbook for `path` (replaced once it is written).
    init(path: String) throws {
        partial = PartialFile.path(for: path)
        var options = lxw_workbook_options(constant_memory: UInt8(LXW_TRUE.rawValue), tmpdir: nil, use_zip64: UInt8(LXW_TRUE.rawValue))
        guard let workbook = workbook_new_opt(partial, &options) else {
            throw ParkError.invalid("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        self.workbook = workbook
        self.path = path
        guard let sheet = workbook_add_worksheet(workbook, "parkctl") else {
            workbook_close(workbook)
            throw ParkError(.internalError, "libxlsxwriter made no worksheet")
        }
        self.sheet = sheet
    }

    deinit {
        if !closed { workbook_close(workbook) }
        unlink(partial)
    }

    /// A cell format, made once per kind (Excel keeps a table of them).
    private func format(_ name: String, _ setUp: (UnsafeMutablePointer<lxw_format>) -> Void) -> UnsafeMutablePointer<lxw_format> {
        if let f = formats[name] { return f }
        let f = workbook_add_format(workbook)!
        setUp(f)
        formats[name] = f
        return f
    }

    private func numberFormat(_ code: String, bold: Bool) -> UnsafeMutablePointer<lxw_format> {
        format(code + (bold ? "/bold" : "")) { f in
            format_set_num_format(f, code)
            if bold { format_set_bold(f) }
        }
    }

    /// The header row, bold, frozen and filtered.
    func header(_ titles: [String]) {
        let bold = format("header") { format_set_bold($0) }
        for (column, title) in titles.enumerated() {
            worksheet_write_string(sheet, row, lxw_col_t(column), title, bold)
        }
        widths = titles.map(DisplayWidth.of)
        worksheet_freeze_panes(sheet, 1, 0)
        if !titles.isEmpty { worksheet_autofilter(sheet, 0, 0, 0, lxw_col_t(titles.count - 1)) }
        row += 1
    }

    /// One row of values; `bold` for a total.
    func append(_ values: [OutputValue], language: Language, bold: Bool = false) {
        for (index, value) in values.enumerated() {
            let column = lxw_col_t(index)
            let shown: String
            switch value {
            case .null, .records, .object:
                shown = ""
            case .integer(let n):
                worksheet_write_number(sheet, row, column, Double(n), bold ? numberFormat("0", bold: true) : nil)
                shown = String(n)
            case .decimal(let d, let places):
                let code = places == 0 ? "#,##0" : "#,##0." + String(repeating: "0", count: places)
                let text = OutputValue.fixed(d, places: places)
                worksheet_write_number(sheet, row, column, Self.double(text), numberFormat(code, bold: bold))
                shown = OutputValue.grouped(text)
            case .ratio(let d, let places):
                let code = places <= 2 ? "0%" : "0." + String(repeating: "0", count: places - 2) + "%"
                worksheet_write_number(sheet, row, column, Self.double(OutputValue.fixed(d, places: places)), numberFormat(code, bold: bold))
                shown = value.shown(in: .zh)
            case .day(let date):
                var when = lxw_datetime(year: Int32(date.year), month: Int32(date.month), day: Int32(date.day), hour: 0, min: 0, sec: 0)
                worksheet_write_datetime(sheet, row, column, &when, numberFormat("yyyy-mm-dd", bold: bold))
                shown = date.description
            case .instant(let instant):
                let t = Timestamps.Fields(instant, Timestamps.shanghai)
                var when = lxw_datetime(year: Int32(t.y), month: Int32(t.m), day: Int32(t.d), hour: Int32(t.hour), min: Int32(t.minute),
                                        sec: Double(t.second))
                worksheet_write_datetime(sheet, row, column, &when, numberFormat("yyyy-mm-dd hh:mm:ss", bold: bold))
                shown = Timestamps.spreadsheet(instant)
            case .bool(let b) where language == .en:
                worksheet_write_boolean(sheet, row, column, b ? 1 : 0, bold ? format("bold") { format_set_bold($0) } : nil)
                shown = "FALSE"
            case .bool:
                // 是 or 否, as the Chinese table says.
                shown = value.shown(in: language)
                worksheet_write_string(sheet, row, column, shown, bold ? format("bold") { format_set_bold($0) } : nil)
            case .text, .label, .list:
                // Written as text, never read as a formula: a cell starting = stays text.
                shown = Validate.escapingControlCharacters(value.shown(in: language), keeping: ["\n"])
                worksheet_write_string(sheet, row, column, shown, bold ? format("bold") { format_set_bold($0) } : nil)
            }
            if index < widths.count { widths[index] = max(widths[index], DisplayWidth.of(shown)) }
        }
        row += 1
    }

    /// One CSV record of an export, typed by its columns' kinds: numbers and dates as
    /// Excel's, text as text (the `'` that protected a formula-like cell in CSV dropped:
    /// a workbook's text cell is never a formula). Widths follow the first 1,000 rows.
    func append(_ record: CSVRecordReader.Record, kinds: [CellKind]) {
        for index in 0..<min(record.count, kinds.count) {
            let field = record[index]
            guard !field.isEmpty else { continue }
            let column = lxw_col_t(index)
            cString.removeAll(keepingCapacity: true)
            var written = false
            switch kinds[index] {
            case .integer, .number, .percent:
                cString.append(contentsOf: field.map { CChar(bitPattern: $0) })
                cString.append(0)
                var end: UnsafeMutablePointer<CChar>?
                let number = cString.withUnsafeBufferPointer { p in strtod(p.baseAddress!, &end) }
                if let end, end.pointee == 0 {
                    let code: String
                    if case .integer = kinds[index] { code = "0" } else { code = "#,##0.00" }
                    worksheet_write_number(sheet, row, column, number, numberFormat(code, bold: false))
                    written = true
                }
            case .date:
                if let date = CalendarDate(String(decoding: field, as: UTF8.self)) {
                    var when = lxw_datetime(year: Int32(date.year), month: Int32(date.month), day: Int32(date.day), hour: 0, min: 0, sec: 0)
                    worksheet_write_datetime(sheet, row, column, &when, numberFormat("yyyy-mm-dd", bold: false))
                    written = true
                }
            case .text, .label:
                break
            }
            if !written {
                cString.removeAll(keepingCapacity: true)
                cString.append(contentsOf: FormulaGuard.unprotected(field).map { CChar(bitPattern: $0) })
                cString.append(0)
                cString.withUnsafeBufferPointer { _ = worksheet_write_string(sheet, row, column, $0.baseAddress!, nil) }
            }
            if row <= 1_000, index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(String(decoding: field, as: UTF8.self)))
            }
        }
        row += 1
    }

    /// A reused buffer for a cell's NUL-terminated text.
    private var cString: [CChar] = []

    /// A chart of one column of the rows written (`rows`, 1-based after the header) against
    /// another, placed right of the table: columns, or a line for a series over time.
    func chart(title: String, categories: Int, values: Int, rows: ClosedRange<Int>, line: Bool, percent: Bool) {
        guard let chart = workbook_add_chart(workbook, UInt8(line ? LXW_CHART_LINE.rawValue : LXW_CHART_COLUMN.rawValue)) else { return }
        let series = chart_add_series(chart, nil, nil)
        chart_series_set_categories(series, "parkctl", lxw_row_t(rows.lowerBound), lxw_col_t(categories),
                                    lxw_row_t(rows.upperBound), lxw_col_t(categories))
        chart_series_set_values(series, "parkctl", lxw_row_t(rows.lowerBound), lxw_col_t(values),
                                lxw_row_t(rows.upperBound), lxw_col_t(values))
        chart_title_set_name(chart, title)
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
        if percent { chart_axis_set_num_format(chart.pointee.y_axis, "0%") }
        worksheet_insert_chart(sheet, 1, lxw_col_t(widths.count + 1), chart)
    }

    /// The double nearest the decimal text (47.76, not 47.760000000000005 as Decimal's
    /// own conversion gives), so that the file holds what Excel would for 47.76.
    static func double(_ text: String) -> Double { Double(text) ?? 0 }

    /// Sets the widths and writes the file.
    func close() throws {
        guard row <= Self.maxRows else {
            throw ParkError.invalid("an Excel sheet holds at most \(Self.maxRows) rows and this one has \(row): "
                                    + "use --format csv (or --park for a part)")
        }
        for (column, width) in widths.enumerated() {
            worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), Double(min(60, width + 2)), nil)
        }
        closed = true
        let status = workbook_close(workbook)
        guard status == LXW_NO_ERROR else {
            throw ParkError.invalid("cannot write '\(path)': \(String(cString: lxw_strerror(status)))")
        }
        try PartialFile.finish(partial, as: path)
    }
}
