import Foundation
import Postgres

/// Signed leases whose last day falls within a window from today, and whether a
/// renewal is already signed.
public struct ExpiringReport {
    public struct Row: Sendable, Equatable {
        public var lease: String
        public var tenant: String
        public var park: String
        public var units: [String]
        public var areaM2: Decimal
        public var currentRent: Decimal
        public var end: CalendarDate
        public var daysLeft: Int
        public var renewal: String?
        /// The units held on the last day that the renewal does not take (all of them
        /// without a renewal): the space coming free.
        public var unitsLeaving: [String] = []
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(within days: Int, park: String? = nil, asOf: CalendarDate? = nil) throws -> [Row] {
        guard (0...3660).contains(days) else { throw ParkError.invalid("within must be 0-3660 days, not \(days)") }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                WITH day AS (SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: park))) AS d)
                SELECT l.number, t.name AS tenant, p.code AS park,
                       array_agg(p.code || '/' || b.code || '/' || u.code ORDER BY b.code, u.floor, u.code) AS units,
                       sum(u.area_m2) AS area_m2,
                       lease_rate_on(l.id, l.rent, l.escalation_pct, lower(l.term), day.d) AS current_rent,
                       upper(l.term) - 1 AS end_day, upper(l.term) - 1 - day.d AS days_left,
                       (SELECT n.number FROM lease n WHERE n.renews_lease_id = l.id AND n.status <> 'cancelled') AS renewal,
                       array_agg(p.code || '/' || b.code || '/' || u.code ORDER BY b.code, u.floor, u.code)
                           FILTER (WHERE NOT EXISTS (SELECT 1 FROM lease n JOIN lease_unit nu ON nu.lease_id = n.id
                                                     WHERE n.renews_lease_id = l.id AND n.status <> 'cancelled'
                                                       AND nu.unit_id = u.id AND NOT nu.cancelled)) AS leaving
                FROM day, lease l JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = l.park_id
                JOIN lease_unit lu ON lu.lease_id = l.id JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                WHERE l.status = 'signed' AND upper(l.term) - 1 BETWEEN day.d AND day.d + \(Int32(days))
                  AND NOT lu.cancelled AND lu.during @> upper(l.term) - 1\(SQL.andAll([park.map { "p.code = \($0)" }]))
                GROUP BY l.id, t.name, p.code, day.d
                ORDER BY end_day, l.number
                """).rows.map { row in
                Row(lease: try row.decode("number"), tenant: try row.decode("tenant"), park: try row.decode("park"),
                    units: try row.decode("units"), areaM2: try row.decode("area_m2"), currentRent: try row.decode("current_rent"),
                    end: try row.decode("end_day"), daysLeft: try row.decode("days_left"), renewal: try row.decode("renewal"),
                    unitsLeaving: try row.decode("leaving", as: [String]?.self) ?? [])
            }
        }
    }
}
