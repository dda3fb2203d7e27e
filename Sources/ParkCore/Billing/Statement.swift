import Foundation
import Postgres

/// 对账单: a tenant's account in one park over a period: the balance it opened with,
/// every bill, credit, payment, reversal, waiver, void and refund in order, each with
/// the running balance (what the tenant owes; negative: credit it holds), and the
/// balance it closed with. A bill counts on its due day, and so does a void or waiver
/// of it made earlier.
public struct Statement: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var day: CalendarDate
        /// bill, credit, payment, reversal, waiver, void or refund.
        public var kind: String
        public var document: String
        public var description: String
        /// What it adds to what the tenant owes (a payment: negative).
        public var amount: Decimal
        public var balance: Decimal
    }

    public var tenant: String
    public var creditCode: String
    public var park: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var opening: Decimal
    public var lines: [Line]
    public var closing: Decimal

    static func make(tenant: String, park: String, from: CalendarDate, to: CalendarDate, _ conn: Connection) throws -> Statement {
        guard from <= to else { throw ParkError.invalid("--from \(from) is after --to \(to): the period runs forward") }
        let parkID = try Lookup.parkID(park, conn)
        let who = try Lookup.tenant(tenant, conn)
        let rows = try conn.query("""
            WITH ev AS (
                SELECT b.due_on AS day, CASE WHEN b.amount < 0 THEN 'credit' ELSE 'bill' END AS kind, b.number AS document,
                       b.fee || ' ' || lower(b.period) || '..' || (upper(b.period) - 1) || coalesce(' ' || b.reason, '') AS description,
                       b.amount, b.recorded_at AS at
                FROM bill b WHERE b.tenant_id = \(who.id) AND b.park_id = \(parkID)
                UNION ALL
                -- A void or a waiver counts from the bill's due day at the earliest, as the bill does.
                SELECT greatest(v.voided_on, b.due_on), 'void', b.number, v.reason, -b.amount, v.recorded_at
                FROM bill_void v JOIN bill b ON b.id = v.bill_id WHERE b.tenant_id = \(who.id) AND b.park_id = \(parkID)
                UNION ALL
                SELECT greatest(w.waived_on, b.due_on), 'waiver', b.number, w.reason, -w.amount, w.recorded_at
                FROM bill_waiver w JOIN bill b ON b.id = w.bill_id WHERE b.tenant_id = \(who.id) AND b.park_id = \(parkID)
                UNION ALL
                SELECT p.received_on, 'payment', p.number, p.method || coalesce(' ' || p.reference, ''), -p.amount, p.recorded_at
                FROM payment p WHERE p.tenant_id = \(who.id) AND p.park_id = \(parkID)
                UNION ALL
                SELECT r.reversed_on, 'reversal', p.number, r.reason, p.amount, r.recorded_at
                FROM payment_reversal r JOIN payment p ON p.id = r.payment_id WHERE p.tenant_id = \(who.id) AND p.park_id = \(parkID)
                UNION ALL
                SELECT f.refunded_on, 'refund', f.number, f.reason, f.amount, f.recorded_at
                FROM refund f WHERE f.tenant_id = \(who.id) AND f.park_id = \(parkID)
            ), opening AS (
                SELECT coalesce(sum(amount), 0) AS balance FROM ev WHERE day < \(from)
            )
            SELECT NULL::date AS day, 'opening' AS kind, '' AS document, '' AS description, 0::numeric AS amount, balance,
                   0::bigint AS line
            FROM opening
            UNION ALL
            SELECT ev.day, ev.kind, ev.document, ev.description, ev.amount,
                   opening.balance + sum(ev.amount) OVER w, row_number() OVER w
            FROM ev, opening WHERE ev.day BETWEEN \(from) AND \(to)
            WINDOW w AS (ORDER BY ev.day, ev.at, ev.document, ev.kind ROWS UNBOUNDED PRECEDING)
            ORDER BY line
            """).rows
        let opening: Decimal = try rows[0].decode("balance")
        let lines = try rows.dropFirst().map { row in
            Line(day: try row.decode("day"), kind: try row.decode("kind"), document: try row.decode("document"),
                 description: try row.decode("description"), amount: try row.decode("amount"), balance: try row.decode("balance"))
        }
        return Statement(tenant: who.name, creditCode: who.creditCode, park: park, from: from, to: to, opening: opening,
                         lines: lines, closing: lines.last?.balance ?? opening)
    }
}

public struct StatementService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func statement(tenant: String, park: String, from: CalendarDate, to: CalendarDate) throws -> Statement {
        try session.read { conn in try Statement.make(tenant: tenant, park: park, from: from, to: to, conn) }
    }
}
