import Foundation
import Postgres

/// `report utility --period U-…`: a billing period seen three ways, each one query.
///
/// - by tenant: each lease's own usage, its public share, its share of the loss, the
///   total and the amount (what the lines and totals hold), and a `total` row;
/// - by master meter: what the master measured, what the meters under it measured,
///   the loss and its rate (loss ÷ master), from the readings read in the period;
/// - missing: the meters of the park and kind in service during the period with no
///   reading in it, or a time-of-use meter with a band unread (their usage counts as 0
///   until read).
public struct UtilityReport {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public enum View: String, Vocabulary {
        case tenant, master, missing
        public static let fieldName = "view"
    }

    public struct TenantRow: Sendable, Equatable {
        public var lease: String
        public var tenant: String
        public var own: Decimal
        public var publicShare: Decimal
        public var lossShare: Decimal
        public var quantity: Decimal
        public var amount: Decimal?
    }

    public struct MasterRow: Sendable, Equatable {
        public var meter: String
        public var used: Decimal
        public var underUsed: Decimal
        public var loss: Decimal
        /// loss ÷ used, 4 decimals; nil when the master used nothing.
        public var lossRate: Decimal?
    }

    public struct MissingRow: Sendable, Equatable {
        public var meter: String
        public var unit: String?
        /// The registers with no reading in the period: `[.total]`, or a time-of-use
        /// meter's bands that were not read.
        public var registers: [MeterRegister]
        public var lastReadOn: CalendarDate?
    }

    public func byTenant(_ number: String) throws -> [TenantRow] {
        try session.read { conn in
            let id = try UtilityService(session).periodID(number, conn)
            return try conn.query("""
                WITH per_lease AS (
                    SELECT l.number AS lease, t.name AS tenant,
                           coalesce(sum(c.quantity) FILTER (WHERE c.source = 'own'), 0) AS own,
                           coalesce(sum(c.quantity) FILTER (WHERE c.source = 'public'), 0) AS public_share,
                           coalesce(sum(c.quantity) FILTER (WHERE c.source = 'loss'), 0) AS loss_share,
                           sum(c.quantity) AS quantity,
                           (SELECT x.amount FROM utility_period_lease x WHERE x.period_id = c.period_id AND x.lease_id = c.lease_id) AS amount
                    FROM utility_charge c JOIN lease l ON l.id = c.lease_id JOIN tenant t ON t.id = c.tenant_id
                    WHERE c.period_id = \(id)
                    GROUP BY c.period_id, c.lease_id, l.number, t.name
                )
                SELECT coalesce(lease, 'total') AS lease, CASE WHEN GROUPING(lease) = 0 THEN max(tenant) ELSE '' END AS tenant,
                       coalesce(sum(own), 0) AS own, coalesce(sum(public_share), 0) AS public_share, coalesce(sum(loss_share), 0) AS loss_share,
                       coalesce(sum(quantity), 0) AS quantity, sum(amount) AS amount
                FROM per_lease GROUP BY GROUPING SETS ((lease), ()) ORDER BY GROUPING(lease), lease
                """).rows.map { row in
                TenantRow(lease: try row.decode("lease"), tenant: try row.decode("tenant"), own: try row.decode("own"),
                          publicShare: try row.decode("public_share"), lossShare: try row.decode("loss_share"),
                          quantity: try row.decode("quantity"), amount: try row.decode("amount"))
            }
        }
    }

    public func byMaster(_ number: String) throws -> [MasterRow] {
        try session.read { conn in
            let id = try UtilityService(session).periodID(number, conn)
            return try conn.query("""
                WITH per AS (SELECT * FROM utility_period WHERE id = \(id)),
                used AS (SELECT x.meter_id, sum(x.used) AS used FROM per, meter_usage x
                         WHERE x.park_id = per.park_id AND per.during @> x.to_day GROUP BY x.meter_id)
                SELECT p.code || '/' || m.code AS meter, coalesce(mu.used, 0) AS used, coalesce(sum(cu.used), 0) AS under_used
                FROM per JOIN meter m ON m.park_id = per.park_id AND m.kind = per.kind JOIN park p ON p.id = m.park_id
                JOIN meter c ON c.parent_id = m.id
                LEFT JOIN used mu ON mu.meter_id = m.id LEFT JOIN used cu ON cu.meter_id = c.id
                WHERE m.parent_id IS NULL
                GROUP BY p.code, m.code, mu.used ORDER BY m.code
                """).rows.map { row in
                let used: Decimal = try row.decode("used"), under: Decimal = try row.decode("under_used")
                var rate: Decimal?
                if used > 0 {
                    var exact = (used - under) / used, rounded = Decimal()
                    NSDecimalRound(&rounded, &exact, 4, .plain)
                    rate = rounded
                }
                return MasterRow(meter: try row.decode("meter"), used: used, underUsed: under, loss: used - under, lossRate: rate)
            }
        }
    }

    public func missing(_ number: String) throws -> [MissingRow] {
        try session.read { conn in
            let id = try UtilityService(session).periodID(number, conn)
            return try conn.query("""
                WITH per AS (SELECT * FROM utility_period WHERE id = \(id))
                SELECT p.code || '/' || m.code AS meter,
                       (SELECT up.code || '/' || b.code || '/' || u.code FROM unit u JOIN building b ON b.id = u.building_id
                        JOIN park up ON up.id = u.park_id WHERE u.id = m.unit_id) AS unit,
                       (SELECT max(r.read_on) FROM meter_reading r WHERE r.meter_id = m.id) AS last_read_on, unread.registers
                FROM per JOIN meter m ON m.park_id = per.park_id AND m.kind = per.kind JOIN park p ON p.id = m.park_id
                CROSS JOIN LATERAL (
                    SELECT array_agg(g.register ORDER BY g.n) AS registers FROM unnest(m.registers) WITH ORDINALITY g(register, n)
                    WHERE NOT EXISTS (SELECT 1 FROM meter_reading r WHERE r.meter_id = m.id AND r.register = g.register
                                                                      AND per.during @> r.read_on)) unread
                WHERE m.installed_on < upper(per.during) AND (m.removed_on IS NULL OR m.removed_on >= lower(per.during))
                  AND unread.registers IS NOT NULL
                ORDER BY m.code
                """).rows.map { row in
                MissingRow(meter: try row.decode("meter"), unit: try row.decode("unit"),
                           registers: try row.decode("registers", as: [String].self).map { try MeterRegister.parse($0) },
                           lastReadOn: try row.decode("last_read_on"))
            }
        }
    }
}
