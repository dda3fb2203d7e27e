import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 14, section 2: a tenant named by its name or short name, searches by part of
/// a name, filters that name nothing, "did you mean", and `tenant update`.
@Suite struct FindingTests {
    static let bosi = "91350100M000100Y43"
    /// A second tenant of SW.
    static let smart = CreditCode.make("91430400MA4000201")!

    /// SW/B1 with 0301 and 0302 (portfolio), a basement unit, and two tenants applied
    /// and approved in 2024: 博思软件 and SmartSoft智能.
    func setUp() throws -> CLI {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["building", "add", "SW/B2", "--name", "2号楼", "--floors", "5", "--floors-below", "1"])
        try cli.ok(["unit", "add", "SW/B2/B101", "--floor", "-1", "--area", "80", "--kind", "warehouse", "--list-rent", "15"])
        for (name, code) in [("博思软件", Self.bosi), ("SmartSoft智能", Self.smart)] {
            try cli.ok(["tenant", "apply", "--park", "SW", "--name", name, "--credit-code", code, "--industry", "software",
                        "--contact", "陈静", "--phone", "0591-87500103", "--on", "2024-12-01"])
        }
        // By name, not credit code.
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW", "--on", "2024-12-02"])
        try cli.ok(["tenant", "approve", "SmartSoft智能", "--park", "SW", "--on", "2024-12-02"])
        return cli
    }

    /// The command fails with `status`, says `text`, prints nothing on stdout and changes nothing.
    func refused(_ cli: CLI, _ args: [String], status: Int32 = 65, saying text: String) throws {
        let before = try cli.db.connection.tableChecksums()
        let out = try cli.run(args)
        #expect(out.status == status, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
        #expect(out.stderr.contains(text), "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    @Test func aTenantIsNamedByItsCreditCodeNameOrShortName() throws {
        let cli = try setUp()
        let number = try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-12-15",
                                 "--end", "2027-12-14", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.ok(["tenant", "update", "博思软件", "--short-name", "博思"]).contains("changed short_name"))
        // The short name, and the credit code in lower case, name the same tenant.
        for reference in ["博思", "博思软件", Self.bosi.lowercased()] {
            let leases = try #require(try cli.json(["lease", "list", "--tenant", reference]) as? [[String: Any]])
            #expect(leases.map { $0["number"] as? String } == [number], "\(reference)")
        }
        let ticket = try cli.ok(["ticket", "open", "--tenant", "博思", "--unit", "SW/B1/0301", "--category", "repair", "--title", "漏水"])
        #expect(ticket.contains("T-"))
        let tickets = try #require(try cli.json(["ticket", "list", "--tenant", "博思软件"]) as? [[String: Any]])
        #expect(tickets.count == 1)
        // A lease or ticket number typed short or in lower case: the one meant is named.
        let short = number.replacingOccurrences(of: #"-0+"#, with: "-", options: .regularExpression)   // L-2026-000001 → L-2026-1
        try refused(cli, ["lease", "show", short], saying: "lease '\(short)' not found; did you mean \(number)?")
        let ticketNumber = try #require(tickets.first?["number"] as? String)
        try refused(cli, ["ticket", "show", ticketNumber.lowercased()],
                    saying: "ticket '\(ticketNumber.lowercased())' not found; did you mean \(ticketNumber)?")
        try refused(cli, ["lease", "show", "L-1999-000001"], saying: "lease 'L-1999-000001' not found")
        #expect(try cli.ok(["tenant", "show", "博思", "--format", "json"]).contains("\"credit_code\": \"\(Self.bosi)\""))
        let units = try #require(try cli.json(["unit", "list", "--tenant", "博思", "--as-of", "2027-01-01"]) as? [[String: Any]])
        #expect(units.map { $0["code"] as? String } == ["SW/B1/0301"])

        // A short name names one tenant: not another's short name nor registered name.
        try refused(cli, ["tenant", "update", Self.smart, "--short-name", "博思"],
                    saying: "short name '博思' already names 博思软件 (\(Self.bosi)): a short name names one tenant")
        try refused(cli, ["tenant", "update", Self.smart, "--short-name", "博思软件"], saying: "already names 博思软件")
        // Registered names may repeat (companies of two cities): such a name is refused, listing both.
        try cli.db.connection.execute("UPDATE tenant SET name = '博思软件' WHERE credit_code = \(Self.smart)")
        try refused(cli, ["lease", "list", "--tenant", "博思软件"],
                    saying: "'博思软件' names 2 tenants: 博思软件 (\(Self.bosi)), 博思软件 (\(Self.smart)); name one by its credit code")
        // A credit code a character short is a credit code, not a name.
        try refused(cli, ["tenant", "show", String(Self.bosi.dropLast())],
                    saying: "tenant credit code '\(Self.bosi.dropLast())' has 17 characters: a 统一社会信用代码 has 18")
        // A credit code with a slip in its check character is named as such.
        try refused(cli, ["lease", "list", "--tenant", "91350100M000100Y44"], saying: "a character is mistyped or two are swapped (with these first 17 characters the 18th would be '3', not '4')")
    }

    @Test func aFilterThatNamesNothingIsAnErrorThatSaysWhatWasMeant() throws {
        let cli = try setUp()
        // One character off, with a valid check character: a typing slip.
        let near = CreditCode.make("91350100M000101Y4")!   // the 15th character of 博思软件's, and the check
        try refused(cli, ["lease", "list", "--tenant", near],
                    saying: "tenant with credit code '\(near)' not found; did you mean 博思软件 (\(Self.bosi))?")
        try refused(cli, ["ticket", "list", "--tenant", "博思软"],
                    saying: "tenant named '博思软' not found; did you mean 博思软件 (\(Self.bosi))? (find one with: parkctl tenant list --name TEXT)")
        try refused(cli, ["ticket", "list", "--tenant", "没有这家"], saying: "tenant named '没有这家' not found (find one with")
        try refused(cli, ["ticket", "list", "--park", "sw"], saying: "park 'sw' not found; did you mean SW? (parks: SW)")
        try refused(cli, ["lease", "list", "--park", "ZZ"], saying: "park 'ZZ' not found (parks: SW)")
        try refused(cli, ["report", "occupancy", "--building", "SW/b1"],
                    saying: "building 'SW/b1' not found; did you mean SW/B1? (buildings of SW: B1, B2)")
        try refused(cli, ["report", "stacking", "SW/B9"], saying: "building 'SW/B9' not found; did you mean SW/B1 or SW/B2?")
        try refused(cli, ["unit", "show", "SW/B1/301"], saying: "unit 'SW/B1/301' not found; did you mean SW/B1/0301?")
        try refused(cli, ["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/302", "--start", "2026-12-15",
                          "--end", "2027-12-14", "--rent", "35"], saying: "unit 'SW/B1/302' not found; did you mean SW/B1/0302?")
        try refused(cli, ["ticket", "open", "--tenant", "博思软件", "--unit", "SW/B1/0303", "--category", "repair", "--title", "x"],
                    saying: "unit 'SW/B1/0303' not found; did you mean SW/B1/0301 or SW/B1/0302?")
        // A search is not a name: one that finds nothing is an empty list.
        let none = try cli.run(["tenant", "list", "--name", "没有这家"])
        #expect(none.status == 0 && none.stdout == "(none)\n", "\(none.stdout) \(none.stderr)")
    }

    @Test func aSlipInACommandNameSuggestsTheCommand() throws {
        for (args, text) in [(["unit", "lst"], "no command 'unit lst'; did you mean parkctl unit list?"),
                             (["uint", "list", "--database-url", "postgresql://bob:S3cret@127.0.0.1:1/x"], "no command 'uint'; did you mean parkctl unit?"),
                             (["unit", "frobnicate"], "no command 'unit frobnicate'; the commands of parkctl unit are add, set, remove, list, show"),
                             (["report", "ocupancy"], "did you mean parkctl report occupancy?")] {
            let out = try Parkctl.run(args)
            #expect(out.status == 64, "\(args) → \(out.status)")
            #expect(out.stderr.contains(text), "\(args): \(out.stderr)")
            #expect(!out.stderr.contains("S3cret"))   // the rest of the line is not echoed
        }
    }

    @Test func unitListTakesTheFiltersAPersonTries() throws {
        let cli = try setUp()
        func codes(_ args: [String]) throws -> [String] {
            try #require(try cli.json(["unit", "list"] + args) as? [[String: Any]]).compactMap { $0["code"] as? String }
        }
        #expect(try codes(["--floor", "3"]) == ["SW/B1/0301", "SW/B1/0302"])
        #expect(try codes(["--floor", "-1"]) == ["SW/B2/B101"])
        #expect(try codes(["--floor", "7"]) == [])
        try cli.ok(["lease", "sign", "--tenant", "SmartSoft智能", "--units", "SW/B1/0302", "--start", "2026-12-15",
                    "--end", "2027-12-14", "--rent", "35"])
        #expect(try codes(["--tenant", "SmartSoft智能", "--as-of", "2027-01-01"]) == ["SW/B1/0302"])
        #expect(try codes(["--tenant", "SmartSoft智能", "--as-of", "2026-12-01"]) == ["SW/B1/0302"])   // reserved that day
        #expect(try codes(["--tenant", "SmartSoft智能", "--as-of", "2027-12-15"]) == [])   // the lease has ended
    }

    @Test func tenantListFindsByPartOfANameInAnyCaseAndTakesTheTextLiterally() throws {
        let cli = try setUp()
        func names(_ text: String) throws -> [String] {
            try #require(try cli.json(["tenant", "list", "--name", text]) as? [[String: Any]]).compactMap { $0["name"] as? String }
        }
        #expect(try names("博思") == ["博思软件"])
        #expect(try names("软") == ["博思软件"])
        #expect(try names("smartsoft") == ["SmartSoft智能"])
        #expect(try names("SOFT智") == ["SmartSoft智能"])
        #expect(try names("%") == [])          // a literal %, not "anything"
        #expect(try names("_") == [])
        try cli.ok(["tenant", "update", Self.bosi, "--short-name", "BOSI"])
        #expect(try names("bosi") == ["博思软件"])   // the short name is searched too
    }

    @Test func tenantUpdateCorrectsTheProfileKeepsTheOldValuesAndRefusesBadOnes() throws {
        let cli = try setUp()
        let out = try cli.ok(["tenant", "update", "博思软件", "--contact", "林晓", "--phone", "0591-87500999", "--short-name", "博思",
                              "--email", "info@bosi.example"])
        #expect(out == "博思软件 (\(Self.bosi)): changed short_name, contact, phone, email\n")
        #expect(try cli.ok(["tenant", "update", "博思", "--contact", "林晓"]) == "博思软件 (\(Self.bosi)) has these details already; nothing changed\n")
        let shown = try #require(try cli.json(["tenant", "show", "博思"]) as? [String: Any])
        #expect(shown["contact"] as? String == "林晓" && shown["short_name"] as? String == "博思" && shown["email"] as? String == "info@bosi.example")
        // The audit trail keeps what was replaced.
        let audit = try cli.ok(["audit", "--entity", "tenant", "--format", "csv"])
        #expect(audit.contains("contact: 陈静 → 林晓"), "\(audit)")
        // An empty value removes a short name or e-mail.
        #expect(try cli.ok(["tenant", "update", "博思软件", "--email", ""]).contains("changed email"))

        try refused(cli, ["tenant", "update", "博思软件", "--short-name", "博思软件科技有限公司"],
                    saying: "short name '博思软件科技有限公司' has 10 characters: a short name (简称) has at most 8")
        try refused(cli, ["tenant", "update", "博思软件", "--phone", "call me"], saying: "phone 'call me' is not valid")
        try refused(cli, ["tenant", "update", "博思软件", "--industry", "Soft Ware"], saying: "industry")
        try refused(cli, ["tenant", "update", "博思软件"], status: 64, saying: "give at least one of --name")

        // The stacking plan shows the short name.
        try cli.ok(["lease", "sign", "--tenant", "博思", "--units", "SW/B1/0301", "--start", "2026-12-01", "--end", "2027-12-14", "--rent", "35"])
        let plan = try cli.ok(["report", "stacking", "SW/B1", "--as-of", "2026-12-15"])
        #expect(plan.contains("0301 博思 "), "\(plan)")
    }

    @Test func applyingAtASecondParkSaysWhichRecordedDetailsWereKept() throws {
        let cli = try setUp()
        try cli.ok(["park", "add", "--code", "EC", "--name", "电商产业园", "--kind", "ecommerce", "--industries", "software,ecommerce"])
        let out = try cli.ok(["tenant", "apply", "--park", "EC", "--name", "博思软件", "--credit-code", Self.bosi, "--industry", "software",
                              "--contact", "王五", "--phone", "0591-87500103"])
        #expect(out.contains("note: 博思软件 is known already and keeps its recorded contact 陈静; "
                             + "to record the ones given here: parkctl tenant update \(Self.bosi) --contact '王五'"), "\(out)")
        let same = try cli.ok(["tenant", "apply", "--park", "EC", "--name", "SmartSoft智能", "--credit-code", Self.smart,
                               "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        #expect(!same.contains("note:"))
    }

    /// Where the database's character type is not C and pg_trgm is installed, the
    /// migration builds a trigram index that a search of three characters or more uses.
    @Test func theTrigramIndexServesLongSearchesWhereTheLocaleAllowsIt() throws {
        let server = try TestServer.shared.get()
        let conninfo = try server.makeEmptyDatabase(ctype: "C.UTF-8")
        let conn = try Connection(conninfo)
        defer { conn.close() }
        try Migrator().migrate(conn)
        #expect(try conn.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'tenant_search_trgm'").rows[0].decode(0, as: Int.self) == 1)
        #expect(try conn.query("SELECT has_schema_privilege('public', 'parkctl_ext', 'USAGE')").rows[0].decode(0, as: Bool.self) == false)
        try conn.execute("SET enable_seqscan = off")
        var explain = TenantService.listQuery(park: nil, stage: nil, name: "博思软")
        explain.sql = "EXPLAIN " + explain.sql
        let plan: [String] = try conn.query(explain).rows.map { try $0.decode(0) }
        #expect(plan.contains { $0.contains("tenant_search_trgm") }, "\(plan)")
        // The embedded cluster's C locale: no such index, a plain read.
        let plain = try TestDatabase()
        #expect(try plain.connection.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'tenant_search_trgm'").rows[0].decode(0, as: Int.self) == 0)
    }
}
