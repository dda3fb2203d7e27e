import Foundation
import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// One thing wrong with one row of an import file.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// The column's name (`area_m2`), or `(row)` or `(file)`.
    public var column: String
    public var value: String?
    /// The rule broken: a catalogue key (``ImportRuleText``) or its text.
    var wording: String

    /// `rule`: a catalogue key (`rule.area`) or the rule's text.
    public init(line: Int, column: String, value: String?, rule: String) {
        self.line = line
        self.column = column
        self.value = value
        self.wording = rule
    }

    /// The rule broken, in English.
    public var rule: String { ImportRuleText.text(wording, in: .en) }

    public var description: String { description(in: .en) }

    /// "line 2, area_m2 'abc': …"; in Chinese "第 2 行,面积(㎡)「abc」:…", the column by
    /// its Chinese header.
    public func description(in language: Language) -> String {
        var name = column
        if language != .en {
            let key = column == "(row)" ? "import.row" : column == "(file)" ? "import.file" : "column." + column
            if Catalogue.has(key, in: language) { name = Catalogue.text(key, in: language) }
        }
        var values = ["line": String(line), "column": name, "rule": ImportRuleText.text(wording, in: language)]
        guard let value else { return Catalogue.text("import.problem_of_line", in: language, values) }
        values["value"] = Self.shown(value)
        return Catalogue.text("import.problem", in: language, values)
    }

    /// A cell as a message shows it: at most 60 characters, control characters escaped.
    static func shown(_ value: String) -> String {
        let head = Validate.escapingControlCharacters(String(value.unicodeScalars.prefix(60)))
        return value.unicodeScalars.count > 60 ? head + "…(\(value.count) characters)" : head
    }
}

/// One cell an `--update` import changes (or, in a dry run, would change).
public struct ImportChange: Sendable, Equatable {
    public var line: Int
    /// The record: SW/B1/0301, a company's name.
    public var key: String
    public var column: String
    public var old: String?
    public var new: String?
}

/// What an import did (or, with `dryRun`, would do).
public struct ImportSummary: Sendable, Equatable {
    public var rowsRead: Int
    public var rowsImported: Int
    public var rowsRejected: Int
    public var dryRun: Bool
    /// With `--update`: the rows that named recorded ones, and of those the ones that changed them.
    public var rowsMatched = 0
    public var rowsUpdated = 0
    public var changes: [ImportChange] = []
    /// With `--update`: the rows inserted, by line and key.
    public var inserted: [NewRow] = []

    public struct NewRow: Sendable, Equatable {
        public var line: Int
        public var key: String
    }
}

/// The file had bad rows: every one is listed; nothing was imported.
public struct ImportRejected: Error, Sendable, CustomStringConvertible {
    public var problems: [ImportProblem]
    public var summary: ImportSummary
    public var description: String {
        "\(summary.rowsRejected) of \(summary.rowsRead) rows are bad; nothing was imported"
    }
}

/// The encodings of text files: UTF-8; GBK, read and written as GB18030 (its superset,
/// which holds every character), what Excel and WPS on Chinese Windows use; and UTF-16
/// (Excel's "Unicode text"), for import.
public enum TextEncoding: String, Vocabulary {
    case utf8, gbk
    case utf16 = "utf-16"
    public static let fieldName = "encoding"

    /// The name, in any case, or one of its other names: utf-8, GBK, gb18030, gb2312, cp936, UTF-16.
    public static func parse(_ text: String) throws -> TextEncoding {
        switch text.lowercased() {
        case "utf8", "utf-8": return .utf8
        case "gbk", "gb18030", "gb2312", "cp936": return .gbk
        case "utf-16", "utf16": return .utf16
        default:
            throw ParkError.invalid("encoding '\(text)' is not one of: utf8, gbk (or gb18030), utf-16")
        }
    }

    /// iconv's name for it.
    var iconvName: String {
        switch self {
        case .utf8: "UTF-8"
        case .gbk: "GB18030"
        case .utf16: "UTF-16"
        }
    }

    /// As messages name it.
    var displayName: String {
        switch self {
        case .utf8: "UTF-8"
        case .gbk: "GBK/GB18030"
        case .utf16: "UTF-16"
        }
    }
}

/// Imports a CSV file all or nothing: the rows are streamed with COPY into a
/// staging table, checked against every rule of the model by set-based SQL (every
/// bad row is reported, with its line, column, value and rule), and inserted in the
/// same transaction. Memory stays bounded whatever the file's size.
public struct ImportService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Reads from `fd` (a file, or standard input) until its end. `progress` is
    /// called after each chunk with the bytes and rows read so far.
    ///
    /// `update`: a row whose key is recorded changes that record (see ``ImportUpdate``).
    public func run(_ entity: TransferEntity, from fd: Int32, encoding: TextEncoding = .utf8, dryRun: Bool = false,
                    update: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> ImportSummary {
        try run(entity, .csv(fd: fd, encoding: encoding), dryRun: dryRun, update: update, progress: progress)
    }

    /// Reads the first sheet of the .xlsx workbook at `path`, or the one called `sheet`,
    /// streamed; the rows are numbered as Excel numbers them. `progress` gets the rows read.
    public func run(_ entity: TransferEntity, spreadsheet path: String, sheet: String? = nil, dryRun: Bool = false,
                    update: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> ImportSummary {
        try run(entity, .spreadsheet(try SpreadsheetReader(path: path, sheet: sheet)), dryRun: dryRun, update: update, progress: progress)
    }

    /// Where the rows come from.
    private enum Source {
        case csv(fd: Int32, encoding: TextEncoding)
        case spreadsheet(SpreadsheetReader)
    }

    private func run(_ entity: TransferEntity, _ source: Source, dryRun: Bool, update: Bool,
                     progress: ((Int, Int) -> Void)?) throws -> ImportSummary {
        guard let columns = entity.importColumns else {
            throw ParkError.invalid("\(entity.rawValue) can be exported but not imported")
        }
        var updating = update ? ImportUpdate.of(entity) : nil
        if update, updating == nil {
            throw ParkError.invalid("\(entity.rawValue) cannot be updated by import: "
                                    + (entity == .readings ? "a reading is corrected by parkctl meter correct METER --on DAY --value V"
                                                           : "a signed lease changes by its own commands (parkctl lease renew|terminate|cancel)"))
        }
        // Rules that refuse a recorded key do not apply to an update.
        func applicable(_ rules: [String]) -> [String] {
            updating == nil ? rules : rules.filter { !ImportRules.keyRecorded.contains($0) }
        }
        var summary = ImportSummary(rowsRead: 0, rowsImported: 0, rowsRejected: 0, dryRun: dryRun)
        var problems: [ImportProblem] = []
        var flagged: Set<CellKey> = []
        do {
            try session.write { conn in
                // The rules' problems, but for the cells the stager refused already.
                func check(_ rules: [String]) throws -> [ImportProblem] {
                    try Self.check(rules, conn).filter { !flagged.contains(CellKey(line: $0.line, column: $0.column)) }
                }
                let staging = "CREATE TEMP TABLE import_rows (line int NOT NULL, "
                    + columns.map { "c_\($0.name) text" }.joined(separator: ", ") + ") ON COMMIT DROP"
                try conn.simpleQuery(staging)
                let copy = "COPY import_rows (line, " + columns.map { "c_\($0.name)" }.joined(separator: ", ") + ") FROM STDIN"
                try conn.copyIn(copy) { writer in
                    let stager = Stager(columns: columns, writer: writer)
                    switch source {
                    case .csv(let fd, let encoding):
                        try readFile(fd, encoding: encoding) { bytes, total in
                            try stager.feed(bytes)
                            progress?(total, stager.rowsRead)
                        }
                    case .spreadsheet(let reader):
                        try reader.rows { line, fields in
                            try stager.row(line, fields)
                            if stager.rowsRead % 10_000 == 0 { progress?(0, stager.rowsRead) }
                        }
                    }
                    try stager.finish()
                    summary.rowsRead = stager.rowsRead
                    problems = stager.problems
                    flagged = stager.flagged
                    // An update changes only the columns the file has.
                    let present = Set(zip(columns, stager.positions ?? []).compactMap { $1 == nil ? nil : $0.name })
                    updating = updating?.keeping(present)
                }
                // Statistics for the planner: without them it guesses the staging table's size.
                try conn.simpleQuery("ANALYZE import_rows")
                if entity == .leases {
                    try conn.simpleQuery(ImportRules.leaseUnits + "; ANALYZE import_lease_units")
                }
                if entity == .amendments {
                    try conn.simpleQuery(ImportRules.amendmentUnits)
                }
                // Every rule at once; required cells first. The rules that a unique or exclusion
                // constraint also enforces (duplicates, overlaps) cost a sort or a join of the
                // whole file: they run only when something else is wrong, for a dry run, or when
                // the insert trips such a constraint, so that a clean file is read once less
                // and a bad one still gets every problem listed.
                let required = columns.filter(\.required).map {
                    "SELECT line, '\($0.name)', NULL::text, 'must not be empty' FROM import_rows WHERE c_\($0.name) IS NULL OR btrim(c_\($0.name)) = ''"
                }
                problems += try check(required + applicable(ImportRules.rules(entity)) + (updating?.rules ?? []))
                let enforced = applicable(ImportRules.enforcedByConstraints(entity))
                // An update has no unique constraint behind it: a key twice in the file is always looked for.
                if !problems.isEmpty || dryRun || updating != nil { problems += try check(enforced) }
                try reject(problems, &summary)
                if let updating, !updating.columns.isEmpty {
                    summary.changes = try conn.query(PostgresQuery(unsafeSQL: updating.changes)).rows.map { row in
                        ImportChange(line: try row.decode(0), key: try row.decode(1), column: try row.decode(2),
                                     old: try row.decode(3), new: try row.decode(4))
                    }
                    summary.rowsUpdated = Set(summary.changes.map(\.line)).count
                }
                if let updating {
                    summary.inserted = try conn.query(PostgresQuery(unsafeSQL: updating.newRows)).rows.map {
                        ImportSummary.NewRow(line: try $0.decode(0), key: try $0.decode(1))
                    }
                    summary.rowsMatched = try conn.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM import_rows s \(updating.match)"))
                        .rows[0].decode(0)
                }
                if dryRun { throw DryRunFinished() }
                if let updating {
                    try ParkError.translatingRefusals {
                        if !updating.columns.isEmpty { try conn.execute(PostgresQuery(unsafeSQL: updating.update)) }
                        try conn.execute(PostgresQuery(unsafeSQL: updating.removeMatched))
                    }
                }
                do {
                    try conn.inSavepoint { conn in
                        for statement in ImportRules.apply(entity) { try conn.execute(PostgresQuery(unsafeSQL: statement)) }
                    }
                } catch let error as PostgresError where error.sqlState == .uniqueViolation || error.sqlState == .exclusionViolation {
                    // Rolled back to before the rows went in: say which rows, line by line.
                    problems += try check(enforced)
                    try reject(problems, &summary)
                    throw error   // a constraint the rules do not know of
                }
                summary.rowsImported = summary.rowsRead - summary.rowsMatched
                // Fresh statistics for a big load, so that the next report plans for the new
                // size instead of waiting for autovacuum (the owner's right; others skip it).
                if summary.rowsRead >= 10_000 {
                    try conn.simpleQuery("ANALYZE " + ImportRules.tables(entity).joined(separator: ", "))
                }
            }
        } catch is DryRunFinished {
            return summary
        }
        return summary
    }

    /// The problems that the rules (each a SELECT of line, col, value, rule) find, in one query.
    static func check(_ rules: [String], _ conn: Connection) throws -> [ImportProblem] {
        guard !rules.isEmpty else { return [] }
        let all = rules.map { "(\($0))" }.joined(separator: "\nUNION ALL\n")
        let sql = "SELECT line, col, value, rule FROM (\(all)) AS p(line, col, value, rule) ORDER BY line, col LIMIT 1000000"
        return try conn.query(PostgresQuery(unsafeSQL: sql)).rows.map { row in
            ImportProblem(line: try row.decode(0), column: try row.decode(1), value: try row.decode(2), rule: try row.decode(3))
        }
    }

    /// Throws every problem (sorted by line and column), if there is any.
    private func reject(_ problems: [ImportProblem], _ summary: inout ImportSummary) throws {
        guard !problems.isEmpty else { return }
        summary.rowsRejected = Set(problems.map(\.line)).count
        throw ImportRejected(problems: problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }, summary: summary)
    }

    /// A UTF-16 byte-order mark, or text whose every other byte is 0 (ASCII in UTF-16).
    static func looksLikeUTF16(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) { return true }
        let head = bytes.prefix(1_000)
        return head.count >= 8 && head.filter { $0 == 0 }.count * 3 >= head.count
    }

    /// Thrown to roll back a dry run once everything is checked.
    private struct DryRunFinished: Error {}

    /// Reads the file in 1 MiB chunks, converting GBK or UTF-16 to UTF-8 and skipping a BOM.
    private func readFile(_ fd: Int32, encoding: TextEncoding, _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        let transcoder = encoding == .utf8 ? nil : try GB18030Transcoder(reading: encoding)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        var first = true
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ParkError.invalid("cannot read the file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            let offset = total
            total += n
            try buffer.withUnsafeBytes { raw in
                var chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                if first, encoding == .utf8, n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF {
                    chunk = UnsafeRawBufferPointer(rebasing: chunk[3...])
                }
                // A UTF-16 file read as anything else is all broken characters: say what it is.
                if first, encoding != .utf16, Self.looksLikeUTF16(chunk) {
                    throw ParkError.invalid("the file looks like UTF-16 (\(n >= 2 && (chunk[0] == 0xFF || chunk[0] == 0xFE) ? "it starts with a UTF-16 byte-order mark" : "every other byte is 0"), "
                                            + "not \(encoding.displayName)): import it with --encoding utf-16")
                }
                first = false
                if let transcoder {
                    try transcoder.convert(chunk, offset: offset) { try body($0, total) }
                } else {
                    try body(chunk, total)
                }
            }
        }
        try transcoder?.finish()
    }
}

/// A cell of the file: its line and column.
struct CellKey: Hashable {
    let line: Int
    let column: String
}

/// Turns CSV records into COPY text rows of the staging table: the header maps
/// columns (aliases accepted), each later record becomes `line \t cell \t ...`.
final class Stager {
    let columns: [TransferEntity.Column]
    let writer: CopyInWriter
    var reader = CSVRecordReader()
    var positions: [Int?]?          // for each staging column, its position in the file
    var fileColumns = 0
    var rowsRead = 0
    var problems: [ImportProblem] = []
    /// The cells whose problem the stager found: the rules' own problem with them is not repeated.
    var flagged: Set<CellKey> = []
    var out: [UInt8] = []
    /// Comma or tab, chosen by the header line.
    private var separatorChosen = false

    init(columns: [TransferEntity.Column], writer: CopyInWriter) {
        self.columns = columns
        self.writer = writer
        out.reserveCapacity(1 << 18)
    }

    /// A spreadsheet's row, numbered as Excel numbers it.
    func row(_ line: Int, _ fields: [String]) throws {
        try record(line, CSVRecordReader.Record(fields: fields))
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        if !separatorChosen {
            reader.separator = CSVRecordReader.separator(of: bytes)
            separatorChosen = true
        }
        try reader.feed(bytes) { line, record in try self.record(line, record) }
        if out.count >= 1 << 18 { try flush() }
    }

    func finish() throws {
        try reader.finish { line, record in try self.record(line, record) }
        if reader.endedInsideQuotes {
            problems.append(ImportProblem(line: reader.line, column: "(file)", value: nil, rule: "the file ends inside a quoted cell"))
        }
        if positions == nil { throw ParkError.invalid("the file is empty: it needs a header line (\(columns.map(\.name).joined(separator: ",")))") }
        try flush()
    }

    private func flush() throws {
        if !out.isEmpty { try writer.write(out); out.removeAll(keepingCapacity: true) }
    }

    private func record(_ line: Int, _ record: CSVRecordReader.Record) throws {
        guard let positions else {
            let fields = (0..<record.count).map { Array(record[$0]) }
            if titleRows < Self.maxTitleRows, isTitle(fields) {
                titleRows += 1
                return
            }
            try header(fields)
            return
        }
        rowsRead += 1
        if record.count > fileColumns {
            problems.append(ImportProblem(line: line, column: "(row)", value: nil,
                                          rule: "has \(record.count) cells; the header has \(fileColumns)"))
            return
        }
        if record.tooManyFields {
            problems.append(ImportProblem(line: line, column: "(row)", value: nil,
                                          rule: "has more than \(CSVRecordReader.maxFields) cells; the header has \(fileColumns)"))
            return
        }
        if let field = record.overlongField {
            let name = positions.firstIndex(of: field).map { columns[$0].name } ?? "(cell \(field + 1))"
            problems.append(ImportProblem(line: line, column: name, value: nil,
                                          rule: "is longer than \(CSVRecordReader.maxFieldBytes) bytes (1 MiB), more than any cell may hold"))
            return
        }
        if record.bytes.contains(0) {
            problems.append(ImportProblem(line: line, column: "(row)", value: nil, rule: "contains a NUL byte, which text cannot hold"))
            return
        }
        if !Self.isUTF8(record.bytes[...]) {
            problems.append(ImportProblem(line: line, column: "(row)", value: nil,
                                          rule: "is not valid UTF-8 (a GBK file needs --encoding gbk)"))
            return
        }
        var number = line
        var digits: [UInt8] = []
        repeat { digits.append(UInt8(48 + number % 10)); number /= 10 } while number > 0
        out.append(contentsOf: digits.reversed())
        for (column, position) in zip(columns, positions) {
            out.append(0x09)
            guard let position, position < record.count else { out.append(0x5C); out.append(0x4E); continue }   // \N
            var cell = record[position]
            while let f = cell.first, f == 0x20 { cell = cell.dropFirst() }
            while let l = cell.last, l == 0x20 { cell = cell.dropLast() }
            if cell.isEmpty { out.append(0x5C); out.append(0x4E); continue }
            // A cell that the export protected from spreadsheets ('=…, '+…) reads back as it was.
            cell = FormulaGuard.unprotected(cell)
            // 1,200.50, 256.5㎡, 2026/3/1, 季付: written the one way the rules read.
            if !Self.isPlain(cell, for: column.kind) {
                switch CellReading.read(String(decoding: cell, as: UTF8.self), as: column.kind) {
                case .same: break
                case .value(let value): cell = ArraySlice(Array(value.utf8))
                case .problem(let rule):
                    problems.append(ImportProblem(line: line, column: column.name, value: String(decoding: cell, as: UTF8.self), rule: rule))
                    flagged.insert(CellKey(line: line, column: column.name))
                }
            }
            // Every cell is one line of text: no line breaks, tabs or other control
            // characters, no C1 controls, no bidirectional overrides.
            var bad: UInt32?
            var i = cell.startIndex
            while i < cell.endIndex {
                let b = cell[i]
                switch b {
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x09: out.append(0x5C); out.append(0x74); bad = bad ?? 0x09
                case 0x0A: out.append(0x5C); out.append(0x6E); bad = bad ?? 0x0A
                case 0x0D: out.append(0x5C); out.append(0x72); bad = bad ?? 0x0D
                case 0x01...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F: bad = bad ?? UInt32(b); out.append(b)
                case 0xC2 where i + 1 < cell.endIndex && (0x80...0x9F).contains(cell[i + 1]):
                    bad = bad ?? UInt32(cell[i + 1]); out.append(b)
                case 0xD8 where i + 1 < cell.endIndex && cell[i + 1] == 0x9C:   // U+061C
                    bad = bad ?? 0x061C; out.append(b)
                case 0xE2 where i + 2 < cell.endIndex && Self.isFormatControl(cell[i + 1], cell[i + 2]):
                    bad = bad ?? (0x2000 | UInt32(cell[i + 1] & 0x3F) << 6 | UInt32(cell[i + 2] & 0x3F)); out.append(b)
                default: out.append(b)
                }
                i += 1
            }
            if let bad {
                problems.append(ImportProblem(line: line, column: column.name, value: String(decoding: cell, as: UTF8.self),
                                              rule: Self.describeForbidden(bad)))
            }
        }
        out.append(0x0A)
    }

    /// A cell its rule reads as it is: ASCII digits (and a point or sign) for a number,
    /// YYYY-MM-DD for a date, a lower-case code for a label. The rest (few cells) is read
    /// by ``CellReading``.
    static func isPlain(_ cell: ArraySlice<UInt8>, for kind: CellKind) -> Bool {
        switch kind {
        case .text: return true
        case .integer, .number, .percent:
            return cell.allSatisfy { (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D }
        case .date:
            return cell.count == 10 && cell.enumerated().allSatisfy { i, b in (i == 4 || i == 7) ? b == 0x2D : (0x30...0x39).contains(b) }
        case .label:
            return cell.allSatisfy { (0x61...0x7A).contains($0) || $0 == 0x5F || (0x30...0x39).contains($0) }
        }
    }

    /// The line and paragraph separators and the bidirectional marks and controls,
    /// U+200E, U+200F, U+2028-U+202E and U+2066-U+2069, in UTF-8 (after their lead byte E2).
    static func isFormatControl(_ b1: UInt8, _ b2: UInt8) -> Bool {
        (b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (0xA8...0xAE).contains(b2))) || (b1 == 0x81 && (0xA6...0xA9).contains(b2))
    }

    static func describeForbidden(_ scalar: UInt32) -> String {
        let code = "U+" + String(repeating: "0", count: max(0, 4 - String(scalar, radix: 16).count)) + String(scalar, radix: 16, uppercase: true)
        switch scalar {
        case 0x09, 0x0A, 0x0D: return "holds a line break or tab; a cell is one line of text"
        case 0x2028, 0x2029: return "holds a line or paragraph separator (\(code)); a cell is one line of text"
        case 0x061C, 0x2000...: return "contains the bidirectional control \(code), which is not allowed"
        default: return "contains the control character \(code), which is not allowed"
        }
    }

    /// A quick check that bytes are well-formed UTF-8 (ASCII takes the fast path).
    /// Rows above the header that a sheet's title takes ("2026年园区房源台账", "制表日期:…"),
    /// or blank: at most this many are passed over.
    static let maxTitleRows = 3
    private var titleRows = 0

    /// A row of one cell that names no column, or of none: a title above the header. A
    /// cell with a tab or semicolon in it is a header of another separator, not a title.
    private func isTitle(_ fields: [[UInt8]]) -> Bool {
        let filled = fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard filled.count <= 1 else { return false }
        guard let cell = filled.first else { return true }
        return !cell.contains("\t") && !cell.contains(";") && HeaderName.column(cell, in: columns) == nil
    }

    static func isUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    private func header(_ fields: [[UInt8]]) throws {
        if fields.contains(where: { String(validating: $0, as: UTF8.self) == nil }) {
            throw ParkError.invalid("the header line is not valid UTF-8: a GBK/GB18030 file needs --encoding gbk")
        }
        // A byte-order mark that came through a conversion (UTF-16's) is no part of the first name.
        let names = fields.enumerated().map { i, field in
            let name = String(decoding: field, as: UTF8.self)
            return i == 0 && name.hasPrefix("\u{FEFF}") ? String(name.dropFirst()) : name
        }
        var map: [Int?] = Array(repeating: nil, count: columns.count)
        var unknown: [String] = []
        for (i, name) in names.enumerated() where !HeaderName.key(name).isEmpty {
            if let c = HeaderName.column(name, in: columns) {
                if map[c] != nil { throw ParkError.invalid("the header names column \(columns[c].name) twice") }
                map[c] = i
            } else {
                unknown.append(name.trimmingCharacters(in: .whitespaces))
            }
        }
        if !unknown.isEmpty {
            let each = unknown.map { name in
                "'\(name)'" + (HeaderName.unitMismatch(name, in: columns).map { " (\($0))" }
                                ?? HeaderName.suggestion(for: name, in: columns).map { " (did you mean \($0)?)" } ?? "")
            }
            throw ParkError.invalid("the header has unknown column\(unknown.count == 1 ? "" : "s") \(each.joined(separator: ", ")); "
                                    + "the columns are \(columns.map(\.name).joined(separator: ", ")) (their Chinese names: parkctl import --help)")
        }
        let missing = zip(columns, map).filter { $0.0.required && $0.1 == nil }.map(\.0.name)
        if !missing.isEmpty {
            throw ParkError.invalid("the header lacks the required columns: \(missing.joined(separator: ", "))")
        }
        positions = map
        fileColumns = fields.count
    }
}
