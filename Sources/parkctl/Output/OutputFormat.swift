import ArgumentParser
import Foundation
import ParkCore

/// `--format table|json|csv`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct FormatOptions: ParsableArguments {
    // ArgumentParser lists the values from allCases: "(values: table, json, csv; default: table)".
    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Flag(help: "CSV for Excel: UTF-8 with a byte-order mark, so that Excel reads the Chinese right.")
    var excel = false

    @Option(choice: "Encoding of CSV (gbk: what Excel and WPS on Chinese Windows open by default)")
    var encoding: TextEncoding = .utf8

    func validate() throws {
        if format != .csv, excel || encoding != .utf8 {
            throw ValidationError("--excel and --encoding are for --format csv")
        }
        if excel, encoding != .utf8 {
            throw ValidationError("--excel writes UTF-8 with a byte-order mark; --encoding gbk writes GBK, which has none: give one of them")
        }
    }

    /// Prints rendered output: CSV in the encoding asked for, the rest as it is.
    func emit(_ text: String) throws {
        guard format == .csv, excel || encoding != .utf8 else { return parkctl.emit(text) }
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
        FileHandle.standardOutput.write(Data(bytes))
    }
}

/// Prints records in the chosen format.
///
/// - table: aligned columns by display width (CJK counts double), numbers right-aligned;
/// - json: an array of objects (or one object for `show`), snake_case keys, numbers as numbers;
/// - csv: RFC 4180, a header row with the same names as the JSON keys.
enum Renderer {
    static func render(_ records: [Record], as format: OutputFormat, columns: [String]? = nil) -> String {
        switch format {
        case .json: return json(.records(records)) + "\n"
        case .csv: return csv(records, columns: columns)
        case .table: return table(records, columns: columns)
        }
    }

    static func renderOne(_ record: Record, as format: OutputFormat) -> String {
        switch format {
        case .json: return json(.object(record)) + "\n"
        case .csv: return csv([record], columns: nil)
        case .table: return keyValue(record)
        }
    }

    // MARK: table

    static func table(_ records: [Record], columns: [String]?) -> String {
        guard let first = records.first else { return "(none)\n" }
        let keys = columns ?? first.keys.filter { key in
            if case .records = first[key] { return false }
            if case .object = first[key] { return false }
            return true
        }
        let cells = records.map { r in keys.map { cellText(r[$0]?.plain ?? "") } }
        let numeric = keys.map { key in
            records.allSatisfy { r in
                switch r[key] { case .integer?, .decimal?, .null?, nil: true; default: false }
            }
        }
        var widths = keys.map(DisplayWidth.of)
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
        var out = line(keys) + "\n"
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

    static func keyValue(_ record: Record, indent: String = "") -> String {
        let scalars = record.fields.filter { if case .records = $0.value { false } else if case .object = $0.value { false } else { true } }
        let width = scalars.map { DisplayWidth.of($0.key) }.max() ?? 0
        var out = ""
        for field in scalars {
            // A multi-line value (a ticket's description) continues under its first line;
            // other control characters are written as \u{…}.
            let value = Validate.escapingControlCharacters(field.value.plain, keeping: ["\n"])
                .replacingOccurrences(of: "\n", with: "\n" + indent + String(repeating: " ", count: width + 2))
            out += indent + DisplayWidth.pad(field.key + ":", to: width + 1) + " " + value + "\n"
        }
        for field in record.fields {
            switch field.value {
            case .records(let rs):
                out += "\n\(indent)\(field.key):\n"
                let nestedTables = rs.contains { $0.fields.contains { if case .records = $0.value { true } else { false } } }
                if nestedTables {
                    for r in rs { out += keyValue(r, indent: indent + "  ") + "\n" }
                } else {
                    out += table(rs, columns: nil).split(separator: "\n", omittingEmptySubsequences: false)
                        .map { $0.isEmpty ? "" : indent + "  " + $0 }.joined(separator: "\n")
                }
            case .object(let r):
                out += "\n\(indent)\(field.key):\n" + keyValue(r, indent: indent + "  ")
            default: break
            }
        }
        return out
    }

    // MARK: csv

    static func csv(_ records: [Record], columns: [String]?) -> String {
        let keys = columns ?? records.first?.keys.filter { k in
            if case .records = records.first?[k] { return false }
            if case .object = records.first?[k] { return false }
            return true
        } ?? []
        var out = keys.map(csvField).joined(separator: ",") + "\r\n"
        for r in records {
            out += keys.map { csvField(r[$0].map(csvText) ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// A value's CSV text: text that a spreadsheet would run as a formula is protected
    /// (``FormulaGuard``), control characters but line breaks and tabs are written as
    /// `\u{1B}`; numbers stay numbers.
    static func csvText(_ value: OutputValue) -> String {
        switch value {
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
