import ArgumentParser
import Foundation
import ParkCore

/// `--format table|json|csv|xlsx`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, xlsx
}

struct FormatOptions: ParsableArguments {
    // ArgumentParser lists the values from allCases: "(values: table, json, csv; default: table)".
    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Flag(help: "CSV for Excel: UTF-8 with a byte-order mark, so that Excel reads the Chinese right.")
    var excel = false

    @Option(choice: "Encoding of CSV (gbk: what Excel and WPS on Chinese Windows open by default)")
    var encoding: TextEncoding = .utf8

    @Option(help: ArgumentHelp("CSV headers and labels in this language (default: PARKCTL_LANG's); en gives the JSON keys and codes.",
                               valueName: "language"))
    var headers: Language?

    @Option(help: ArgumentHelp("Write to this file instead of standard output (needed for --format xlsx).", valueName: "file"))
    var output: String?

    /// Prints records as a list in the chosen format; a spreadsheet gets `chart`, if any.
    func print(_ records: [Record], as fixed: OutputFormat? = nil, columns: [String]? = nil, chart: SpreadsheetChart? = nil) throws {
        let format = fixed ?? format
        if format == .xlsx { return try writeSpreadsheet(records, columns: columns, chart: chart) }
        try emit(Renderer.render(records, as: format, columns: columns, language: language(for: format)))
    }

    /// Prints one record (a `show`); in a spreadsheet, a row a field.
    func printOne(_ record: Record) throws {
        if format == .xlsx {
            let language = language(for: .xlsx)
            let rows = record.fields.map { Record([("field", .text(Renderer.header($0.key, language))), ("value", $0.value)]) }
            return try writeSpreadsheet(rows, columns: nil, chart: nil)
        }
        try emit(Renderer.renderOne(record, as: format, language: language(for: format)))
    }

    /// The records as one sheet of an .xlsx file; a report's total row in bold.
    private func writeSpreadsheet(_ records: [Record], columns: [String]?, chart: SpreadsheetChart?) throws {
        guard let output else { throw ParkError.invalid("--format xlsx writes a file: give --output FILE.xlsx") }
        let language = language(for: .xlsx)
        let keys = columns ?? Renderer.scalarKeys(records.first)
        let book = try Spreadsheet(path: output)
        try book.header(keys.map { Renderer.header($0, language) })
        for record in records {
            var total = false
            if case .label("total", _)? = record["scope"] { total = true }
            try book.append(keys.map { record[$0] ?? .null }, language: language, bold: total)
        }
        // The chart leaves the total out: it compares the rows.
        let charted = records.prefix { if case .label("total", _)? = $0["scope"] { false } else { true } }.count
        if let chart, charted > 0, let categories = keys.firstIndex(of: chart.categories), let values = keys.firstIndex(of: chart.values) {
            let numeric: Bool
            switch records.first?[chart.categories] {
            case .integer?, .decimal?, .day?: numeric = true
            default: numeric = false
            }
            book.chart(title: Catalogue.text(chart.title, in: language), categories: categories, values: values, rows: 1...charted,
                       numericCategories: numeric, line: chart.line, percent: true)
        }
        try book.close()
    }

    /// Tables follow PARKCTL_LANG; CSV too, unless --headers says otherwise; JSON is the
    /// stable English contract.
    func language(for format: OutputFormat) -> Language {
        switch format {
        case .json: .en
        case .csv, .xlsx: headers ?? OutputLanguage.current
        case .table: OutputLanguage.current
        }
    }

    func validate() throws {
        if encoding == .utf16 { throw ValidationError("--encoding utf-16 is for import; CSV for Excel is --excel or --encoding gbk") }
        if format != .csv, excel || encoding != .utf8 {
            throw ValidationError("--excel and --encoding are for --format csv")
        }
        if format != .csv && format != .xlsx, headers != nil { throw ValidationError("--headers is for --format csv or xlsx") }
        if format == .xlsx, output == nil { throw ValidationError("--format xlsx writes a file: give --output FILE.xlsx") }
        if excel, encoding != .utf8 {
            throw ValidationError("--excel writes UTF-8 with a byte-order mark; --encoding gbk writes GBK, which has none: give one of them")
        }
    }

    /// Prints rendered output (to --output's file, if given): CSV in the encoding asked
    /// for, the rest as it is.
    func emit(_ text: String) throws {
        guard format == .csv, excel || encoding != .utf8 else { return try write(Data(text.utf8)) }
        var bytes: [UInt8] = excel ? [0xEF, 0xBB, 0xBF] : []
        if encoding == .gbk {
            let transcoder = try GB18030Transcoder(toGB18030: true)
            try Array(text.utf8).withUnsafeBytes { utf8 in
                try transcoder.convert(utf8, offset: 0) { bytes.append(contentsOf: $0) }
            }
            try transcoder.finish()
        } else {
            bytes.append(contentsOf: text.utf8)
        }
        try write(Data(bytes))
    }

    private func write(_ data: Data) throws {
        guard let output else {
            // A full disk or a closed pipe is an error to report, not a crash.
            do { try FileHandle.standardOutput.write(contentsOf: data) } catch {
                throw ParkError.invalid("cannot write to standard output: \(error.localizedDescription)")
            }
            return
        }
        // Whole or not at all, as a workbook: written aside and renamed (PartialFile).
        let (partial, fd) = try PartialFile.create(for: output)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.close()
        } catch {
            unlink(partial)
            throw ParkError.invalid("cannot write '\(output)': \(error.localizedDescription)")
        }
        try PartialFile.finish(partial, as: output)
    }
}

/// A native chart for a report's spreadsheet: `values` (a rate) by `categories`, both keys
/// of its records; `title` a catalogue key.
struct SpreadsheetChart {
    var title: String
    var categories: String
    var values: String
    var line = false
}

/// Prints records in the chosen format.
///
/// - table: aligned columns by display width (CJK counts double), numbers right-aligned;
/// - json: an array of objects (or one object for `show`), snake_case keys, numbers as numbers;
/// - csv: RFC 4180, a header row with the same names as the JSON keys.
enum Renderer {
    static func render(_ records: [Record], as format: OutputFormat, columns: [String]? = nil, language: Language = .en) -> String {
        switch format {
        case .json: return json(.records(records)) + "\n"
        // A workbook is written by FormatOptions; as text it is its CSV.
        case .csv, .xlsx: return csv(records, columns: columns, language: language)
        case .table: return table(records, columns: columns, language: language)
        }
    }

    static func renderOne(_ record: Record, as format: OutputFormat, language: Language = .en) -> String {
        switch format {
        case .json: return json(.object(record)) + "\n"
        case .csv, .xlsx: return csv([record], columns: nil, language: language)
        case .table: return keyValue(record, language: language)
        }
    }

    /// A column's header: the key itself in English (the JSON key), the catalogue's name otherwise.
    static func header(_ key: String, _ language: Language) -> String {
        language == .en ? key : Catalogue.text("column." + key, in: language)
    }

    // MARK: table

    static func table(_ records: [Record], columns: [String]?, language: Language = .en) -> String {
        guard let first = records.first else { return "(none)\n" }
        let keys = columns ?? first.keys.filter { key in
            if case .records = first[key] { return false }
            if case .object = first[key] { return false }
            return true
        }
        let cells = records.map { r in keys.map { cellText(r[$0]?.shown(in: language) ?? "") } }
        let numeric = keys.map { key in
            records.allSatisfy { r in
                switch r[key] { case .integer?, .decimal?, .ratio?, .null?, nil: true; default: false }
            }
        }
        let titles = keys.map { header($0, language) }
        var widths = titles.map(DisplayWidth.of)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(c)) } }
        func line(_ values: [String]) -> String {
            var parts: [String] = []
            for (i, v) in values.enumerated() {
                let last = i == values.count - 1
                parts.append(numeric[i] ? DisplayWidth.pad(v, to: widths[i], right: true)
                             : (last ? v : DisplayWidth.pad(v, to: widths[i])))
            }
            return parts.joined(separator: "  ")
        }
        var out = line(titles) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }

    /// A table cell: one line that cannot drive the terminal or fake a row. A line
    /// break shows as ↵ and a tab as a space; other control characters as \u{…}.
    static func cellText(_ text: String) -> String {
        Validate.escapingControlCharacters(text, keeping: ["\n", "\t"])
            .replacingOccurrences(of: "\n", with: "↵").replacingOccurrences(of: "\t", with: " ")
    }

    static func keyValue(_ record: Record, indent: String = "", language: Language = .en) -> String {
        let scalars = record.fields.filter { if case .records = $0.value { false } else if case .object = $0.value { false } else { true } }
        let width = scalars.map { DisplayWidth.of(header($0.key, language)) }.max() ?? 0
        var out = ""
        for field in scalars {
            // A multi-line value (a ticket's description) continues under its first line;
            // other control characters are written as \u{…}.
            let value = Validate.escapingControlCharacters(field.value.shown(in: language), keeping: ["\n"])
                .replacingOccurrences(of: "\n", with: "\n" + indent + String(repeating: " ", count: width + 2))
            out += indent + DisplayWidth.pad(header(field.key, language) + ":", to: width + 1) + " " + value + "\n"
        }
        for field in record.fields {
            switch field.value {
            case .records(let rs):
                out += "\n\(indent)\(header(field.key, language)):\n"
                let nestedTables = rs.contains { $0.fields.contains { if case .records = $0.value { true } else { false } } }
                if nestedTables {
                    for r in rs { out += keyValue(r, indent: indent + "  ", language: language) + "\n" }
                } else {
                    out += table(rs, columns: nil, language: language).split(separator: "\n", omittingEmptySubsequences: false)
                        .map { $0.isEmpty ? "" : indent + "  " + $0 }.joined(separator: "\n")
                }
            case .object(let r):
                out += "\n\(indent)\(header(field.key, language)):\n" + keyValue(r, indent: indent + "  ", language: language)
            default: break
            }
        }
        return out
    }

    // MARK: csv

    /// The keys of a record's own values (not its nested lists), the columns of CSV and spreadsheets.
    static func scalarKeys(_ record: Record?) -> [String] {
        record?.fields.filter { field in
            if case .records = field.value { return false }
            if case .object = field.value { return false }
            return true
        }.map(\.key) ?? []
    }

    static func csv(_ records: [Record], columns: [String]?, language: Language = .en) -> String {
        let keys = columns ?? scalarKeys(records.first)
        var out = keys.map { csvField(header($0, language)) }.joined(separator: ",") + "\r\n"
        for r in records {
            out += keys.map { csvField(r[$0].map { csvText($0, language) } ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// A value's CSV text: text that a spreadsheet would run as a formula is protected
    /// (``FormulaGuard``), control characters but line breaks and tabs are written as
    /// `\u{1B}`; numbers stay numbers.
    static func csvText(_ value: OutputValue, _ language: Language = .en) -> String {
        switch value {
        case .label(let code, let key): language == .en ? code : Catalogue.text(key, in: language)
        case .bool: value.shown(in: language)
        case .text, .list: FormulaGuard.protect(Validate.escapingControlCharacters(value.plain, keeping: ["\n", "\t"]))
        case .instant(let date): Timestamps.spreadsheet(date)
        default: value.plain
        }
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") || s.hasSuffix(" ") else {
            return s
        }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: json

    static func json(_ value: OutputValue) -> String {
        var out = ""
        out.reserveCapacity(4096)
        writeJSON(value, indent: 0, into: &out)
        return out
    }

    /// Appends to one string: building a string per value and joining them was the
    /// cost of large reports.
    static func writeJSON(_ value: OutputValue, indent: Int, into out: inout String) {
        func newline(_ level: Int) {
            out.append("\n")
            for _ in 0..<level { out.append("  ") }
        }
        switch value {
        case .text(let s): appendJSONString(s, into: &out)
        case .integer(let i): out.append(String(i))
        case .decimal(let d, let places): out.append(OutputValue.fixed(d, places: places))
        case .bool(let b): out.append(b ? "true" : "false")
        case .instant(let date): appendJSONString(Timestamps.iso8601(date), into: &out)
        case .day(let date): appendJSONString(date.description, into: &out)
        case .label(let code, _): appendJSONString(code, into: &out)
        case .ratio(let d, let places): out.append(OutputValue.fixed(d, places: places))
        case .null: out.append("null")
        case .list(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(", ") }
                appendJSONString(item, into: &out)
            }
            out.append("]")
        case .records(let rs):
            if rs.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, r) in rs.enumerated() {
                if i > 0 { out.append(",") }
                newline(indent + 1)
                writeJSON(.object(r), indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append("]")
        case .object(let r):
            if r.fields.isEmpty { out.append("{}"); return }
            out.append("{")
            for (i, field) in r.fields.enumerated() {
                if i > 0 { out.append(",") }
                newline(indent + 1)
                appendJSONString(field.key, into: &out)
                out.append(": ")
                writeJSON(field.value, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append("}")
        }
    }

    static func appendJSONString(_ s: String, into out: inout String) {
        // Most values need no escaping: append them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 || $0 == 0xC2 || $0 == 0x7F }) {
            out.append("\"")
            out.append(s)
            out.append("\"")
            return
        }
        out.append(jsonString(s))
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Controls (C1 too) and the bidirectional ones are escaped: JSON printed to a
            // terminal cannot drive it.
            case _ where Validate.isUnsafeForTerminal(scalar):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
