import Foundation
import ParkCore
import Testing
import TestSupport

/// CSV that Chinese Excel and WPS open right: UTF-8 with a byte-order mark, or GBK,
/// lines ending CRLF, and times that Excel reads as dates and times.
@Suite struct ExcelCSVTests {
    @Test func listsAndReportsWriteCSVForExcel() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01",
                    "--end", "2027-12-31", "--rent", "35"])
        // Opened at 09:15 in Shanghai (01:15 UTC).
        try cli.ok(["ticket", "open", "--tenant", "博思软件", "--unit", "SW/B1/0301", "--category", "repair", "--title", "漏水",
                    "--opened-at", "2026-11-30 09:15"])
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        /// The bytes a command writes (through a file: a pipe's text would be decoded).
        func bytes(_ args: [String]) throws -> [UInt8] {
            let file = dir.appending(path: UUID().uuidString).path
            let quoted = (args + ["--database-url", cli.db.conninfo]).map { "'\($0)'" }.joined(separator: " ")
            let out = try ProcessRunner.run("/bin/sh", ["-c", "'\(Parkctl.executable)' \(quoted) > '\(file)'"])
            #expect(out.status == 0, "\(args): \(out.stderr)")
            return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        let plain = try bytes(["ticket", "list", "--format", "csv"])
        let text = String(decoding: plain, as: UTF8.self)
        // A time as Excel reads one, in the park's zone; JSON keeps ISO 8601 with the offset.
        #expect(text.contains(",2026-11-30 09:15:00,"), "\(text)")
        let json = try cli.ok(["ticket", "list", "--format", "json"])
        #expect(json.contains("\"2026-11-30T09:15:00+08:00\""))
        #expect(try cli.ok(["export", "tickets"]).contains(",2026-11-30 09:15:00,"))

        // --excel: the same text after a byte-order mark; every line ends CRLF.
        let excel = try bytes(["ticket", "list", "--format", "csv", "--excel"])
        #expect(Array(excel.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(Array(excel.dropFirst(3)) == plain)
        // (In bytes: to Swift's String, CR LF is one character.)
        let lines = plain.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.dropLast().allSatisfy { $0.last == 0x0D } && lines.last?.isEmpty == true)

        // --encoding gbk: 博 is B2 A9 and 漏 is C2 A9 in GBK; converted back it is the UTF-8 text.
        let gbk = try bytes(["report", "rent-roll", "--format", "csv", "--encoding", "gbk"])
        let utf8 = try bytes(["report", "rent-roll", "--format", "csv"])
        #expect(String(validating: gbk, as: UTF8.self) == nil)
        #expect(zip(gbk, gbk.dropFirst()).contains { $0 == 0xB2 && $1 == 0xA9 })
        let gbkFile = dir.appending(path: "gbk.csv")
        try Data(gbk).write(to: gbkFile)
        let back = try ProcessRunner.run("/usr/bin/iconv", ["-f", "GB18030", "-t", "UTF-8", gbkFile.path])
        #expect(back.status == 0 && Array(back.stdout.utf8) == utf8)

        // Only CSV takes them, and not both at once: usage errors.
        for args in [["ticket", "list", "--excel"], ["ticket", "list", "--format", "json", "--encoding", "gbk"],
                     ["ticket", "list", "--format", "csv", "--excel", "--encoding", "gbk"]] {
            let out = try cli.run(args)
            #expect(out.status == 64, "\(args): \(out.stderr)")
        }
    }
}
