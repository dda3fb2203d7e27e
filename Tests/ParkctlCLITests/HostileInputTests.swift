import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// A corpus of hostile and broken input run through the commands that take text.
/// Injection payloads are ordinary text: stored literally and read back
/// byte-identical. Everything else is refused with exit 65 or 64 and a message,
/// never 70 or a crash, and leaves every table as it was.
@Suite struct HostileInputTests {
    static let injections = [
        "'; DROP TABLE park; --",
        "1' OR '1'='1",
        "Robert'); DROP TABLE tenant;--",
        "x\" UNION SELECT credit_code, contact FROM tenant --",
        "$$; SELECT pg_sleep(5); $$",
        "/* 注释 */ 漏水 -- 结尾",
        "\\'; COMMIT; DELETE FROM audit_log; --",
        "%s%n%x {0} ${PATH} `id` $(id)",
        "𠀀𪚥 🏭 ㎡ 元 ０１２",
    ]

    /// Values no text field accepts, with what the message must say.
    static let badText: [(String, String)] = [
        ("漏水\u{1B}[31m红色", "control character"),
        ("响铃\u{07}", "control character"),
        ("回车\r换行", "control character"),
        (String(repeating: "a", count: 100_000), "at most"),
        ("   ", "must not be empty"),
    ]

    static let badDates = ["2026-02-30", "0000-01-01", "99999-01-01", "2026-13-01", "2026-1-1", "'; DROP TABLE lease; --", "2026-02-28T00:00"]
    static let badNumbers = ["123456789012345678901234567890", "-5", "NaN", "nan", "1e5", "Infinity", "0x10", "1,000", "３５", "35.123", "", "1 0"]

    struct Corpus {
        let cli: CLI
        init() throws {
            cli = try CLI()
            try cli.ok(["demo"])
        }

        /// Runs a command that must be refused with `status`, saying `text`, changing
        /// nothing: 65 for a value our rules refuse, 64 for one the argument parser cannot
        /// read at all (a word where a whole number goes).
        func refused(_ args: [String], status: Int32 = 65, saying text: String? = nil, input: String = "") throws {
            let before = try cli.db.connection.tableChecksums()
            let out = try cli.run(args, input: input)
            #expect(out.status == status, "parkctl \(Self.short(args)) → \(out.status): \(out.stderr.prefix(500))")
            if let text { #expect(out.stderr.contains(text), "parkctl \(Self.short(args)): \(out.stderr.prefix(500))") }
            #expect(out.stderr.count < 5_000, "a message should not echo a huge value: \(out.stderr.count) bytes")
            #expect(!out.stderr.unicodeScalars.contains("\u{1B}"), "an escape character reached the terminal")
            #expect(try cli.db.connection.tableChecksums() == before, "parkctl \(Self.short(args)) changed the database")
        }

        static func short(_ args: [String]) -> String { args.map { $0.count > 40 ? "\($0.prefix(40))…" : $0 }.joined(separator: " ") }
    }

    @Test func injectionPayloadsAreStoredLiterallyAndReadBackByteIdentical() throws {
        let c = try Corpus()
        for (i, payload) in Self.injections.enumerated() {
            let code = "H\(i)"
            try c.cli.ok(["park", "add", "--code", code, "--name", payload, "--kind", "mixed", "--address", payload])
            let parks = try #require(try c.cli.json(["park", "list"]) as? [[String: Any]])
            let park = try #require(parks.first { $0["code"] as? String == code })
            #expect(park["name"] as? String == payload && park["address"] as? String == payload)

            try c.cli.ok(["unit", "off-market", "SW/B1/0101", "--reason", payload])
            let unit = try #require(try c.cli.json(["unit", "show", "SW/B1/0101"]) as? [String: Any])
            #expect(unit["off_market_reason"] as? String == payload)

            let opened = try c.cli.ok(["ticket", "open", "--tenant", "91430400MA40001014", "--unit", "SW/B1/0501", "--category", "repair",
                                       "--title", payload, "--description", payload + "\n第二行"])
            let number = try #require(opened.firstMatch(of: /T-\d{4}-\d{6}/)).output
            let ticket = try #require(try c.cli.json(["ticket", "show", String(number)]) as? [String: Any])
            #expect(ticket["title"] as? String == payload)
            #expect(ticket["description"] as? String == payload + "\n第二行")

            let credit = try #require(CreditCode.make("91430400MA4H00\(String(format: "%03d", i))"))
            try c.cli.ok(["tenant", "apply", "--park", "SW", "--name", payload, "--credit-code", credit, "--industry", "software",
                          "--contact", payload, "--phone", "0734-1234567"])
            let tenant = try #require(try c.cli.json(["tenant", "show", credit]) as? [String: Any])
            #expect(tenant["name"] as? String == payload && tenant["contact"] as? String == payload)
        }
        // The same payloads through CSV cells (quoted as a spreadsheet would).
        func cell(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var csv = "name,credit_code,industry,contact,phone,park\n"
        for (i, payload) in Self.injections.enumerated() {
            let credit = try #require(CreditCode.make("91430400MA4J00\(String(format: "%03d", i))"))
            csv += "\(cell(payload)),\(credit),software,\(cell(payload)),0734-1234567,EC\n"
        }
        let out = try c.cli.run(["import", "tenants", "-"], input: csv)
        #expect(out.status == 0, "\(out.stderr)")
        for (i, payload) in Self.injections.enumerated() {
            let credit = try #require(CreditCode.make("91430400MA4J00\(String(format: "%03d", i))"))
            let tenant = try #require(try c.cli.json(["tenant", "show", credit]) as? [String: Any])
            #expect(tenant["name"] as? String == payload && tenant["contact"] as? String == payload)
        }
        // Nothing was dropped or deleted on the way.
        #expect(try c.cli.db.connection.query("SELECT count(*) FROM park").rows[0].decode(0, as: Int.self) == 3 + Self.injections.count)
    }

    @Test func badTextIsRefusedEverywhereAndChangesNothing() throws {
        let c = try Corpus()
        let opened = try c.cli.ok(["ticket", "open", "--tenant", "91430400MA40001014", "--category", "repair", "--title", "漏水"])
        let number = String(try #require(opened.firstMatch(of: /T-\d{4}-\d{6}/)).output)
        for (bad, rule) in Self.badText {
            try c.refused(["ticket", "comment", number, "--text", bad], saying: rule)
            try c.refused(["ticket", "assign", number, "--to", bad], saying: rule)
            try c.refused(["calendar", "add-holiday", "2027-10-08", "--name", bad], saying: rule)
            try c.refused(["park", "add", "--code", "ZZ", "--name", bad, "--kind", "mixed"], saying: rule)
            try c.refused(["park", "add", "--code", bad, "--name", "园区", "--kind", "mixed"])
            try c.refused(["building", "add", "SW/B9", "--name", bad, "--floors", "3"], saying: rule)
            try c.refused(["unit", "off-market", "SW/B1/0101", "--reason", bad], saying: rule)
            try c.refused(["ticket", "open", "--tenant", "91430400MA40001014", "--category", "repair", "--title", bad], saying: rule)
            try c.refused(["tenant", "apply", "--park", "SW", "--name", bad, "--credit-code", "91430400MA4K00001F",
                           "--industry", "software", "--contact", "张三", "--phone", "0734-1234567"], saying: rule)
            try c.refused(["tenant", "apply", "--park", "SW", "--name", "新公司", "--credit-code", "91430400MA4K00001F",
                           "--industry", "software", "--contact", bad, "--phone", "0734-1234567"], saying: rule)
            try c.refused(["tenant", "apply", "--park", "SW", "--name", "新公司", "--credit-code", bad,
                           "--industry", "software", "--contact", "张三", "--phone", "0734-1234567"])
            try c.refused(["lease", "terminate", "L-2020-000004", "--on", "2026-12-31", "--reason", bad], saying: rule)
        }
        // A megabyte, which no argument can carry, on standard input and in a CSV cell.
        let megabyte = String(repeating: "长", count: 350_000)
        try c.refused(["staff", "add", "mega", "--role", "viewer", "--parks", "SW", "--password-stdin"], saying: "more than 1024 bytes", input: megabyte)
        try c.refused(["import", "tenants", "-"], saying: "line 2, name",
                      input: "name,credit_code,industry,contact,phone,park\n\(megabyte),91430400MA4K00001F,software,张三,0734-1234567,SW\n")
    }

    @Test func badDatesAndNumbersAreRefused() throws {
        let c = try Corpus()
        let sign = ["lease", "sign", "--tenant", "91430400MA40001014", "--units", "SW/B1/0101"]
        for date in Self.badDates {
            try c.refused(sign + ["--start", date, "--end", "2028-12-31", "--rent", "40"], saying: "start")
            try c.refused(sign + ["--start", "2027-01-01", "--end", date, "--rent", "40"], saying: "end")
            try c.refused(["report", "occupancy", "--as-of", date])
        }
        for number in Self.badNumbers {
            try c.refused(sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", number], saying: "rent")
            try c.refused(["unit", "add", "SW/B1/0199", "--floor", "1", "--area", number, "--kind", "office", "--list-rent", "30"],
                          saying: "area")
            // A spreadsheet's 1,000 and full-width ３５ are read by import (and only there).
            if number == "1,000" || number == "３５" { continue }
            try c.refused(["import", "units", "-"], saying: "line 2",
                          input: "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0199,1,\(number),office,30\n")
        }
        // A whole number out of range is our rule's (65); what is no whole number at all, the parser's (64).
        for (floor, status): (String, Int32) in [("99999999999", 65), ("-0x1", 64), ("1.5", 64), ("NaN", 64)] {
            try c.refused(["unit", "add", "SW/B1/0199", "--floor", floor, "--area", "50", "--kind", "office", "--list-rent", "30"],
                          status: status, saying: status == 65 ? "floor" : "The value '\(floor)' is invalid for '--floor <floor>'")
        }
    }

    @Test func brokenBytesAreRefused() throws {
        let c = try Corpus()
        // Invalid UTF-8 in an argument: the shell makes the bytes Swift strings cannot hold.
        let before = try c.cli.db.connection.tableChecksums()
        let script = "exec \"$0\" park add --code ZZ --name \"$(printf 'bad\\377\\376name')\" --kind mixed --database-url \"$1\""
        let out = try ProcessRunner.run("/bin/sh", ["-c", script, Parkctl.executable, c.cli.db.conninfo], timeout: 600)
        #expect(out.status == 65, "\(out.stderr)")
        #expect(out.stderr.contains("not valid UTF-8"), "\(out.stderr)")
        #expect(try c.cli.db.connection.tableChecksums() == before)

        let header = "name,credit_code,industry,contact,phone,park\n"
        let rows: [(String, String)] = [
            ("坏\u{0}字节", "NUL byte"),
            ("响铃\u{07}", "control character"),
            ("转义\u{1B}[2J", "control character"),
        ]
        for (name, rule) in rows {
            try c.refused(["import", "tenants", "-"], saying: rule,
                          input: header + "\(name),91430400MA4K00001F,software,张三,0734-1234567,SW\n")
        }
        // Invalid UTF-8 inside a CSV file.
        var bytes = Array(header.utf8)
        bytes += Array("坏".utf8) + [0xFF, 0xFE] + Array(",91430400MA4K00001F,software,张三,0734-1234567,SW\n".utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try c.refused(["import", "tenants", path], saying: "not valid UTF-8")
    }
}
