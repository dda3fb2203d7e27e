import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 14: `import --update` upserts by natural key, says per line what it changed,
/// and is all or nothing.
@Suite struct ImportUpdateTests {
    func ok(_ cli: CLI, _ args: [String], input: String) throws -> String {
        let out = try cli.run(args, input: input)
        #expect(out.status == 0, "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        return out.stdout
    }

    @Test func aRecordedKeyIsUpdatedANewOneInsertedAndEachChangeListed() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301 256.50 m² 38.00, 0302 1200 m² 36.50
        let header = "park,building,unit,floor,area_m2,kind,list_rent,off_market_reason\n"
        let file = header + "SW,B1,0301,3,256.50,office,39.00,\nSW,B1,0302,3,1200,office,36.50,\nSW,B1,0303,3,80,office,30,\n"
        // Without --update a recorded unit is refused, as before.
        let plain = try cli.run(["import", "units", "-"], input: file)
        #expect(plain.status == 65 && plain.stderr.contains("unit SW/B1/0301 exists already"), "\(plain.stderr)")
        #expect(plain.stderr.contains("to change the recorded rows instead, import with --update"))
        // A spreadsheet's 301 for 0301 is a slip, not a new unit.
        let excel = try cli.run(["import", "units", "-", "--update", "--dry-run"], input: header + "SW,B1,301,3,256.5,office,39,\n")
        #expect(excel.status == 65 && excel.stderr.contains(
            "unit SW/B1/301 is not recorded, but SW/B1/0301 is: a spreadsheet drops leading zeros (format the column as text)"), "\(excel.stderr)")

        let before = try cli.db.connection.tableChecksums()
        let dry = try cli.run(["import", "units", "-", "--update", "--dry-run"], input: file)
        #expect(dry.stdout == "line 2 SW/B1/0301: list_rent 38.00 → 39.00\nline 4 SW/B1/0303: new\n"
                + "dry run: read 3 rows: would update 1 of the 2 recorded (1 unchanged), would import 1 new, rejected 0\n", "\(dry.stdout)")
        #expect(try cli.db.connection.tableChecksums() == before)

        #expect(try ok(cli, ["import", "units", "-", "--update"], input: file)
                == "line 2 SW/B1/0301: list_rent 38.00 → 39.00\nline 4 SW/B1/0303: new\n"
                + "read 3 rows: updated 1 of the 2 recorded (1 unchanged), imported 1 new, rejected 0\n")
        let units = try #require(try cli.json(["unit", "list", "--building", "SW/B1"]) as? [[String: Any]])
        #expect(units.map { $0["code"] as? String } == ["SW/B1/0301", "SW/B1/0302", "SW/B1/0303"])
        #expect((units[0]["list_rent"] as? NSNumber)?.decimalValue == 39)
        // The unchanged row left no trace in the audit trail; the changed one did.
        let audit = try #require(try cli.json(["audit", "--entity", "unit"]) as? [[String: Any]])
        #expect(audit.filter { $0["action"] as? String == "update" }.map { $0["label"] as? String } == ["SW/B1/0301"])
        // Again: nothing to change.
        #expect(try ok(cli, ["import", "units", "-", "--update"], input: file)
                == "read 3 rows: updated 0 of the 3 recorded (3 unchanged), imported 0 new, rejected 0\n")
    }

    @Test func anUpdateIsAllOrNothingAndKeepsTheRulesOfTheCommands() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--on", "2024-12-01"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW", "--on", "2024-12-02"])
        let lease = try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01",
                                "--end", "2028-12-31", "--rent", "40"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try cli.db.connection.tableChecksums()
        // A leased unit's area changes only through unit set --reason; a bad row elsewhere stops everything.
        let file = "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0301,3,300,office,38\nSW,B1,0302,3,1200,office,-1\n"
        let out = try cli.run(["import", "units", "-", "--update"], input: file)
        #expect(out.status == 65)
        #expect(out.stderr.contains("line 2, area_m2 '300': unit SW/B1/0301 is or was held by lease \(lease): change its area or kind with parkctl unit set"),
                "\(out.stderr)")
        #expect(out.stderr.contains("line 3, list_rent"))
        #expect(try cli.db.connection.tableChecksums() == before)

        // Tenants: the profile is updated; the application in progress is kept.
        let tenants = "name,credit_code,industry,contact,phone,email,park,stage\n"
            + "博思软件科技,91350100M000100Y43,software,林晓,0591-87500103,,SW,moved_in\n"
        #expect(try ok(cli, ["import", "tenants", "-", "--update"], input: tenants)
                == "line 2 博思软件: contact 陈静 → 林晓\nline 2 博思软件: name 博思软件 → 博思软件科技\n"
                + "note: the park and stage of a recorded tenant's application are left as they are (parkctl tenant approve|move-in … changes them)\n"
                + "read 1 rows: updated 1 of the 1 recorded (0 unchanged), imported 0 new, rejected 0\n")

        // Floors that would leave a unit outside its building are named by line, in a dry run too.
        let floors = try cli.run(["import", "buildings", "-", "--update", "--dry-run"],
                                 input: "park,building,name,floors\nSW,B1,1号楼,2\n")
        #expect(floors.status == 65 && floors.stderr.contains("line 2, floors '2': building SW/B1 has unit SW/B1/0301 on floor 3"),
                "\(floors.stderr)")
        let shown = try #require(try cli.json(["tenant", "show", "91350100M000100Y43"]) as? [String: Any])
        #expect(shown["name"] as? String == "博思软件科技" && shown["contact"] as? String == "林晓")
        #expect(((shown["applications"] as? [[String: Any]])?.map { $0["stage"] as? String }) == ["lease_signed"])

        // Leases change by their own commands.
        let leases = try cli.run(["import", "leases", "-", "--update"], input: "number\n")
        #expect(leases.status == 65 && leases.stderr.contains("leases cannot be updated by import"))
    }

    @Test func shortNamesTravelThroughCSVAndAMissingColumnChangesNothing() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--email", "info@bosi.example"])
        // 简称 is read like short_name; a file without an email column keeps the e-mail.
        let file = "公司名,统一社会信用代码,行业,联系人,电话,简称\n博思软件,91350100M000100Y43,software,陈静,0591-87500103,博思\n"
        #expect(try ok(cli, ["import", "tenants", "-", "--update"], input: file).hasPrefix("line 2 博思软件: short_name ∅ → 博思\n"))
        let shown = try #require(try cli.json(["tenant", "show", "博思"]) as? [String: Any])
        #expect(shown["email"] as? String == "info@bosi.example")
        // Export writes it, and the file comes back unchanged.
        let exported = try cli.ok(["export", "tenants"])
        #expect(exported.hasPrefix("name,credit_code,industry,contact,phone,email,park,stage,short_name\n"), "\(exported)")
        #expect(exported.contains(",博思\n"))
        #expect(try ok(cli, ["import", "tenants", "-", "--update"], input: exported).contains("updated 0 of the 1 recorded"))
        // A short name another tenant has, or too long, is refused by line.
        let other = CreditCode.make("91430400MA4000201")!
        let clash = try cli.run(["import", "tenants", "-"], input: "name,credit_code,industry,contact,phone,short_name\n"
                                 + "SmartSoft智能,\(other),software,陈静,0591-87500103,博思\n")
        #expect(clash.status == 65 && clash.stderr.contains("line 2, short_name '博思': short name 博思 already names 博思软件"), "\(clash.stderr)")
    }
}

/// Export for Excel and WPS on Chinese Windows: GBK, or UTF-8 with a byte-order mark.
@Suite struct ExportEncodingTests {
    @Test func aGBKExportReadsBackAndABOMStartsAUTF8One() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        let dir = FileManager.default.temporaryDirectory.appending(path: "parkctl-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func export(_ extra: [String], to name: String) throws -> [UInt8] {
            let file = dir.appending(path: name).path
            let args = (["export", "tenants", "--database-url", cli.db.conninfo] + extra).map { "'\($0)'" }.joined(separator: " ")
            let out = try ProcessRunner.run("/bin/sh", ["-c", "'\(Parkctl.executable)' \(args) > '\(file)'"], timeout: 600)
            #expect(out.status == 0, "\(out.stderr)")
            return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        let gbk = try export(["--encoding", "gbk"], to: "gbk.csv")
        // 博 is B2 A9 in GBK (E5 8D 9A in UTF-8).
        #expect(gbk.starts(with: Array("name,".utf8)))
        #expect(String(validating: gbk, as: UTF8.self) == nil)
        #expect(zip(gbk, gbk.dropFirst()).contains { $0 == 0xB2 && $1 == 0xA9 })
        let bom = try export(["--bom"], to: "bom.csv")
        #expect(bom.starts(with: [0xEF, 0xBB, 0xBF, UInt8(ascii: "n")]))
        // Both read back unchanged.
        for file in ["gbk.csv", "bom.csv"] {
            let out = try cli.run(["import", "tenants", dir.appending(path: file).path, "--update", "--dry-run"]
                                  + (file == "gbk.csv" ? ["--encoding", "gbk"] : []))
            #expect(out.status == 0 && out.stdout.contains("would update 0 of the 1 recorded"), "\(file): \(out.stdout) \(out.stderr)")
        }
        let wrong = try cli.run(["export", "tenants", "--encoding", "gbk", "--bom"])
        #expect(wrong.status == 64)
    }
}
