import Foundation
import Postgres

/// 退租结算: at a lease's end, the deposit it holds pays its open bills (and the
/// deductions charged at move-out); the rest is refunded, or what is still owed is said.
public struct Settlement: Sendable, Equatable {
    public struct Deduction: Sendable, Equatable {
        public var amount: Decimal
        public var reason: String

        public init(amount: Decimal, reason: String) {
            self.amount = amount
            self.reason = reason
        }
    }

    public var lease: String
    public var tenant: String
    public var creditCode: String
    public var park: String
    public var on: CalendarDate
    /// The deposit held before the settlement.
    public var depositHeld: Decimal
    /// The bills charged for the deductions.
    public var deductionBills: [String]
    /// What the deposit (and the tenant's credit) paid.
    public var allocations: [Allocation]
    public var refunded: Decimal
    public var refundNumber: String?
    /// What the lease's bills still owe after it.
    public var stillOwed: Decimal
}

public struct SettlementService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Settles a lease on `on` (default today), on or after its last day: its bills
    /// through its end and its termination credits are issued, the deductions
    /// charged, the tenant's credit and then the deposit applied to the lease's open
    /// bills, the rest of the deposit refunded. Once per lease.
    public func settle(_ number: String, deductions: [Settlement.Deduction] = [], on: CalendarDate? = nil) throws -> Settlement {
        let deductions = try deductions.map { d -> Settlement.Deduction in
            guard d.amount > 0 else { throw ParkError.invalid("deduction '\(d.amount)' is not a charge: a deduction is more than 0") }
            return Settlement.Deduction(amount: d.amount, reason: try Validate.text(d.reason, field: "reason", max: 500))
        }
        return try session.write { conn in
            guard let row = try conn.query("""
                SELECT l.id, l.park_id, l.tenant_id, l.status, p.code AS park, t.name, t.credit_code,
                       upper(lease_occupancy(l.term, l.terminated_on)) - 1 AS last_day, coalesce(\(on)::date, park_today(l.park_id)) AS day
                FROM lease l JOIN park p ON p.id = l.park_id JOIN tenant t ON t.id = l.tenant_id WHERE l.number = \(number)
                """).rows.first else { throw try Lookup.numberNotFound(.lease, number, conn) }
            let leaseID: Int = try row.decode("id"), parkID: Int = try row.decode("park_id"), tenantID: Int = try row.decode("tenant_id")
            let lastDay: CalendarDate = try row.decode("last_day"), day: CalendarDate = try row.decode("day")
            let status: String = try row.decode("status")
            guard status == "signed" || status == "terminated" else {
                throw ParkError.invalid("lease \(number) is \(status): only a signed or terminated lease is settled")
            }
            try conn.execute("SELECT receivables_lock(\(tenantID))")
            if let settled: CalendarDate = try conn.query("""
                SELECT due_on FROM bill WHERE lease_id = \(leaseID) AND fee = 'deposit' AND amount < 0
                  AND NOT EXISTS (SELECT 1 FROM bill_void v WHERE v.bill_id = bill.id) LIMIT 1
                """).rows.first?.decode(0) {
                throw ParkError(.conflict, "lease \(number) was settled on \(settled)")
            }
            guard day >= lastDay else {
                throw ParkError.invalid("""
                    lease \(number) runs to \(lastDay): it is settled on or after its last day \
                    (to end it sooner: parkctl lease terminate \(number) --on DAY --reason ...)
                    """)
            }
            let held: Decimal = try conn.query("SELECT lease_deposit_held(\(leaseID))").rows[0].decode(0)
            try conn.execute("SELECT bill_run(\(lastDay), \(parkID), \(leaseID))")
            var deductionBills: [String] = []
            for d in deductions {
                deductionBills.append(try conn.query("""
                    INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                    VALUES (bill_next_number(\(day)), \(parkID), \(leaseID), \(tenantID), 'adjustment', daterange(\(day), \(day), '[]'),
                            \(day), \(d.amount), \(d.reason), park_today(\(parkID)))
                    RETURNING number
                    """).rows[0].decode(0))
            }
            let leaseBills: SQL = "(SELECT array_agg(id) FROM bill WHERE lease_id = \(leaseID) AND amount > 0)"
            var made = try Allocations.apply(park: parkID, tenant: tenantID, conn)
            var refunded: Decimal = 0
            var refundNumber: String?
            if held > 0 {
                let returned: Int = try conn.query("""
                    INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                    VALUES (bill_next_number(\(day)), \(parkID), \(leaseID), \(tenantID), 'deposit', daterange(\(day), \(day), '[]'),
                            \(day), \(-held), 'deposit returned at settlement', park_today(\(parkID)))
                    RETURNING id
                    """).rows[0].decode(0)
                let ids: [Int]? = try conn.query("SELECT \(leaseBills)").rows[0].decode(0)
                made += try Allocations.apply(park: parkID, tenant: tenantID, credit: "\(returned)", bills: ids ?? [], conn)
                refunded = try conn.query("SELECT credit_left(\(returned))").rows[0].decode(0)
                if refunded > 0 {
                    refundNumber = try conn.query("""
                        INSERT INTO refund (number, park_id, tenant_id, lease_id, credit_bill_id, amount, refunded_on, reason)
                        VALUES ('R-' || to_char(\(day)::date, 'YYYY') || '-' || lpad(nextval('refund_number_seq')::text, 6, '0'),
                                \(parkID), \(tenantID), \(leaseID), \(returned), \(refunded), \(day), 'deposit refunded at settlement')
                        RETURNING number
                        """).rows[0].decode(0)
                }
            }
            let owed: Decimal = try conn.query("""
                SELECT coalesce(sum(bill_balance(id)), 0) FROM bill WHERE lease_id = \(leaseID) AND amount > 0
                """).rows[0].decode(0)
            return Settlement(lease: number, tenant: try row.decode("name"), creditCode: try row.decode("credit_code"),
                              park: try row.decode("park"), on: day, depositHeld: held, deductionBills: deductionBills,
                              allocations: made, refunded: refunded, refundNumber: refundNumber, stillOwed: owed)
        }
    }
}
