import Foundation
import Postgres

/// 退租结算: at a lease's end, the deposit it holds pays its open bills and the
/// deductions charged at move-out; what is left of the deposit, of the credits its
/// end gave back (prepaid days after the last day) and, when the tenant keeps no
/// other lease in the park, of its prepayments, is refunded; or what is still owed is said.
public struct Settlement: Sendable, Equatable {
    public struct Deduction: Sendable, Equatable {
        public var amount: Decimal
        public var reason: String
        /// The bill that charges it (after the settlement).
        public var bill: String?

        public init(amount: Decimal, reason: String) {
            self.amount = amount
            self.reason = reason
        }
    }

    /// Money paid back, and from what: the deposit, a credit or a payment.
    public struct Refund: Sendable, Equatable {
        public var number: String
        public var amount: Decimal
        public var source: String
    }

    public var lease: String
    public var tenant: String
    public var creditCode: String
    public var park: String
    public var on: CalendarDate
    /// The deposit held before the settlement (with the leases it renewed).
    public var depositHeld: Decimal
    public var deductions: [Deduction]
    /// What the deposit and the tenant's credit paid.
    public var allocations: [Allocation]
    public var refunds: [Refund]
    public var refunded: Decimal { refunds.reduce(0) { $0 + $1.amount } }
    /// Credit the tenant keeps for its other leases in the park.
    public var creditKept: Decimal
    /// What the bills of the lease (and of the leases it renewed) still owe after it.
    public var stillOwed: Decimal
}

public struct SettlementService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Settles a lease on `on` (default today), on or after its last day and not after
    /// today: its bills through its end and its credits for days after it are issued,
    /// each deduction charged; the tenant's prepayments pay the lease's open bills oldest
    /// first, then the deposit does, then the lease's credits; the rest is refunded (the
    /// prepayments only when the tenant keeps no other lease in the park). Once per
    /// lease; a renewed lease's deposit carries over to its renewal, the one settled.
    public func settle(_ number: String, deductions: [Settlement.Deduction] = [], on: CalendarDate? = nil) throws -> Settlement {
        var deductions = try deductions.map { d -> Settlement.Deduction in
            guard d.amount > 0 else { throw ParkError.invalid("deduction '\(d.amount)' is not a charge: a deduction is more than 0") }
            return Settlement.Deduction(amount: d.amount, reason: try Validate.text(d.reason, field: "reason", max: 500))
        }
        return try session.write { conn in
            guard let row = try conn.query("""
                SELECT l.id, l.park_id, l.tenant_id, l.status, p.code AS park, t.name, t.credit_code, park_today(l.park_id) AS today,
                       upper(lease_occupancy(l.term, l.terminated_on)) - 1 AS last_day, coalesce(\(on)::date, park_today(l.park_id)) AS day
                FROM lease l JOIN park p ON p.id = l.park_id JOIN tenant t ON t.id = l.tenant_id WHERE l.number = \(number)
                """).rows.first else { throw try Lookup.numberNotFound(.lease, number, conn) }
            let leaseID: Int = try row.decode("id"), parkID: Int = try row.decode("park_id"), tenantID: Int = try row.decode("tenant_id")
            let lastDay: CalendarDate = try row.decode("last_day"), day: CalendarDate = try row.decode("day")
            let today: CalendarDate = try row.decode("today")
            let status: String = try row.decode("status")
            guard status == "signed" || status == "terminated" else {
                throw ParkError.invalid("lease \(number) is \(status): only a signed or terminated lease is settled")
            }
            let chain: SQL = "(SELECT lease_id FROM lease_renewal_chain(\(leaseID)))"
            if let settled: CalendarDate = try conn.query("""
                SELECT settled_on FROM lease_settlement WHERE lease_id IN \(chain) LIMIT 1
                """).rows.first?.decode(0) {
                throw ParkError(.conflict, "lease \(number) was settled on \(settled)")
            }
            if let renewal: String = try conn.query("""
                SELECT number FROM lease WHERE renews_lease_id = \(leaseID) AND status <> 'cancelled'
                """).rows.first?.decode(0) {
                throw ParkError.invalid("lease \(number) is renewed by \(renewal), which holds its deposit: settle \(renewal) at its end")
            }
            guard day >= lastDay else {
                throw ParkError.invalid("""
                    lease \(number) runs to \(lastDay): it is settled on or after its last day \
                    (to end it sooner: parkctl lease terminate \(number) --on DAY --reason ...)
                    """)
            }
            guard day <= today else {
                throw ParkError.invalid("settlement day \(day) is after today (\(today)): a lease is settled when the tenant has left")
            }
            try conn.execute("INSERT INTO lease_settlement (lease_id, park_id, settled_on) VALUES (\(leaseID), \(parkID), \(day))")
            // The run takes its own lock first, then the tenant's: the order every run takes them in.
            try conn.execute("SELECT bill_run(\(lastDay), \(parkID), \(leaseID))")
            try conn.execute("SELECT receivables_lock(\(tenantID))")
            for i in deductions.indices {
                deductions[i].bill = try conn.query("""
                    INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                    VALUES (bill_next_number(park_today(\(parkID))), \(parkID), \(leaseID), \(tenantID), 'adjustment',
                            daterange(\(day), \(day), '[]'), \(day), \(deductions[i].amount), \(deductions[i].reason), park_today(\(parkID)))
                    RETURNING number
                    """).rows[0].decode(0)
            }
            // The charges the settlement pays: the lease's bills but its deposit (the deposit
            // returned is not spent on the deposit itself; what was never paid of it stays
            // owed until an admin waives it).
            func chainBills() throws -> [Int] {
                try conn.query("""
                    SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM bill WHERE lease_id IN \(chain) AND amount > 0 AND fee <> 'deposit'
                    """).rows[0].decode(0)
            }
            var made: [Allocation] = []
            // The tenant's prepayments first (they may pay the deposit itself), then the
            // deposit, then the lease's credits.
            let prepaid: [Int] = try conn.query("""
                SELECT coalesce(array_agg(id ORDER BY received_on, id), '{}') FROM payment
                WHERE park_id = \(parkID) AND tenant_id = \(tenantID) AND payment_left(id) > 0
                """).rows[0].decode(0)
            for payment in prepaid {
                made += try Allocations.apply(park: parkID, tenant: tenantID, payment: "\(payment)", bills: try chainBills(), conn)
            }
            let held: Decimal = try conn.query("SELECT lease_deposit_held(\(leaseID))").rows[0].decode(0)
            var returned: Int?
            if held > 0 {
                returned = try conn.query("""
                    INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                    VALUES (bill_next_number(park_today(\(parkID))), \(parkID), \(leaseID), \(tenantID), 'deposit',
                            daterange(\(day), \(day), '[]'), \(day), \(-held), 'deposit returned at settlement', park_today(\(parkID)))
                    RETURNING id
                    """).rows[0].decode(0)
                made += try Allocations.apply(park: parkID, tenant: tenantID, credit: "\(returned!)", bills: try chainBills(), conn)
            }
            let credits: [Int] = try conn.query("""
                SELECT coalesce(array_agg(id ORDER BY due_on, id), '{}') FROM bill
                WHERE lease_id IN \(chain) AND amount < 0 AND fee <> 'deposit' AND credit_left(id) > 0
                """).rows[0].decode(0)
            for credit in credits {
                made += try Allocations.apply(park: parkID, tenant: tenantID, credit: "\(credit)", bills: try chainBills(), conn)
            }
            // The tenant keeps its prepayments when it keeps another lease in the park.
            let staying = try conn.query("""
                SELECT 1 FROM lease WHERE park_id = \(parkID) AND tenant_id = \(tenantID) AND id NOT IN \(chain)
                  AND status IN ('signed', 'terminated') AND upper(lease_occupancy(term, terminated_on)) > \(day)
                """).rowCount > 0
            var refunds: [Settlement.Refund] = []
            let sources = try conn.query("""
                SELECT 'credit' AS kind, id, number, credit_left(id) AS money, fee = 'deposit' AS deposit FROM bill
                WHERE lease_id IN \(chain) AND amount < 0 AND credit_left(id) > 0
                UNION ALL
                SELECT 'payment', id, number, payment_left(id), false FROM payment
                WHERE park_id = \(parkID) AND tenant_id = \(tenantID) AND payment_left(id) > 0 AND NOT \(staying)
                ORDER BY deposit DESC, kind, id
                """).rows
            for source in sources {
                let kind: String = try source.decode("kind"), id: Int = try source.decode("id"), money: Decimal = try source.decode("money")
                let isDeposit = kind == "credit" && id == returned
                let refund: String = try conn.query("""
                    INSERT INTO refund (number, park_id, tenant_id, lease_id, payment_id, credit_bill_id, amount, refunded_on, reason)
                    VALUES (refund_next_number(\(day)), \(parkID), \(tenantID), \(leaseID), \(kind == "payment" ? id : nil), \(kind == "credit" ? id : nil),
                            \(money), \(day), \(isDeposit ? "deposit refunded at settlement" : "credit refunded at settlement"))
                    RETURNING number
                    """).rows[0].decode(0)
                refunds.append(Settlement.Refund(number: refund, amount: money,
                                                 source: isDeposit ? "deposit" : try source.decode("number", as: String.self)))
            }
            let kept: Decimal = try conn.query("""
                SELECT coalesce((SELECT sum(payment_left(id)) FROM payment WHERE park_id = \(parkID) AND tenant_id = \(tenantID)), 0)
                     + coalesce((SELECT sum(credit_left(id)) FROM bill WHERE park_id = \(parkID) AND tenant_id = \(tenantID) AND amount < 0), 0)
                """).rows[0].decode(0)
            let owed: Decimal = try conn.query("""
                SELECT coalesce(sum(bill_balance(id)), 0) FROM bill WHERE lease_id IN \(chain) AND amount > 0
                """).rows[0].decode(0)
            return Settlement(lease: number, tenant: try row.decode("name"), creditCode: try row.decode("credit_code"),
                              park: try row.decode("park"), on: day, depositHeld: held, deductions: deductions,
                              allocations: made, refunds: refunds, creditKept: kept, stillOwed: owed)
        }
    }
}
