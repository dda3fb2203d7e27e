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
            let out = try ProcessRunner.run("/bin/sh", ["-c", "'\(Parkctl.executable)' \(quoted) > '\(file)'"], timeout: 600)
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
        #expect(lines.count == 3 && lines.dropLast().allSatisfyAndNonEmpty { $0.last == 0x0D } && lines.last?.isEmpty == true)

        // --encoding gbk: 博 is B2 A9 and 漏 is C2 A9 in GBK; converted back it is the UTF-8 text.
        let gbk = try bytes(["report", "rent-roll", "--format", "csv", "--encoding", "gbk"])
        let utf8 = try bytes(["report", "rent-roll", "--format", "csv"])
        #expect(String(validating: gbk, as: UTF8.self) == nil)
        #expect(zip(gbk, gbk.dropFirst()).contains { $0 == 0xB2 && $1 == 0xA9 })
        let gbkFile = dir.appending(path: "gbk.csv")
        try Data(gbk).write(to: gbkFile)
        let back = try ProcessRunner.run("/usr/bin/iconv", ["-f", "GB18030", "-t", "UTF-8", gbkFile.path], timeout: 600)
        #expect(back.status == 0 && Array(back.stdout.utf8) == utf8)

        // Only CSV takes them, and not both at once: usage errors.
        for args in [["ticket", "list", "--excel"], ["ticket", "list", "--format", "json", "--encoding", "gbk"],
                     ["ticket", "list", "--format", "csv", "--excel", "--encoding", "gbk"]] {
            let out = try cli.run(args)
            #expect(out.status == 64, "\(args): \(out.stderr)")
        }
    }
}

/// A sheet as park staff keep it: a title above the header, Chinese headers; in Chinese,
/// its problems are told in Chinese, each column by its Chinese name.
@Suite struct ChineseImportTests {
    @Test func aTitledSheetImportsAndItsProblemsAreChinese() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW, building B1 of 12 floors
        let title = "2026年软件园房源台账,,,,,,\n制表:招商部,,,,,,\n"
        let header = "园区,楼栋,房号,楼层,面积(㎡),类型,挂牌租金(元/㎡/月)\n"
        // Line 4: an area that is no number; line 5: a kind of no vocabulary.
        let bad = title + header + "SW,B1,0101,1,abc,办公,30\nSW,B1,0102,1,100,车库,30\n"
        let before = try cli.db.connection.tableChecksums()
        let refused = try cli.run(["import", "units", "-"], environment: ["PARKCTL_LANG": "zh"], input: bad)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("第 4 行,面积(㎡)「abc」:面积须为大于 0 的数,至多 2 位小数"), "\(refused.stderr)")
        #expect(refused.stderr.contains("第 5 行,类型「车库」:房源类型须为以下之一:办公(office)、厂房(factory)、直播间(live_room)"))
        #expect(refused.stderr.contains("读取 2 行,导入 0 行,拒绝 2 行"))
        #expect(refused.stderr.contains("parkctl: 2 行中有 2 处问题,未导入任何数据"))
        #expect(try cli.db.connection.tableChecksums() == before)
        // In English, the same problems as ever.
        let english = try cli.run(["import", "units", "-"], input: bad)
        #expect(english.stderr.contains("line 4, area_m2 'abc': area is a number above 0 with at most 2 decimals"), "\(english.stderr)")
        #expect(english.stderr.contains("line 5, kind '车库': kind is one of office (办公), factory (厂房)"))
        #expect(english.stderr.contains("2 problems in 2 rows; nothing was imported"))

        // Mended, it imports: the two title lines are passed over.
        let good = title + header + "SW,B1,0101,1,100,办公,30\n"
        let out = try cli.run(["import", "units", "-"], environment: ["PARKCTL_LANG": "zh"], input: good)
        #expect(out.status == 0 && out.stdout.contains("读取 1 行,导入 1 行,拒绝 0 行"), "\(out.stderr)")
        // A row of several cells above the header is no title: refused as a header.
        let noTitle = try cli.run(["import", "units", "-"], input: "台账,2026\n" + header + "SW,B1,0102,1,100,办公,30\n")
        #expect(noTitle.status == 65 && noTitle.stderr.contains("the header has unknown columns '台账'"), "\(noTitle.stderr)")
    }

    /// Industries by their names: 软件 is software, stored as its code and shown by name.
    @Test func industriesAreWrittenAndShownByName() throws {
        let cli = try CLI()
        try cli.ok(["park", "add", "--code", "HY", "--name", "衡阳软件园", "--kind", "software", "--industries", "软件,人工智能"])
        let park = try #require((try cli.json(["park", "list"]) as? [[String: Any]])?.first)
        #expect(park["industries"] as? [String] == ["software", "ai"])
        try cli.ok(["tenant", "apply", "--park", "HY", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        let csv = "公司名称,统一社会信用代码,行业,联系人,电话,园区\n将邑智能,91430400MA4L000100,人工智能,刘洋,0734-8100104,HY\n"
        let imported = try cli.run(["import", "tenants", "-"], input: csv)
        #expect(imported.status == 0, "\(imported.stderr)")
        let tenants = try #require(try cli.json(["tenant", "list"]) as? [[String: Any]])
        #expect(Set(tenants.compactMap { $0["industry"] as? String }) == ["software", "ai"])
        let table = try cli.run(["tenant", "list"], environment: ["PARKCTL_LANG": "zh"]).stdout
        #expect(table.contains("软件") && table.contains("人工智能") && !table.contains("software"), "\(table)")
        // A name no industry has is refused, saying what is accepted.
        let unknown = try cli.run(["tenant", "apply", "--park", "HY", "--name", "某船厂", "--credit-code", "91430400MA4L000126",
                                   "--industry", "造船", "--contact", "王", "--phone", "0734-8100120"])
        #expect(unknown.status == 65 && unknown.stderr.contains("industry '造船' is not valid") && unknown.stderr.contains("软件"),
                "\(unknown.stderr)")
    }
}
