import Foundation
import Postgres

/// 应收账龄: per tenant and park, what its bills still owed on a day, by how long past
/// their due day; its credit (预收) and the deposits it has paid and not had back. A
/// total row closes it.
public struct ReceivablesReport {
    public struct Row: Sendable, Equatable {
        /// "tenant", or "total" for the closing row.
        public var scope: String
        public var tenant: String?
        public var creditCode: String?
        public var park: String?
        public var contact: String?
        public var phone: String?
        public var notDue: Decimal
        public var d1to30: Decimal
        public var d31to60: Decimal
        public var d61to90: Decimal
        public var d91to180: Decimal
        public var over180: Decimal
        public var total: Decimal
        public var credit: Decimal
        public var depositHeld: Decimal
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(asOf: CalendarDate? = nil, park: String? = nil) throws -> (asOf: CalendarDate, rows: [Row]) {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let day: CalendarDate = try asOf ?? conn.query("SELECT \(ParkDay.today(park: park))").rows[0].decode(0)
            let inPark: SQL? = park.map { "x.park_id = (SELECT id FROM park WHERE code = \($0))" }
            let result = try conn.query("""
                WITH owed AS (
                    SELECT b.park_id, b.tenant_id, pos.balance, \(day)::date - b.due_on AS late,
                           CASE WHEN b.amount < 0 THEN pos.credit_left ELSE 0 END AS credit,
                           CASE WHEN b.fee = 'deposit' AND NOT pos.voided THEN CASE WHEN b.amount < 0 THEN b.amount ELSE pos.paid END ELSE 0 END AS deposit
                    FROM bill b JOIN bill_positions(\(day)) pos ON pos.bill_id = b.id
                    \(SQL.whereAll([park.map { "b.park_id = (SELECT id FROM park WHERE code = \($0))" }]))
                ), prepaid AS (
                    SELECT x.park_id, x.tenant_id, 0 AS balance, 0 AS late,
                           x.amount - coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.payment_id = x.id AND a.applied_on <= \(day)), 0)
                                    - coalesce((SELECT sum(r.amount) FROM refund r WHERE r.payment_id = x.id AND r.refunded_on <= \(day)), 0) AS credit,
                           0 AS deposit
                    FROM payment x
                    WHERE x.received_on <= \(day) \(SQL.andAll([inPark]))
                      AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = x.id AND r.reversed_on <= \(day))
                ), lines AS (
                    SELECT * FROM owed UNION ALL SELECT * FROM prepaid
                ), per AS (
                    SELECT l.park_id, l.tenant_id,
                           sum(l.balance) FILTER (WHERE l.late <= 0) AS not_due,
                           sum(l.balance) FILTER (WHERE l.late BETWEEN 1 AND 30) AS d1_30,
                           sum(l.balance) FILTER (WHERE l.late BETWEEN 31 AND 60) AS d31_60,
                           sum(l.balance) FILTER (WHERE l.late BETWEEN 61 AND 90) AS d61_90,
                           sum(l.balance) FILTER (WHERE l.late BETWEEN 91 AND 180) AS d91_180,
                           sum(l.balance) FILTER (WHERE l.late > 180) AS over_180,
                           sum(l.balance) AS total, sum(l.credit) AS credit, sum(l.deposit) AS deposit_held
                    FROM lines l GROUP BY l.park_id, l.tenant_id
                    HAVING sum(l.balance) <> 0 OR sum(l.credit) <> 0 OR sum(l.deposit) <> 0
                )
                SELECT CASE WHEN grouping(t.credit_code) = 1 THEN 'total' ELSE 'tenant' END AS scope,
                       min(t.name) AS tenant, t.credit_code, min(p.code) AS park, min(t.contact) AS contact, min(t.phone) AS phone,
                       coalesce(sum(per.not_due), 0) AS not_due, coalesce(sum(per.d1_30), 0) AS d1_30,
                       coalesce(sum(per.d31_60), 0) AS d31_60, coalesce(sum(per.d61_90), 0) AS d61_90,
                       coalesce(sum(per.d91_180), 0) AS d91_180, coalesce(sum(per.over_180), 0) AS over_180,
                       coalesce(sum(per.total), 0) AS total, coalesce(sum(per.credit), 0) AS credit,
                       coalesce(sum(per.deposit_held), 0) AS deposit_held
                FROM per JOIN tenant t ON t.id = per.tenant_id JOIN park p ON p.id = per.park_id
                GROUP BY GROUPING SETS ((p.id, t.credit_code), ())
                ORDER BY grouping(t.credit_code), min(p.code), sum(per.total) DESC, t.credit_code
                """)
            let rows = try result.rows.map { row in
                Row(scope: try row.decode("scope"),
                    tenant: try row.decode("scope", as: String.self) == "total" ? nil : try row.decode("tenant"),
                    creditCode: try row.decode("credit_code"),
                    park: try row.decode("scope", as: String.self) == "total" ? nil : try row.decode("park"),
                    contact: try row.decode("scope", as: String.self) == "total" ? nil : try row.decode("contact"),
                    phone: try row.decode("scope", as: String.self) == "total" ? nil : try row.decode("phone"),
                    notDue: try row.decode("not_due"), d1to30: try row.decode("d1_30"), d31to60: try row.decode("d31_60"),
                    d61to90: try row.decode("d61_90"), d91to180: try row.decode("d91_180"), over180: try row.decode("over_180"),
                    total: try row.decode("total"), credit: try row.decode("credit"), depositHeld: try row.decode("deposit_held"))
            }
            return (day, rows)
        }
    }
}

/// 收缴率: of the bills due within [from, to], what was billed (less waivers and the
/// credits put to them, which forgive rather than pay; void bills left out) and what
/// money paid them by `to` (payments, and deposits used at settlement), per park and
/// fee, each park's rate when there are several, and the total's. The rates count
/// rent, property fee, utility and adjustments; late fees and deposits have their own
/// rows, outside them.
public struct CollectionReport {
    public struct Row: Sendable, Equatable {
        /// "fee", "park" (a park's rate, when the report covers several) or "total".
        public var scope: String
        public var park: String?
        public var fee: BillFee?
        public var billed: Decimal
        public var collected: Decimal
        public var outstanding: Decimal
        /// collected ÷ billed, to 4 decimals; nil when nothing was billed.
        public var rate: Decimal?
        /// Whether the row counts in the total's rate.
        public var inRate: Bool
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(from: CalendarDate, to: CalendarDate, park: String? = nil) throws -> [Row] {
        guard from <= to else { throw ParkError.invalid("--from \(from) is after --to \(to): the period runs forward") }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                WITH due AS (
                    SELECT p.code AS park, b.fee, b.amount - pos.waived - cr.amount AS billed, pos.paid - cr.amount AS collected,
                           b.fee IN ('rent', 'property_fee', 'utility', 'adjustment') AS in_rate
                    FROM bill b JOIN bill_positions(\(to)) pos ON pos.bill_id = b.id JOIN park p ON p.id = b.park_id
                    CROSS JOIN LATERAL (
                        SELECT coalesce(sum(a.amount), 0) AS amount FROM allocation a JOIN bill c ON c.id = a.credit_bill_id
                        WHERE a.bill_id = b.id AND a.applied_on <= \(to) AND c.fee <> 'deposit') cr
                    WHERE b.due_on BETWEEN \(from) AND \(to) AND b.amount > 0 AND NOT pos.voided
                          \(SQL.andAll([park.map { "p.code = \($0)" }]))
                ), rows AS (
                    SELECT 'fee' AS scope, park, fee, sum(billed) AS billed, sum(collected) AS collected, bool_and(in_rate) AS in_rate
                    FROM due GROUP BY park, fee
                    UNION ALL
                    -- Each park's rate, when the report covers more than one.
                    SELECT 'park', park, NULL, sum(billed), sum(collected), true FROM due
                    WHERE in_rate AND (SELECT count(DISTINCT d.park) FROM due d) > 1 GROUP BY park
                    UNION ALL
                    SELECT 'total', NULL, NULL, coalesce(sum(billed), 0), coalesce(sum(collected), 0), true FROM due WHERE in_rate
                )
                SELECT scope, park, fee, billed, collected, billed - collected AS outstanding,
                       round(collected / nullif(billed, 0), 4) AS rate, in_rate
                FROM rows ORDER BY scope = 'total', park, scope = 'park', bill_fee_rank(fee)
                """).rows.map { row in
                Row(scope: try row.decode("scope"), park: try row.decode("park"), fee: try row.decode("fee"),
                    billed: try row.decode("billed"), collected: try row.decode("collected"), outstanding: try row.decode("outstanding"),
                    rate: try row.decode("rate"), inRate: try row.decode("in_rate"))
            }
        }
    }
}
