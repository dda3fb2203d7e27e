import Foundation
import Postgres

/// Bills (账单): issuing them from the leases, listing them, and correcting them by
/// new rows only (a waiver, a void, an adjustment). The money rules are the
/// database's (migration 0023): what a period owes, the order bills are paid in, the
/// late fees; this service names things, checks what is typed and reports.
public struct BillService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// What one bill run or late-fee run made.
    public struct RunResult: Sendable, Equatable {
        public var bills: Int
        /// Termination credits (negative adjustments) issued.
        public var credits: Int
        /// Allocations of the tenants' credit to the bills just issued.
        public var allocations: Int

        public init(bills: Int, credits: Int, allocations: Int) {
            self.bills = bills
            self.credits = credits
            self.allocations = allocations
        }
    }

    /// Issues every bill whose period starts on or before `through` (and each lease's
    /// deposit bill) that is not issued yet, and the credits for days after a lease's
    /// last day; then applies the tenants' credit to them. Running it again issues nothing.
    @discardableResult
    public func run(through: CalendarDate, park: String? = nil) throws -> RunResult {
        try session.write { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            let row = try conn.query("SELECT bills, credits, allocations FROM bill_run(\(through), \(parkID))").rows[0]
            return RunResult(bills: try row.decode("bills"), credits: try row.decode("credits"), allocations: try row.decode("allocations"))
        }
    }

    /// Issues the late fees (滞纳金) owed through `through`: one bill per overdue bill,
    /// for the days since its previous late-fee run, due on `through`.
    @discardableResult
    public func lateFeeRun(through: CalendarDate, park: String? = nil) throws -> RunResult {
        try session.write { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            let row = try conn.query("SELECT bills, allocations FROM late_fee_run(\(through), \(parkID))").rows[0]
            return RunResult(bills: try row.decode("bills"), credits: 0, allocations: try row.decode("allocations"))
        }
    }

    public struct Filter: Sendable {
        public var tenant: String?
        public var lease: String?
        public var park: String?
        public var status: BillStatus?
        public var fee: BillFee?
        /// Only bills with something owed past their due day.
        public var overdue = false
        /// The day the positions are taken on (default: today).
        public var asOf: CalendarDate?

        public init(tenant: String? = nil, lease: String? = nil, park: String? = nil, status: BillStatus? = nil,
                    fee: BillFee? = nil, overdue: Bool = false, asOf: CalendarDate? = nil) {
            self.tenant = tenant
            self.lease = lease
            self.park = park
            self.status = status
            self.fee = fee
            self.overdue = overdue
            self.asOf = asOf
        }
    }

    /// The bills issued by `asOf` that match, by due day, with what each owed on that day.
    public func list(_ filter: Filter = Filter()) throws -> (asOf: CalendarDate, bills: [Bill]) {
        try session.read { conn in
            if let park = filter.park { _ = try Lookup.parkID(park, conn) }
            let tenant = try filter.tenant.map { try Lookup.tenant($0, conn).id }
            if let lease = filter.lease, try conn.query("SELECT 1 FROM lease WHERE number = \(lease)").rowCount == 0 {
                throw try Lookup.numberNotFound(.lease, lease, conn)
            }
            let asOf: CalendarDate = try filter.asOf ?? conn.query("SELECT \(ParkDay.today(park: filter.park))").rows[0].decode(0)
            let conditions: [SQL?] = [
                tenant.map { "b.tenant_id = \($0)" }, filter.lease.map { "l.number = \($0)" }, filter.park.map { "p.code = \($0)" },
                filter.fee.map { "b.fee = \($0.rawValue)" },
            ]
            let inner = Bill.selection(asOf: "\(asOf)::date") + " " + SQL.whereAll(conditions)
            let outer: [SQL?] = [filter.status.map { "x.status = \($0.rawValue)" }, filter.overdue ? "x.overdue_days > 0" : nil]
            let rows = try conn.query("SELECT x.* FROM (\(inner)) x \(SQL.whereAll(outer)) ORDER BY x.due_on, x.park, x.number").rows
            return (asOf, try rows.map(Bill.init(row:)))
        }
    }

    /// One bill as of `asOf` (default today) with its allocations, waivers, invoices and void.
    public func show(_ number: String, asOf: CalendarDate? = nil) throws -> BillDetail {
        try session.read { conn in try detail(number, asOf: asOf, conn) }
    }

    func detail(_ number: String, asOf: CalendarDate? = nil, _ conn: Connection) throws -> BillDetail {
        guard let id: Int = try conn.query("SELECT id FROM bill WHERE number = \(number)").rows.first?.decode(0) else {
            throw try Lookup.numberNotFound(.bill, number, conn)
        }
        // As of the day asked (default today), or the bill's own first day if that is later.
        let day: SQL = "greatest(coalesce(\(asOf)::date, park_today(b.park_id)), least(b.issued_on, b.due_on))"
        let bill = try Bill(row: conn.query((Bill.selection(asOf: "(SELECT \(day) FROM bill b WHERE b.id = \(id))") + " WHERE b.id = \(id)").query).rows[0])
        let allocations = try conn.query((Allocation.selection() + " WHERE a.bill_id = \(id) OR a.credit_bill_id = \(id) ORDER BY a.id").query)
            .rows.map(Allocation.init(row:))
        let waivers = try conn.query("SELECT amount, waived_on, reason, actor FROM bill_waiver WHERE bill_id = \(id) ORDER BY id").rows.map {
            Waiver(amount: try $0.decode("amount"), waivedOn: try $0.decode("waived_on"), reason: try $0.decode("reason"), actor: try $0.decode("actor"))
        }
        let invoices = try conn.query("""
            SELECT i.number, i.issued_on, l.amount, l.tax_rate, l.tax FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
            WHERE l.bill_id = \(id) ORDER BY l.id
            """).rows.map {
            InvoiceShare(invoice: try $0.decode("number"), issuedOn: try $0.decode("issued_on"), amount: try $0.decode("amount"),
                         taxRate: try $0.decode("tax_rate"), tax: try $0.decode("tax"))
        }
        let void = try conn.query("SELECT voided_on, reason FROM bill_void WHERE bill_id = \(id)").rows.first.map {
            (on: try $0.decode("voided_on", as: CalendarDate.self), reason: try $0.decode("reason", as: String.self))
        }
        let source: String? = try conn.query("SELECT s.number FROM bill b JOIN bill s ON s.id = b.source_bill_id WHERE b.id = \(id)")
            .rows.first?.decode(0)
        return BillDetail(bill: bill, allocations: allocations, waivers: waivers, invoices: invoices, voided: void, source: source)
    }

    /// Forgives `amount` of a bill (减免; admin only): what it owes falls by that much.
    public func waive(_ number: String, amount: Decimal, reason: String, on: CalendarDate? = nil) throws -> BillDetail {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write(reason: reason) { conn in
            let id = try billID(number, conn)
            try conn.execute("""
                INSERT INTO bill_waiver (park_id, bill_id, amount, waived_on, reason)
                SELECT b.park_id, b.id, \(amount), coalesce(\(on)::date, park_today(b.park_id)), \(reason) FROM bill b WHERE b.id = \(id)
                """)
            return try detail(number, asOf: on, conn)
        }
    }

    /// Voids a bill issued in error, with nothing paid or waived: it no longer counts.
    public func void(_ number: String, reason: String, on: CalendarDate? = nil) throws -> BillDetail {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write(reason: reason) { conn in
            let id = try billID(number, conn)
            if try conn.query("SELECT 1 FROM bill_void WHERE bill_id = \(id)").rowCount > 0 {
                throw ParkError(.conflict, "bill \(number) is void already")
            }
            try conn.execute("""
                INSERT INTO bill_void (bill_id, park_id, voided_on, reason)
                SELECT b.id, b.park_id, coalesce(\(on)::date, park_today(b.park_id)), \(reason) FROM bill b WHERE b.id = \(id)
                """)
            return try detail(number, asOf: on, conn)
        }
    }

    /// A charge (amount > 0) or a credit (amount < 0) on a lease, due on `due`: a
    /// charge is paid from the tenant's credit, a credit pays the tenant's open bills,
    /// oldest first, as a payment would.
    public func adjust(lease: String, amount: Decimal, due: CalendarDate, reason: String) throws -> (bill: BillDetail, allocations: [Allocation]) {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        guard amount != 0 else { throw ParkError.invalid("amount '0' is not an adjustment: give a charge (more than 0) or a credit (less than 0)") }
        return try session.write(reason: reason) { conn in
            guard let row = try conn.query("SELECT id, park_id, tenant_id, status FROM lease WHERE number = \(lease)").rows.first else {
                throw try Lookup.numberNotFound(.lease, lease, conn)
            }
            let (leaseID, parkID, tenantID): (Int, Int, Int) = (try row.decode("id"), try row.decode("park_id"), try row.decode("tenant_id"))
            guard ["signed", "terminated"].contains(try row.decode("status", as: String.self)) else {
                throw ParkError.invalid("lease \(lease) is \(try row.decode("status", as: String.self)): only a signed or terminated lease is billed")
            }
            let number: String = try conn.query("""
                INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                VALUES (bill_next_number(park_today(\(parkID))), \(parkID), \(leaseID), \(tenantID), 'adjustment', daterange(\(due), \(due), '[]'),
                        \(due), \(amount), \(reason), park_today(\(parkID)))
                RETURNING number
                """).rows[0].decode(0)
            let made = try Allocations.apply(park: parkID, tenant: tenantID,
                                             credit: amount < 0 ? SQL("(SELECT id FROM bill WHERE number = \(number))") : nil, conn)
            return (try detail(number, conn), made)
        }
    }

    func billID(_ number: String, _ conn: Connection) throws -> Int {
        guard let id: Int = try conn.query("SELECT id FROM bill WHERE number = \(number)").rows.first?.decode(0) else {
            throw try Lookup.numberNotFound(.bill, number, conn)
        }
        return id
    }
}

/// Putting money to bills: receivables_allocate (0023), which pays the open bills
/// oldest first from the sources given, and what it made, as allocations.
enum Allocations {
    /// `payment`, `credit`: only that source (an id, as SQL); `bills`: only those.
    static func apply(park: Int, tenant: Int, payment: SQL? = nil, credit: SQL? = nil, bills: [Int]? = nil,
                      _ conn: Connection) throws -> [Allocation] {
        try conn.query("""
            WITH made AS (SELECT * FROM receivables_allocate(\(park), \(tenant), \(payment ?? "NULL")::bigint, \(credit ?? "NULL")::bigint,
                                                              \(bills)::bigint[]))
            \(Allocation.selection(from: "made")) ORDER BY a.id
            """).rows.map(Allocation.init(row:))
    }
}
