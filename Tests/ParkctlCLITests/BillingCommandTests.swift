import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// The receivables commands as staff use them: the JSON keys they promise, exit codes
/// for bad input with the database unchanged, and roles and park scope.
@Suite struct BillingCommandTests {
    static let hikvision = "91330100MA40001021"   // 海康威视, SW: paid 5000.00 ahead in the demo
    static let jingling = "91330100MA4000202N"    // 鲸灵集团, EC: in arrears in the demo

    @Test func billsPaymentsAndReportsKeepTheirJSONKeys() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let bills = try #require(try cli.json(["bill", "list", "--tenant", Self.jingling, "--overdue"]) as? [[String: Any]])
        #expect(!bills.isEmpty)
        let keys = ["number", "lease", "tenant", "credit_code", "park", "fee", "period_start", "period_end", "due_on", "amount",
                    "paid", "waived", "balance", "status", "overdue_days"]
        for bill in bills {
            #expect(keys.allSatisfy { bill[$0] != nil }, "\(bill.keys.sorted())")
            #expect(bill["status"] as? String == "open" && (bill["overdue_days"] as? Int ?? 0) > 0 && bill["credit_code"] as? String == Self.jingling)
        }
        let aging = try #require(try cli.json(["report", "receivables", "--park", "EC"]) as? [[String: Any]])
        let owing = try #require(aging.first { $0["credit_code"] as? String == Self.jingling })
        for key in ["tenant", "credit_code", "park", "contact", "phone", "not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180",
                    "total", "deposit_held"] {
            #expect(owing[key] != nil, "\(key)")
        }
        // What the bill list says is owed is the aging's total for the tenant.
        let owed = bills.reduce(Decimal(0)) { $0 + Decimal(string: "\($1["balance"]!)")! }
        let listed = try #require(try cli.json(["bill", "list", "--tenant", Self.jingling, "--status", "open"]) as? [[String: Any]])
        #expect(listed.reduce(Decimal(0)) { $0 + Decimal(string: "\($1["balance"]!)")! } == Decimal(string: "\(owing["total"]!)")!)
        #expect(owed > 0)
        #expect(aging.last?["scope"] as? String == "total")

        // A payment of exactly what is owed clears it; the receipt lists the bills it paid.
        let total = "\(owing["total"]!)"
        let receipt = try #require(try cli.json(["payment", "record", "--tenant", Self.jingling, "--park", "EC", "--amount", total,
                                                 "--on", "2026-12-02", "--method", "alipay", "--reference", "支付宝流水 8812"]) as? [String: Any])
        #expect(receipt["unallocated"] as? Double == 0 && (receipt["allocations"] as? [[String: Any]])?.count == listed.count)
        #expect(try (cli.json(["bill", "list", "--tenant", Self.jingling, "--status", "open"]) as? [Any])?.isEmpty == true)
        let collection = try #require(try cli.json(["report", "collection", "--from", "2020-01-01", "--to", "2026-12-31", "--park", "EC"]) as? [[String: Any]])
        #expect(collection.last?["scope"] as? String == "total" && collection.last?["rate"] as? Double == 1)
        // An empty scope: an empty report, not a crash.
        let none = try #require(try cli.json(["report", "collection", "--from", "2010-01-01", "--to", "2010-12-31"]) as? [[String: Any]])
        #expect(none.count == 1 && none[0]["billed"] as? Double == 0 && none[0]["rate"] is NSNull)
        // The reserved lease (it starts in 15 days) has no bill yet: nothing is listed.
        #expect(!(try cli.ok(["bill", "list", "--lease", "L-2026-000007", "--format", "csv"])).contains("B-"))
        let statement = try cli.ok(["statement", "--tenant", Self.hikvision, "--park", "SW", "--from", "2026-01-01", "--to", "2026-12-31"])
        #expect(statement.contains("closing balance: -5000.00"), "\(statement)")
    }

    @Test func badInputIsRefusedWithTheFieldAndNothingChanges() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        func refused(_ args: [String], _ status: Int32, _ text: String) throws {
            let before = try cli.db.connection.tableChecksums()
            let out = try cli.run(args)
            #expect(out.status == status, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(text), "\(out.stderr)")
            #expect(try cli.db.connection.tableChecksums() == before)
        }
        let pay = ["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--on", "2026-12-01"]
        try refused(pay + ["--amount", "1,200"], 65, "amount")
        try refused(pay + ["--amount", "0"], 65, "amount")
        try refused(pay + ["--amount", "100", "--method", "支付宝"], 64, "bank, wechat, alipay, cash or other")
        try refused(pay + ["--amount", "100", "--apply-to", "B-1999-000001"], 65, "bill 'B-1999-000001' not found")
        try refused(["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--on", "2026-02-30", "--amount", "1"], 65, "2026-02-30")
        let paid = try #require((try cli.json(["bill", "list", "--tenant", Self.hikvision, "--status", "paid", "--fee", "rent"]) as? [[String: Any]])?.first)
        let number = try #require(paid["number"] as? String)
        try refused(["bill", "void", number, "--reason", "x"], 65, "money paid")
        try refused(["bill", "waive", number, "--amount", "1", "--reason", "x"], 65, "below zero")
        try refused(["bill", "waive", number, "--amount", "-1", "--reason", "x"], 65, "amount")
        try refused(["bill", "adjust", "--lease", "L-2026-000099", "--amount", "-5", "--due", "2026-12-01", "--reason", "x"], 65, "lease 'L-2026-000099' not found")
        try refused(["bill", "list", "--status", "late"], 64, "open, paid, void or credit")
        try refused(["report", "collection", "--from", "2026-12-31", "--to", "2026-01-01"], 65, "after")
        try refused(["invoice", "record", "--number", "A1", "--bills", number, "--amounts", "1,2"], 65, "2 amounts for 1 bills")
        try refused(["lease", "settle", "L-2026-000003", "--deduct", "100"], 64, "--reason")
    }

    @Test func rolesAndParkScopeHoldForTheLedger() throws {
        let staff = try StaffScopeTests.Staff()
        let li = try staff.add("li_lei", role: "leasing", parks: "SW")
        let viewer = try staff.add("wang_fang", role: "viewer", parks: nil)
        let admin = try staff.add("zhao_min", role: "admin", parks: "SW")
        // Reads: only SW's bills, payments and receivables.
        let parks = try staff.ok(li, ["bill", "list", "--format", "csv"]).split(separator: "\r\n").dropFirst()
            .map { $0.split(separator: ",")[4] }
        #expect(!parks.isEmpty && Set(parks) == ["SW"])
        #expect(!(try staff.ok(li, ["report", "receivables", "--format", "csv"])).contains(",EC,"))
        try staff.refused(li, ["payment", "record", "--tenant", Self.jingling, "--park", "EC", "--amount", "10", "--on", "2026-12-01"],
                          status: 65, saying: "park 'EC' not found")
        // Leasing records payments but may not waive; a viewer records nothing.
        try staff.ok(li, ["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--amount", "10", "--on", "2026-12-01"])
        let bill = try #require(try staff.ok(li, ["bill", "list", "--park", "SW", "--format", "csv"]).split(separator: "\r\n").dropFirst().first)
            .split(separator: ",")[0]
        try staff.refused(li, ["bill", "waive", String(bill), "--amount", "1", "--reason", "x"], status: 77, saying: "not allowed")
        try staff.refused(viewer, ["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--amount", "10", "--on", "2026-12-01"],
                          status: 77, saying: "not allowed")
        try staff.refused(viewer, ["bill", "run", "--through", "2026-12-31"], status: 77, saying: "not allowed")
        // A scoped admin waives in its park; an EC bill is not found for it.
        let ecBill = try #require(try staff.cli.ok(["bill", "list", "--park", "EC", "--format", "csv"]).split(separator: "\r\n").dropFirst().first)
            .split(separator: ",")[0]
        try staff.refused(admin, ["bill", "void", String(ecBill), "--reason", "x"], status: 65, saying: "not found")
        // Through psql, the leasing login can neither change a bill nor pay an EC bill with an SW payment.
        let conn = try Connection(staff.cli.db.conninfo + " user=\(li) password='correct horse 1'")
        defer { conn.close() }
        #expect { try conn.execute("UPDATE bill SET amount = 1") } throws: { ($0 as? PostgresError)?.sqlState == .insufficientPrivilege }
        #expect { try conn.execute("DELETE FROM allocation") } throws: { ($0 as? PostgresError)?.sqlState == .insufficientPrivilege }
        #expect { try conn.execute("INSERT INTO bill_waiver (park_id, bill_id, amount, waived_on, reason) SELECT park_id, id, 1, '2026-12-01', 'x' FROM bill LIMIT 1") } throws: {
            ($0 as? PostgresError)?.sqlState == .insufficientPrivilege
        }
        #expect {
            try conn.execute("""
                INSERT INTO allocation (park_id, tenant_id, bill_id, payment_id, amount, applied_on)
                SELECT b.park_id, b.tenant_id, b.id, (SELECT max(id) FROM payment), 1, '2026-12-01'
                FROM bill b WHERE b.park_id = (SELECT id FROM park WHERE code = 'SW') AND bill_balance(b.id) = 0 LIMIT 1
                """)
        } throws: { ($0 as? PostgresError)?.sqlState?.rawValue == "23514" }
        // Every change is in the audit trail, under the login.
        let audited: Int = try staff.cli.db.connection.query("SELECT count(*) FROM audit_log WHERE table_name = 'payment' AND actor = \(li)").rows[0].decode(0)
        #expect(audited == 1)
    }
}
