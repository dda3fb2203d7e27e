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
            #expect(keys.allSatisfyAndNonEmpty { bill[$0] != nil }, "\(bill.keys.sorted())")
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
        // 衡阳峰峰侠's lease starts in 15 days: it has no bill yet, and nothing is listed.
        #expect(!(try cli.ok(["bill", "list", "--tenant", "91430400MA4000105G", "--format", "csv"])).contains("B-"))
        let statement = try cli.ok(["statement", "--tenant", Self.hikvision, "--park", "SW", "--from", "2020-01-01", "--to", "2099-12-31"])
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
        try refused(pay + ["--amount", "100", "--method", "花呗"], 64, "bank, wechat, alipay, cash or other")
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

    /// The hostile review's attacks (issue 16), each made the way a leasing login with
    /// psql or parkctl would make it; each succeeded before the fix.
    @Test func aLeasingLoginCannotForgeMoney() throws {
        let staff = try StaffScopeTests.Staff()
        let li = try staff.add("li_lei", role: "leasing", parks: "SW")
        let owner = staff.cli.db.connection
        let conn = try Connection(staff.cli.db.conninfo + " user=\(li) password='correct horse 1'")
        defer { conn.close() }
        func refusedSQL(_ sql: String, _ state: String, _ text: String = "") {
            let before = try? owner.tableChecksums()
            #expect {
                try conn.execute(PostgresQuery(unsafeSQL: sql))
            } throws: { error in
                guard let e = error as? PostgresError else { return false }
                return e.sqlState?.rawValue == state && (text.isEmpty || e.message.contains(text))
            }
            #expect((try? owner.tableChecksums()) == before, "\(sql)")
        }
        let rent = "(SELECT id FROM bill WHERE fee = 'rent' AND park_id = (SELECT id FROM park WHERE code = 'SW') ORDER BY id LIMIT 1)"
        // A refund named against a charge, or any amount: refused.
        refusedSQL("""
            INSERT INTO refund (number, park_id, tenant_id, credit_bill_id, amount, refunded_on, reason)
            SELECT 'R-2026-900001', park_id, tenant_id, id, 1000000, '2026-12-01', 'x' FROM bill WHERE id = \(rent)
            """, "23514", "refund")
        // A deposit "returned" as credit to another tenant: the bill's tenant is its lease's.
        refusedSQL("""
            INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
            SELECT 'B-2026-900002', b.park_id, b.lease_id, (SELECT id FROM tenant WHERE credit_code = '\(Self.hikvision)'), 'deposit',
                   '[2026-12-01,2026-12-02)', '2026-12-01', -100, 'x', '2026-12-01'
            FROM bill b JOIN tenant t ON t.id = b.tenant_id WHERE b.fee = 'deposit' AND t.credit_code <> '\(Self.hikvision)'
              AND b.park_id = (SELECT id FROM park WHERE code = 'SW') LIMIT 1
            """, "23503")
        // A credit with no rule behind it forgives money: admin only.
        refusedSQL("""
            INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
            SELECT 'B-2026-900003', park_id, lease_id, tenant_id, 'adjustment', '[2026-12-01,2026-12-02)', '2026-12-01', -100, 'x', '2026-12-01'
            FROM bill WHERE id = \(rent)
            """, "42501", "admin only")
        refusedSQL("""
            INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, source_bill_id, issued_on)
            SELECT 'B-2026-900004', park_id, lease_id, tenant_id, 'late_fee', '[2026-12-01,2026-12-02)', '2026-12-01', -5, id, '2026-12-01'
            FROM bill WHERE id = \(rent)
            """, "23514", "rule")
        // Who wrote a row and when is the database's.
        refusedSQL("""
            INSERT INTO payment (number, park_id, tenant_id, amount, received_on, actor)
            SELECT 'P-2026-900005', id, (SELECT id FROM tenant WHERE credit_code = '\(Self.hikvision)'), 1, '2026-12-01', 'admin_boss'
            FROM park WHERE code = 'SW'
            """, "42501")
        // An allocation back-dated before its money arrived.
        try staff.ok(li, ["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--amount", "10", "--on", "2026-12-01"])
        let open = try owner.query("""
            SELECT b.id FROM bill b JOIN tenant t ON t.id = b.tenant_id WHERE t.credit_code = \(Self.hikvision) AND bill_balance(b.id) > 0
            ORDER BY b.id LIMIT 1
            """).rows
        #expect(open.isEmpty)   // 海康威视 owes nothing; its 5000.00 ahead is credit: a new charge takes it
        try staff.ok(li, ["bill", "adjust", "--lease", "L-2020-000004", "--amount", "100", "--due", "2026-12-02", "--reason", "维修费"])
        refusedSQL("""
            INSERT INTO allocation (park_id, tenant_id, bill_id, payment_id, amount, applied_on)
            SELECT p.park_id, p.tenant_id, (SELECT max(id) FROM bill WHERE tenant_id = p.tenant_id AND fee = 'rent'), p.id, -1, '2020-01-01'
            FROM payment p WHERE p.number = (SELECT max(number) FROM payment WHERE reference = '预付')
            """, "23514")
        // Through parkctl: a leasing login's credit, a reversal before the money came, days not yet passed.
        try staff.refused(li, ["bill", "adjust", "--lease", "L-2020-000004", "--amount", "-100", "--due", "2026-12-02", "--reason", "x"],
                          status: 77, saying: "admin only")
        let payment = try #require(try staff.ok(li, ["payment", "list", "--park", "SW", "--format", "csv"]).split(separator: "\r\n").last?
            .split(separator: ",").first.map(String.init))
        try staff.refused(li, ["payment", "reverse", payment, "--reason", "退票", "--on", "2026-11-01"], status: 65, saying: "on or after the day it was received")
        try staff.refused(li, ["late-fee", "run", "--through", "2099-12-31"], status: 65, saying: "up to today")
        try staff.refused(li, ["payment", "record", "--tenant", Self.hikvision, "--park", "SW", "--amount", "1", "--on", "2099-01-01"],
                          status: 65, saying: "after today")
        try staff.refused(li, ["lease", "settle", "L-2020-000004", "--on", "2099-01-01"], status: 65, saying: "after today")
        try staff.refused(li, ["lease", "settle", "L-2026-000003"], status: 65, saying: "runs to")
        // A late fee tied to a void bill is no way around the rule: it was accepted (the rule's
        // sum was NULL) and then refunded as cash.
        try staff.ok(li, ["bill", "adjust", "--lease", "L-2026-000003", "--amount", "50", "--due", "2026-12-02", "--reason", "临时"])
        let temporary = try #require(try staff.ok(li, ["bill", "list", "--lease", "L-2026-000003", "--fee", "adjustment", "--format", "csv"])
            .split(separator: "\r\n").last?.split(separator: ",").first.map(String.init))
        try staff.ok(li, ["bill", "void", temporary, "--reason", "开错"])
        refusedSQL("""
            INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, source_bill_id, issued_on)
            SELECT 'B-2026-900006', park_id, lease_id, tenant_id, 'late_fee', '[2026-12-01,2026-12-02)', '2026-12-01', -1000000, id, '2026-12-01'
            FROM bill WHERE number = '\(temporary)'
            """, "23514", "correction")
        // Voiding a rent bill forgives it for good: admin only.
        try staff.ok(li, ["bill", "run", "--through", "2027-06-30", "--park", "SW"])
        let nextRent = try #require(try staff.ok(li, ["bill", "list", "--park", "SW", "--fee", "rent", "--status", "open", "--format", "csv"])
            .split(separator: "\r\n").dropFirst().first?.split(separator: ",").first.map(String.init))
        try staff.refused(li, ["bill", "void", nextRent, "--reason", "x"], status: 77, saying: "admin only")
        // An invoiced bill is not voided; an invoice is at the park's tax rate. (腾讯 holds no credit: its charges stay open.)
        for _ in 1...2 {
            try staff.ok(li, ["bill", "adjust", "--lease", "L-2026-000003", "--amount", "100", "--due", "2026-12-02", "--reason", "维修费"])
        }
        let charges = try staff.ok(li, ["bill", "list", "--lease", "L-2026-000003", "--fee", "adjustment", "--status", "open", "--format", "csv"])
            .split(separator: "\r\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        #expect(charges.count == 2)
        try staff.ok(li, ["invoice", "record", "--number", "INV-1", "--bills", charges[0]])
        try staff.refused(li, ["bill", "void", charges[0], "--reason", "x"], status: 65, saying: "invoiced")
        refusedSQL("""
            INSERT INTO invoice_line (park_id, invoice_id, bill_id, amount, tax_rate, tax)
            SELECT b.park_id, (SELECT id FROM invoice WHERE number = 'INV-1'), b.id, 1, 0, 0 FROM bill b WHERE b.number = '\(charges[1])'
            """, "23514", "tax rate")
    }
}
