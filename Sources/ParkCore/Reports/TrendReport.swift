import Foundation
import Postgres

/// Occupancy by area at each month end, for the last N months (the current month's
/// end included).
public struct TrendReport {
    public struct Row: Sendable, Equatable {
        public var monthEnd: CalendarDate
        public var areaTotal: Decimal
        public var areaLeased: Decimal
        public var areaOffMarket: Decimal
        public var occupancyRateArea: Decimal?
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(park: String? = nil, building: BuildingAddress? = nil, months: Int = 12, asOf: CalendarDate? = nil) throws -> [Row] {
        guard (1...120).contains(months) else { throw ParkError.invalid("months must be 1-120, not \(months)") }
        return try session.read { conn in
            if let p = park ?? building?.park { _ = try Lookup.parkID(p, conn) }
            let parkCode = park ?? building?.park
            return try conn.query("""
                WITH today AS (SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: parkCode))) AS d),
                ends AS (
                    SELECT (date_trunc('month', today.d) - (k || ' months')::interval + interval '1 month - 1 day')::date AS month_end
                    FROM today, generate_series(0, \(months - 1)) k
                )
                SELECT e.month_end, sum(u.area_m2) AS area_total,
                       coalesce(sum(u.area_m2) FILTER (WHERE st.status = 'leased'), 0) AS area_leased,
                       coalesce(sum(u.area_m2) FILTER (WHERE st.status = 'off_market'), 0) AS area_off_market,
                       round(coalesce(sum(u.area_m2) FILTER (WHERE st.status = 'leased'), 0)
                             / nullif(sum(u.area_m2) - coalesce(sum(u.area_m2) FILTER (WHERE st.status = 'off_market'), 0), 0), 4) AS rate
                FROM ends e CROSS JOIN LATERAL unit_status_on(e.month_end) st
                JOIN unit u ON u.id = st.unit_id JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                \(SQL.whereAll([parkCode.map { "p.code = \($0)" }, building.map { "b.code = \($0.building)" }]))
                GROUP BY e.month_end ORDER BY e.month_end
                """).rows.map { row in
                Row(monthEnd: try row.decode("month_end"), areaTotal: try row.decode("area_total"),
                    areaLeased: try row.decode("area_leased"), areaOffMarket: try row.decode("area_off_market"),
                    occupancyRateArea: try row.decode("rate"))
            }
        }
    }
}
