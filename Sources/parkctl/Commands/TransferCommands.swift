import ArgumentParser
import Foundation
import ParkCore
#if canImport(Glibc)
import Glibc
#endif

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import parks, buildings, units, tenants, leases, amendments, readings or statistics from CSV or .xlsx, all or nothing.",
        discussion: """
            The header names the columns: export writes the same ones, and the Chinese names below \
            are read too, with a unit in brackets where the column holds one (面积(㎡), 租金(元/㎡/月)). \
            Cells are read as spreadsheets write them: 1,200.50, 256.5㎡, 3%, full-width digits, \
            2026/3/1, 2026.3.1, 2026年3月1日, and labels such as 季付 or 直播间; a date with the year \
            last (3/1/2026) is refused. A UTF-8 BOM is skipped; --encoding gbk reads GBK/GB18030. \
            Every bad row is reported with its line, column, value and rule, and then nothing is imported.

            """ + columnsHelp)

    /// Each importable entity's columns (* required) with their Chinese names.
    static var columnsHelp: String {
        TransferEntity.allCases.compactMap { entity in
            entity.importColumns.map { columns in
                entity.rawValue + ": " + columns.map { column in
                    let chinese = column.chineseAliases
                    return column.name + (column.required ? "*" : "") + (chinese.isEmpty ? "" : " (" + chinese.joined(separator: ", ") + ")")
                }.joined(separator: ", ")
            }
        }.joined(separator: "\n")
    }
    @OptionGroup var staff: StaffOptions
    /// The entities import reads, in the order they are best imported.
    static let importable = TransferEntity.allCases.filter { $0.importColumns != nil }.map(\.rawValue)
    // The help and completions offer only what can be imported; a word that is no
    // entity at all is a usage error (64), an export-only one the model's refusal (65).
    @Argument(help: ArgumentHelp("What to import: \(importable.joined(separator: ", ")).", valueName: "entity"),
              completion: .list(importable), transform: TransferEntity.argument) var entity: TransferEntity
    @Argument(help: "The CSV file (- reads standard input), or an Excel workbook, FILE.xlsx.") var file: String
    @Option(help: "The sheet of an .xlsx workbook to read (default: the first).") var sheet: String?
    @Flag(help: "Check everything, import nothing.") var dryRun = false
    @Flag(help: "A row whose key is recorded (park code, PARK/BUILDING, unit, credit code) updates it; each change is listed.")
    var update = false
    @Option(choice: "Encoding of the file") var encoding: TextEncoding = .utf8

    /// A workbook by its name, or by the first bytes (a zip file's PK\u{3}\u{4}) of a
    /// regular file (never of a pipe, whose bytes reading would take).
    var isWorkbook: Bool {
        if file.lowercased().hasSuffix(".xlsx") { return true }
        var info = stat()
        guard file != "-", stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)) == Data([0x50, 0x4B, 0x03, 0x04])
    }

    func validate() throws {
        if sheet != nil, !isWorkbook { throw ValidationError("--sheet is for an .xlsx workbook") }
        if encoding != .utf8, isWorkbook { throw ValidationError("--encoding is for CSV: an .xlsx workbook says its own") }
    }

    func run() throws {
        if isWorkbook {
            return try importing(bytes: 0) { service, progress in
                try service.run(entity, spreadsheet: file, sheet: sheet, dryRun: dryRun, update: update, progress: progress)
            }
        }
        let fd: Int32 = file == "-" ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParkError.invalid("cannot open '\(file)': \(String(cString: strerror(errno)))") }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        let size = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        try importing(bytes: size) { service, progress in
            try service.run(entity, from: fd, encoding: encoding, dryRun: dryRun, update: update, progress: progress)
        }
    }

    /// Runs an import with a progress line (of `bytes`, when known), then reports it or its problems.
    func importing(bytes: Int, _ body: (ImportService, @escaping (Int, Int) -> Void) throws -> ImportSummary) throws {
        let bar = ProgressBar(totalBytes: bytes)
        do {
            let summary = try body(ImportService(staff.session())) { bar.update(bytes: $0, rows: $1) }
            bar.finish()
            report(summary)
        } catch let rejected as ImportRejected {
            bar.finish()
            try refuse(rejected)
        }
    }

    /// What was imported (or, with --update, changed), on standard output.
    func report(_ summary: ImportSummary) {
        if update {
            var text = ""
            for change in summary.changes {
                text += "line \(change.line) \(change.key): \(change.column) \(change.old ?? "∅") → \(change.new ?? "∅")\n"
            }
            for row in summary.inserted { text += "line \(row.line) \(row.key): new\n" }
            if entity == .tenants {
                text += "note: the park and stage of a recorded tenant's application are left as they are "
                    + "(parkctl tenant approve|move-in … changes them)\n"
            }
            let (updated, imported) = summary.dryRun ? ("would update", "would import") : ("updated", "imported")
            text += "\(summary.dryRun ? "dry run: " : "")read \(summary.rowsRead) rows: \(updated) \(summary.rowsUpdated) of the "
                + "\(summary.rowsMatched) recorded (\(summary.rowsMatched - summary.rowsUpdated) unchanged), \(imported) "
                + "\(summary.rowsRead - summary.rowsMatched) new, rejected 0\n"
            say(text)
            return
        }
        let language = OutputLanguage.current
        say(Catalogue.text(summary.dryRun ? "import.summary_dry_run" : "import.summary", in: language,
                           ["read": String(summary.rowsRead), "imported": String(summary.dryRun ? summary.rowsRead : summary.rowsImported),
                            "rejected": "0"]) + "\n")
    }

    /// Every problem on standard error, then the refusal (exit 65).
    func refuse(_ rejected: ImportRejected) throws {
        let language = OutputLanguage.current
        var text = ""
        for problem in rejected.problems { text += problem.description(in: language) + "\n" }
        let summary = rejected.summary
        text += Catalogue.text("import.summary", in: language, ["read": String(summary.rowsRead), "imported": "0",
                                                                "rejected": String(summary.rowsRejected)]) + "\n"
        if !update, rejected.problems.contains(where: { $0.rule.contains(" exists already") }) {
            text += Catalogue.text("import.update_hint", in: language) + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
        let counts = ["problems": String(rejected.problems.count), "s": rejected.problems.count == 1 ? "" : "s",
                      "rows": String(summary.rowsRejected), "rs": summary.rowsRejected == 1 ? "" : "s"]
        throw ParkError.worded(.invalidInput) { Catalogue.text("import.refused", in: $0, counts) }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export \(TransferEntity.choices) as CSV to standard output, or as an Excel workbook.")
    @OptionGroup var staff: StaffOptions
    @Argument(choice: "What to export") var entity: TransferEntity
    @Option(help: "Only this park.") var park: String?
    @Option(help: "export stats: only this period (2026-Q3, 2026-09, 2026), the zone's return of it.") var period: String?
    @Option(help: "csv, or xlsx (an Excel workbook: give --output).") var format: ExportFormat = .csv
    @Option(help: "The header row: en (the column names) or zh (the Chinese headers of the forms, 统一社会信用代码, 营业收入(万元)…); import reads both.")
    var headers: Language = .en
    @Option(help: ArgumentHelp("Write to this file instead of standard output (needed for --format xlsx).", valueName: "file"))
    var output: String?

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, xlsx }

    func validate() throws {
        if encoding == .utf16 { throw ValidationError("--encoding utf-16 is for import; CSV for Excel is --excel or --encoding gbk") }
        if format == .xlsx {
            if output == nil { throw ValidationError("--format xlsx writes a file: give --output FILE.xlsx") }
            if bom || excel || encoding != .utf8 { throw ValidationError("--bom, --excel and --encoding are for CSV") }
        }
    }

    /// The export as one sheet: the CSV's header and rows, typed by the columns' kinds.
    func writeWorkbook(to path: String) throws {
        let book = try Spreadsheet(path: path)
        try book.header(entity.columns.map { $0.header(in: headers) })
        let kinds = entity.columns.map(\.kind)
        var reader = CSVRecordReader()
        try ExportService(staff.session()).run(entity, park: park, period: try period.map(StatPeriod.init(parsing:)), headers: headers) { chunk in
            try reader.feed(chunk) { line, record in if line > 1 { try book.append(record, kinds: kinds) } }
        }
        try reader.finish { line, record in if line > 1 { try book.append(record, kinds: kinds) } }
        try book.close()
    }
    @Option(choice: "Encoding of the file (gbk: what Excel and WPS on Chinese Windows open by default)")
    var encoding: TextEncoding = .utf8
    @Flag(help: "Start a UTF-8 file with a byte-order mark, so that Excel reads it as UTF-8.") var bom = false
    @Flag(help: "CSV for Excel: the same as --bom.") var excel = false

    func run() throws {
        if format == .xlsx, let output { return try writeWorkbook(to: output) }
        let bom = bom || excel
        if bom, encoding != .utf8 { throw ValidationError("--\(excel ? "excel" : "bom") is for UTF-8; a GBK file has none") }
        let transcoder = encoding == .gbk ? try GB18030Transcoder(toGB18030: true) : nil
        // A fixed buffer filled with memcpy and written in 256 KiB blocks: the rows
        // come one by one, and appending them through Array was the cost that showed.
        let capacity = 1 << 18
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var used = 0
        // --output: a file written whole and then renamed, as a workbook is.
        let created = try output.map(PartialFile.create)
        let partial = created?.path
        let fd: Int32 = created?.fd ?? STDOUT_FILENO
        defer { if let partial { close(fd); unlink(partial) } }
        func writeAll(_ bytes: UnsafeRawPointer, _ count: Int) {
            var offset = 0
            while offset < count {
                let n = write(fd, bytes + offset, count - offset)
                if n <= 0 { if errno == EINTR { continue }; break }
                offset += n
            }
        }
        func flush() {
            writeAll(buffer, used)
            used = 0
        }
        func append(_ chunk: UnsafeRawBufferPointer) {
            if used + chunk.count > capacity { flush() }
            if chunk.count > capacity {
                writeAll(chunk.baseAddress!, chunk.count)
                return
            }
            (buffer + used).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
            used += chunk.count
        }
        if bom { [UInt8](arrayLiteral: 0xEF, 0xBB, 0xBF).withUnsafeBytes(append) }
        var offset = 0
        try ExportService(staff.session()).run(entity, park: park, period: try period.map(StatPeriod.init(parsing:)), headers: headers) { chunk in
            if let transcoder {
                try transcoder.convert(chunk, offset: offset, append)
                offset += chunk.count
            } else {
                append(chunk)
            }
        }
        try transcoder?.finish()
        flush()
        if let partial, let output { try PartialFile.finish(partial, as: output) }
    }
}

/// A progress line on standard error, only when it is a terminal.
final class ProgressBar {
    let totalBytes: Int
    let enabled = isatty(STDERR_FILENO) == 1
    let started = Date()
    var last = Date.distantPast

    init(totalBytes: Int) { self.totalBytes = totalBytes }

    func update(bytes: Int, rows: Int) {
        guard enabled, Date().timeIntervalSince(last) > 0.2 else { return }
        last = Date()
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let percent = totalBytes > 0 ? min(100, bytes * 100 / totalBytes) : 0
        let width = 30
        let filled = width * percent / 100
        let line = String(format: "\r[%@%@] %3d%%  %d rows  %.0f rows/s  %.1f MB/s",
                          String(repeating: "#", count: filled), String(repeating: " ", count: width - filled), percent,
                          rows, Double(rows) / elapsed, Double(bytes) / elapsed / 1_048_576)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
