import Foundation
import ZIPFoundation

/// Reads the rows of one sheet of an .xlsx workbook for import, streamed: the sheet's
/// XML comes out of the zip in chunks and is read by a small event reader of its own
/// (a sheet is rows of cells, `<row r="7"><c r="B7" t="s" s="3"><v>12</v></c>…`), so
/// memory holds the shared strings and one row, never the sheet. Each row is handed
/// over with the number Excel shows for it; empty rows are skipped.
///
/// Cells become the text a CSV would hold: shared and inline strings as they are,
/// numbers as written (`256.5`), a cell formatted as a date as YYYY-MM-DD (Excel keeps
/// dates as day counts since 1899-12-30), one formatted as a percentage as `3%`,
/// booleans as TRUE or FALSE.
struct SpreadsheetReader {
    let archive: Archive
    /// The workbook's shared strings, by index.
    let strings: [String]
    /// For each cell style (the `s` attribute), how its number is shown.
    let styles: [NumberStyle]
    /// The sheet's file in the zip.
    let sheetPath: String

    enum NumberStyle: Equatable { case plain, date, dateTime, percent, zeroPadded(Int) }

    /// Days from Excel's day 0 to 1970-01-01: 25,569 in the 1900 date system, 24,107
    /// in the 1904 one (older Mac workbooks, `<workbookPr date1904="1"/>`).
    let epochOffset: Int

    /// The sheet called `sheet`, or the first one Excel shows (a hidden sheet is not
    /// what a person looking at the workbook means).
    init(path: String, sheet: String?) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ParkError.invalid("cannot open '\(path)': \(FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")")
        }
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ParkError.invalid("'\(path)' is not an .xlsx workbook (it cannot be read as a zip file)")
        }
        let workbook = try Self.text(archive, "xl/workbook.xml", of: path)
        let relations = try Self.text(archive, "xl/_rels/workbook.xml.rels", of: path)
        // <sheet name="房源" sheetId="1" r:id="rId1" state="hidden"/>, in the workbook's order.
        let sheets = Self.elements("sheet", in: workbook).compactMap { attributes -> (name: String, id: String, shown: Bool)? in
            guard let name = attributes["name"], let id = attributes["r:id"] else { return nil }
            return (name, id, attributes["state"].map { $0 == "visible" } ?? true)
        }
        guard let chosen = sheet.map({ name in sheets.first { $0.name == name } }) ?? sheets.first(where: \.shown) else {
            let names = sheets.map(\.name).joined(separator: ", ")
            throw ParkError.invalid(sheet.map { "the workbook has no sheet '\($0)'; its sheets are \(names)" }
                                    ?? "the workbook has no sheet that Excel shows")
        }
        let links = Self.elements("Relationship", in: relations)
        guard let target = links.first(where: { $0["Id"] == chosen.id })?["Target"] else {
            throw ParkError.invalid("'\(path)' names sheet '\(chosen.name)' but does not hold it")
        }
        sheetPath = Self.part(target)
        let date1904 = Self.elements("workbookPr", in: workbook).first?["date1904"]
        epochOffset = date1904 == "1" || date1904 == "true" ? 24_107 : 25_569
        // The shared strings where the workbook's links say (xl/sharedStrings.xml as a rule).
        let stringsPart = links.first { $0["Type"]?.hasSuffix("/sharedStrings") == true }?["Target"].map(Self.part)
            ?? "xl/sharedStrings.xml"
        let archive = self.archive
        strings = archive[stringsPart] == nil ? [] : Self.sharedStrings(try Self.text(archive, stringsPart, of: path, limit: Self.maxStrings))
        styles = archive["xl/styles.xml"] == nil ? [] : Self.numberStyles(try Self.text(archive, "xl/styles.xml", of: path, limit: Self.maxStrings))
    }

    /// 64 MiB of shared strings (a sheet of 200,000 rows of units holds 2): more is no
    /// park's spreadsheet, and would only fill memory.
    static let maxStrings = 64 << 20

    /// A part's name in the zip from a link's target, relative to xl/ unless absolute.
    static func part(_ target: String) -> String {
        target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }

    /// Calls `body` with each row that has a cell: Excel's row number and the cells'
    /// texts by column (A is 0; a column with no cell is empty).
    func rows(_ body: (Int, [String]) throws -> Void) throws {
        guard let entry = archive[sheetPath] else { throw ParkError.invalid("the workbook does not hold \(sheetPath)") }
        var parser = SheetParser(strings: strings, styles: styles, epochOffset: epochOffset)
        _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { chunk in
            try parser.feed(chunk, body)
        }
        try parser.finish(body)
    }

    // MARK: the workbook's small parts, read whole

    static func text(_ archive: Archive, _ name: String, of path: String, limit: Int = 16 << 20) throws -> String {
        guard let entry = archive[name] else { throw ParkError.invalid("'\(path)' is not an .xlsx workbook (it has no \(name))") }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: true) { chunk in
            data.append(chunk)
            if data.count > limit { throw ParkError.invalid("'\(path)': \(name) is larger than \(limit >> 20) MiB, more than a park's workbook holds") }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The attributes of each `<name …>` element of `xml`.
    static func elements(_ name: String, in xml: String) -> [[String: String]] {
        var found: [[String: String]] = []
        var rest = Substring(xml)
        while let start = rest.range(of: "<" + name) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: ">") else { break }
            let next = after.first
            if next == " " || next == "/" || next == ">" || next == "\n" || next == "\t" || next == "\r" {
                found.append(attributes(after[..<end]))
            }
            rest = after[end...]
        }
        return found
    }

    /// `a="1" b='2'` as a dictionary, entities decoded.
    static func attributes(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text
        while let eq = rest.firstIndex(of: "=") {
            let name = rest[..<eq].trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "/")))
            let afterEq = rest[rest.index(after: eq)...].drop { $0 == " " }
            guard let quote = afterEq.first, quote == "\"" || quote == "'" else { break }
            let body = afterEq.dropFirst()
            guard let close = body.firstIndex(of: quote) else { break }
            result[name] = unescaped(body[..<close])
            rest = body[body.index(after: close)...]
        }
        return result
    }

    /// XML's five entities and character references.
    static func unescaped<S: StringProtocol>(_ text: S) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                let digits = name.dropFirst(hex ? 2 : 1)
                if name.hasPrefix("#"), let code = UInt32(digits, radix: hex ? 16 : 10), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += rest[amp...semi]
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// Excel's escapes for characters XML cannot carry (ECMA-376 ST_Xstring): `_x0001_`
    /// for U+0001, `_x005F_` for a `_` that would otherwise start one. A `_xHHHH_` that
    /// is no character (a lone surrogate) stays as written.
    static func unescapedCharacters(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "_", i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
               let code = UInt32(String(String.UnicodeScalarView(scalars[(i + 2)..<(i + 6)])), radix: 16),
               scalars[(i + 2)..<(i + 6)].allSatisfy(\.properties.isASCIIHexDigit), let scalar = Unicode.Scalar(code) {
                out.append(scalar)
                i += 7
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Each `<si>`'s text: its `<t>`, or the `<t>`s of its rich-text runs joined
    /// (the phonetic `<rPh>` guides of Japanese files left out).
    static func sharedStrings(_ xml: String) -> [String] {
        var result: [String] = []
        var rest = Substring(xml)
        // Each <si> or <si …>, in order, in one pass (not <sst>, whose name starts the same).
        while let start = rest.range(of: "<si") {
            let after = rest[start.upperBound...]
            guard let next = after.first else { break }
            guard next == ">" || next == " " || next == "\n" || next == "\t" || next == "\r",
                  let open = after.firstIndex(of: ">"), let end = after.range(of: "</si>") else {
                rest = after
                continue
            }
            var item = after[after.index(after: open)..<end.lowerBound]
            var text = ""
            while let phonetic = item.range(of: "<rPh"), let close = item[phonetic.upperBound...].range(of: "</rPh>") {
                item = Substring(String(item[..<phonetic.lowerBound]) + item[close.upperBound...])
            }
            var runs = item
            while let t = runs.range(of: "<t"), let tagEnd = runs[t.upperBound...].firstIndex(of: ">") {
                let afterOpen = runs.index(after: tagEnd)
                let name = runs[t.upperBound..<tagEnd]
                // <t> or <t xml:space="preserve">, not <tail…>; <t/> is empty.
                guard name.isEmpty || name.first == " " || name == "/" else { runs = runs[afterOpen...]; continue }
                if name.hasSuffix("/") { runs = runs[afterOpen...]; continue }
                guard let close = runs[afterOpen...].range(of: "</t>") else { break }
                text += unescaped(runs[afterOpen..<close.lowerBound])
                runs = runs[close.upperBound...]
            }
            result.append(unescapedCharacters(text))
            rest = after[end.upperBound...]
        }
        return result
    }

    /// For each `<xf>` of `<cellXfs>`, whether its number format shows a date, a date
    /// and time, a percentage or a plain number: Excel's built-in formats by id
    /// (14-22 and 45-47 dates and times, 9-10 percentages), the workbook's own by code.
    static func numberStyles(_ xml: String) -> [NumberStyle] {
        var custom: [Int: String] = [:]
        for format in elements("numFmt", in: xml) {
            if let id = format["numFmtId"].flatMap(Int.init), let code = format["formatCode"] { custom[id] = code }
        }
        guard let start = xml.range(of: "<cellXfs"), let end = xml[start.upperBound...].range(of: "</cellXfs>") else { return [] }
        return elements("xf", in: String(xml[start.upperBound..<end.lowerBound])).map { xf in
            let id = xf["numFmtId"].flatMap(Int.init) ?? 0
            switch id {
            case 14...17: return .date
            case 18...22, 45...47: return .dateTime
            case 9, 10: return .percent
            default:
                guard let code = custom[id] else { return .plain }
                // The code's letters outside quotes and brackets ("年", [Red]) tell what it shows.
                var bare = ""
                var quoted = false, bracketed = false
                for c in code {
                    if c == "\"" { quoted.toggle(); continue }
                    if c == "[" { bracketed = true; continue }
                    if c == "]" { bracketed = false; continue }
                    if !quoted && !bracketed { bare.append(c) }
                }
                let lower = bare.lowercased()
                // 0000: a code shown with its leading zeros (805 as 0805).
                if lower.count > 1, lower.allSatisfy({ $0 == "0" }) { return .zeroPadded(lower.count) }
                if lower.contains("%") { return .percent }
                let hasDay = lower.contains("y") || lower.contains("d")
                if hasDay { return lower.contains("h") || lower.contains("s") ? .dateTime : .date }
                return .plain
            }
        }
    }
}

/// The event reader of a sheet's XML: fed chunks, it hands over each row when its
/// `</row>` arrives. Only what a sheet holds is understood: rows, cells, values and
/// inline strings; the rest (formulas' text, merged cells, the sheet's views) is skipped.
/// It works on the bytes (tag names and attributes are compared, not made into
/// strings): a cell costs a few comparisons, and a text only when it is one.
struct SheetParser {
    let strings: [String]
    let styles: [SpreadsheetReader.NumberStyle]
    let epochOffset: Int
    private var pending: [UInt8] = []
    private var rowNumber = 0
    private var cells: [String] = []
    private var cell: (column: Int, type: CellType, style: Int)?
    private var capturing = false    // inside a cell's <v> or <t>
    private var value: [UInt8] = []

    enum CellType { case number, shared, boolean, text }

    /// A cell holds at most this many bytes (as CSV import's cells); a longer one is cut.
    static let maxCell = CSVRecordReader.maxFieldBytes
    static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/"), quote = UInt8(ascii: "\""),
               apostrophe = UInt8(ascii: "'"), equals = UInt8(ascii: "=")

    init(strings: [String], styles: [SpreadsheetReader.NumberStyle], epochOffset: Int = 25_569) {
        self.strings = strings
        self.styles = styles
        self.epochOffset = epochOffset
    }

    mutating func feed(_ chunk: Data, _ body: (Int, [String]) throws -> Void) throws {
        pending.append(contentsOf: chunk)
        let bytes = pending
        var i = 0
        let n = bytes.count
        try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            func find(_ byte: UInt8, from: Int) -> Int? {
                guard from < n, let hit = memchr(base + from, Int32(byte), n - from) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            while i < n {
                if base[i] != Self.lt {
                    // Text between tags: kept only inside a cell's <v> or <t>.
                    let end = find(Self.lt, from: i) ?? n
                    if capturing, value.count < Self.maxCell {
                        value.append(contentsOf: UnsafeBufferPointer(start: base + i, count: min(end - i, Self.maxCell - value.count)))
                    }
                    i = end
                    continue
                }
                guard let close = find(Self.gt, from: i) else { break }   // the tag ends in the next chunk
                try tag(UnsafeBufferPointer(start: base + i + 1, count: close - i - 1), body)
                i = close + 1
            }
        }
        // Keep only an unfinished tag (text already read was taken); a tag of more than
        // 1 MiB is no sheet's.
        if i >= n { pending.removeAll(keepingCapacity: true) } else { pending.removeSubrange(0..<i) }
        if pending.count > 1 << 20 { throw ParkError.invalid("the sheet has a tag longer than 1 MiB: it is not a workbook Excel wrote") }
    }

    mutating func finish(_ body: (Int, [String]) throws -> Void) throws {
        if !cells.isEmpty, cells.contains(where: { !$0.isEmpty }) { try body(rowNumber, cells) }
    }

    private mutating func tag(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, [String]) throws -> Void) throws {
        guard let first = bytes.first else { return }
        let closing = first == Self.slash
        let start = closing ? 1 : 0
        var end = start
        while end < bytes.count, !Self.endsName(bytes[end]) { end += 1 }
        let selfClosing = bytes.last == Self.slash
        switch end - start {
        case 1:
            switch bytes[start] {
            case UInt8(ascii: "c"):
                if closing {
                    if let cell { put(cell.column, try read(cell)) }
                    cell = nil
                } else {
                    let column = Self.attribute(UInt8(ascii: "r"), bytes).map(Self.column) ?? cells.count
                    let type: CellType = switch Self.attribute(UInt8(ascii: "t"), bytes).map(Array.init) ?? [] {
                    case Array("s".utf8): .shared
                    case Array("b".utf8): .boolean
                    case Array("str".utf8), Array("inlineStr".utf8), Array("e".utf8): .text
                    default: .number
                    }
                    let style = Self.attribute(UInt8(ascii: "s"), bytes).flatMap(Self.integer) ?? 0
                    cell = selfClosing ? nil : (column, type, style)
                    value.removeAll(keepingCapacity: true)
                }
            case UInt8(ascii: "v"), UInt8(ascii: "t"):
                capturing = !closing && !selfClosing && cell != nil
            default: break
            }
        case 3 where bytes[start] == UInt8(ascii: "r") && bytes[start + 1] == UInt8(ascii: "o") && bytes[start + 2] == UInt8(ascii: "w"):
            if closing {
                if cells.contains(where: { !$0.isEmpty }) { try body(rowNumber, cells) }
            } else {
                rowNumber = Self.attribute(UInt8(ascii: "r"), bytes).flatMap(Self.integer) ?? rowNumber + 1
            }
            cells.removeAll(keepingCapacity: true)
        default:
            break
        }
    }

    static func endsName(_ b: UInt8) -> Bool { b == 0x20 || b == slash || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The value of the one-letter attribute `name` (` r="B7"`) of a tag.
    static func attribute(_ name: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8>? {
        var i = 1
        while i + 2 < bytes.count {
            if bytes[i] == name, bytes[i + 1] == equals, endsName(bytes[i - 1]), bytes[i + 2] == quote || bytes[i + 2] == apostrophe {
                let mark = bytes[i + 2]
                var j = i + 3
                while j < bytes.count, bytes[j] != mark { j += 1 }
                return ArraySlice(bytes[(i + 3)..<j])
            }
            i += 1
        }
        return nil
    }

    static func integer(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count < 12 else { return nil }
        var n = 0
        for d in digits {
            guard d >= 0x30 && d <= 0x39 else { return nil }
            n = n * 10 + Int(d - 0x30)
        }
        return n
    }

    /// "AB12" → 27 (A is 0).
    static func column(_ reference: ArraySlice<UInt8>) -> Int {
        var n = 0
        for c in reference {
            guard c >= 65 && c <= 90 else { break }
            // Excel's last column is XFD (16,384); a longer reference is as far out as any.
            n = min(n * 26 + Int(c - 64), 1 << 20)
        }
        return max(0, n - 1)
    }

    private mutating func put(_ column: Int, _ text: String) {
        // A cell beyond the last one a record may have makes the row one too many, as in CSV.
        guard column < CSVRecordReader.maxFields else {
            while cells.count <= CSVRecordReader.maxFields { cells.append("") }
            cells[CSVRecordReader.maxFields] = text
            return
        }
        while cells.count <= column { cells.append("") }
        cells[column] = text
    }

    private func read(_ cell: (column: Int, type: CellType, style: Int)) throws -> String {
        switch cell.type {
        case .shared:
            guard let index = Self.integer(value[...]), index < strings.count else {
                throw ParkError.invalid("row \(rowNumber) names shared string '\(String(decoding: value.prefix(20), as: UTF8.self))', "
                                        + "which the workbook does not hold: it is damaged")
            }
            return strings[index]
        case .boolean: return value == [0x31] ? "TRUE" : "FALSE"
        case .text:
            let raw = String(decoding: value, as: UTF8.self)
            return SpreadsheetReader.unescapedCharacters(value.contains(UInt8(ascii: "&")) ? SpreadsheetReader.unescaped(raw) : raw)
        case .number:
            let raw = String(decoding: value, as: UTF8.self)
            let style = cell.style < styles.count ? styles[cell.style] : .plain
            if style == .plain, !value.contains(UInt8(ascii: "E")), !value.contains(UInt8(ascii: "e")) { return raw }
            guard let number = Double(raw) else { return raw }
            switch style {
            case .date, .dateTime:
                // Days since 1899-12-30 (Excel's day 60, its 1900-02-29, does not exist: before
                // 1900-03-01 it is one day off, and no lease is that old).
                let days = Int(number.rounded(.down))
                guard let day = CalendarDate(daysSinceEpoch: days - epochOffset) else { return raw }
                let seconds = Int(((number - Double(days)) * 86_400).rounded())
                if style == .date || seconds == 0 { return day.description }
                return day.description + String(format: " %02d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60)
            case .percent:
                return Self.decimalText(number * 100) + "%"
            case .zeroPadded(let width):
                let digits = Self.decimalText(number)
                return digits.allSatisfy(\.isNumber) && digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
            case .plain:
                return Self.decimalText(number)
            }
        }
    }

    /// A double as plain decimal text, at most 15 significant digits (what Excel shows):
    /// 0.03 × 100 is 3, not 3.0000000000000004.
    static func decimalText(_ number: Double) -> String {
        var text = String(format: "%.15g", number)
        if text.contains("e") || text.contains("E") {
            text = String(format: "%.15f", number)
            while text.contains("."), text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

}
