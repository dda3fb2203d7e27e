import Foundation
import Postgres

/// How money came in.
public enum PaymentMethod: String, Vocabulary {
    case bank, wechat, alipay, cash, other
    public static let fieldName = "payment method"
}

/// Money received from a tenant for its bills in one park.
public struct Payment: Sendable, Equatable {
    public var number: String
    public var tenant: String
    public var creditCode: String
    public var park: String
    public var amount: Decimal
    public var receivedOn: CalendarDate
    public var method: PaymentMethod
    public var reference: String?
    /// Put towards bills (net of reversals).
    public var allocated: Decimal
    /// Held as credit (预收): neither allocated nor refunded.
    public var unallocated: Decimal
    public var reversedOn: CalendarDate?
    public var reversalReason: String?

    static let selection: SQL = """
        SELECT p.number, t.name AS tenant, t.credit_code, k.code AS park, p.amount, p.received_on, p.method, p.reference,
               coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.payment_id = p.id), 0) AS allocated,
               payment_left(p.id) AS unallocated, r.reversed_on, r.reason AS reversal_reason
        FROM payment p JOIN tenant t ON t.id = p.tenant_id JOIN park k ON k.id = p.park_id
        LEFT JOIN payment_reversal r ON r.payment_id = p.id
        """

    init(row: PostgresRow) throws {
        number = try row.decode("number")
        tenant = try row.decode("tenant")
        creditCode = try row.decode("credit_code")
        park = try row.decode("park")
        amount = try row.decode("amount")
        receivedOn = try row.decode("received_on")
        method = try row.decode("method")
        reference = try row.decode("reference")
        allocated = try row.decode("allocated")
        unallocated = try row.decode("unallocated")
        reversedOn = try row.decode("reversed_on")
        reversalReason = try row.decode("reversal_reason")
    }
}

/// Payments (收款): recorded per tenant and park, allocated to the open bills oldest
/// first (or to the bills named), the rest held as credit; reversed when a transfer bounces.
public struct PaymentService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct Receipt: Sendable, Equatable {
        public var payment: Payment
        /// Every allocation the recording made (older credit first, then this payment).
        public var allocations: [Allocation]
    }

    /// Records a payment and allocates it: to the bills `applyTo` names, else to the
    /// tenant's open bills in the park by due day, oldest first. What is left is credit.
    public func record(tenant: String, park: String, amount: Decimal, on: CalendarDate, method: PaymentMethod = .bank,
                       reference: String? = nil, applyTo: [String] = []) throws -> Receipt {
        let reference = try reference.map { try Validate.text($0, field: "reference", max: 200) }
        guard amount > 0 else { throw ParkError.invalid("amount '\(amount)' is not a payment: it is more than 0") }
        return try session.write { conn in
            let parkID = try Lookup.parkID(park, conn)
            let tenantRow = try Lookup.tenant(tenant, conn)
            var bills: [Int]?
            if !applyTo.isEmpty {
                bills = try applyTo.map { number in
                    guard let row = try conn.query("""
                        SELECT b.id, b.park_id, b.tenant_id, bill_balance(b.id) AS owed FROM bill b WHERE b.number = \(number)
                        """).rows.first else { throw try Lookup.numberNotFound(.bill, number, conn) }
                    guard try row.decode("tenant_id", as: Int.self) == tenantRow.id, try row.decode("park_id", as: Int.self) == parkID else {
                        throw ParkError.invalid("bill \(number) is not a bill of \(tenantRow.name) in \(park): --apply-to names that tenant's bills in that park")
                    }
                    guard try row.decode("owed", as: Decimal.self) > 0 else {
                        throw ParkError.invalid("bill \(number) owes nothing: --apply-to names open bills (parkctl bill list --tenant \(tenantRow.creditCode) --status open)")
                    }
                    return try row.decode("id")
                }
            }
            let number: String = try conn.query("""
                INSERT INTO payment (number, park_id, tenant_id, amount, received_on, method, reference)
                VALUES (payment_next_number(\(on)), \(parkID), \(tenantRow.id), \(amount), \(on), \(method.rawValue), \(reference))
                RETURNING number
                """).rows[0].decode(0)
            let made: [Allocation]
            if let bills {
                made = try Allocations.apply(park: parkID, tenant: tenantRow.id,
                                             payment: "(SELECT id FROM payment WHERE number = \(number))", bills: bills, conn)
            } else {
                made = try Allocations.apply(park: parkID, tenant: tenantRow.id, conn)
            }
            return Receipt(payment: try payment(number, conn), allocations: made)
        }
    }

    public func list(tenant: String? = nil, park: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil) throws -> [Payment] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let tenantID = try tenant.map { try Lookup.tenant($0, conn).id }
            let conditions: [SQL?] = [tenantID.map { "p.tenant_id = \($0)" }, park.map { "k.code = \($0)" },
                                      from.map { "p.received_on >= \($0)::date" }, to.map { "p.received_on <= \($0)::date" }]
            return try conn.query((Payment.selection + " " + SQL.whereAll(conditions) + " ORDER BY p.received_on, p.number").query)
                .rows.map(Payment.init(row:))
        }
    }

    public func show(_ number: String) throws -> (payment: Payment, allocations: [Allocation]) {
        try session.read { conn in
            let p = try payment(number, conn)
            let allocations = try conn.query((Allocation.selection() + " WHERE p.number = \(number) ORDER BY a.id").query).rows.map(Allocation.init(row:))
            return (p, allocations)
        }
    }

    /// A bounced transfer: its allocations are undone and its bills reopen.
    public func reverse(_ number: String, reason: String, on: CalendarDate? = nil) throws -> Payment {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write(reason: reason) { conn in
            let p = try payment(number, conn)
            if let reversedOn = p.reversedOn { throw ParkError(.conflict, "payment \(number) was reversed already, on \(reversedOn)") }
            try conn.execute("""
                SELECT payment_reverse(p.id, coalesce(\(on)::date, park_today(p.park_id)), \(reason)) FROM payment p WHERE p.number = \(number)
                """)
            return try payment(number, conn)
        }
    }

    /// Pays back `amount` of a tenant's credit (预收) in a park: from its oldest
    /// payments with money left, then its credits. Returns the refunds' numbers.
    public func refund(tenant: String, park: String, amount: Decimal, reason: String, on: CalendarDate? = nil) throws -> [String] {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        guard amount > 0 else { throw ParkError.invalid("amount '\(amount)' is not a refund: it is more than 0") }
        return try session.write(reason: reason) { conn in
            let parkID = try Lookup.parkID(park, conn)
            let who = try Lookup.tenant(tenant, conn)
            try conn.execute("SELECT receivables_lock(\(who.id))")
            let sources = try conn.query("""
                SELECT * FROM (
                    SELECT 'payment' AS kind, id, received_on AS day, number, payment_left(id) AS money FROM payment
                    WHERE park_id = \(parkID) AND tenant_id = \(who.id)
                    UNION ALL
                    SELECT 'credit', id, due_on, number, credit_left(id) FROM bill WHERE park_id = \(parkID) AND tenant_id = \(who.id) AND amount < 0) x
                WHERE money > 0 ORDER BY day, number
                """).rows
            let held = try sources.reduce(Decimal(0)) { $0 + (try $1.decode("money", as: Decimal.self)) }
            guard held >= amount else {
                throw ParkError.invalid("\(who.name) holds \(held) of credit in \(park), less than the \(amount) to refund")
            }
            var left = amount
            var numbers: [String] = []
            for source in sources where left > 0 {
                let kind: String = try source.decode("kind"), id: Int = try source.decode("id")
                let money = min(left, try source.decode("money", as: Decimal.self))
                numbers.append(try conn.query("""
                    INSERT INTO refund (number, park_id, tenant_id, payment_id, credit_bill_id, amount, refunded_on, reason)
                    VALUES (refund_next_number(coalesce(\(on)::date, park_today(\(parkID)))), \(parkID), \(who.id), \(kind == "payment" ? id : nil), \(kind == "credit" ? id : nil), \(money),
                            coalesce(\(on)::date, park_today(\(parkID))), \(reason))
                    RETURNING number
                    """).rows[0].decode(0))
                left -= money
            }
            return numbers
        }
    }

    func payment(_ number: String, _ conn: Connection) throws -> Payment {
        guard let row = try conn.query((Payment.selection + " WHERE p.number = \(number)").query).rows.first else {
            throw try Lookup.numberNotFound(.payment, number, conn)
        }
        return try Payment(row: row)
    }
}
