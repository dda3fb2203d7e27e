import Foundation
import Postgres

/// The rent roll (租金台账): one row per lease in force on a day, with the rent per
/// m² in force, the month's rent and property fee due (after the rent-free window,
/// prorated), the deposit, the next escalation and the end. A total row closes it.
public struct RentRollReport {
    public struct Row: Sendable, Equatable {
        public var scope: String
        public var lease: String?
        public var tenant: String?
        public var park: String?
        public var units: [String]
        public var areaM2: Decimal
        public var rentPerM2: Decimal?
        public var monthRentDue: Decimal
        public var monthPropertyFeeDue: Decimal
        public var deposit: Decimal
        public var nextEscalation: CalendarDate?
        public var end: CalendarDate?
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// The leases in force on `asOf` (default today), with its month's rent due; or,
    /// with `month` (its first day), every lease in force on any day of that month,
    /// each as of its last day in the month, with the month's rent due: a month's total
    /// for the accountant, leases that start, end or change within it included.
    public func run(park: String? = nil, asOf: CalendarDate? = nil, month: CalendarDate? = nil) throws -> (asOf: CalendarDate, rows: [Row]) {
        if asOf != nil && month != nil { throw ParkError.invalid("give --as-of or --month, not both") }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let result = try conn.query("""
                WITH day AS (SELECT coalesce(\(asOf)::date, (date_trunc('month', \(month)::date) + interval '1 month - 1 day')::date,
                                             \(ParkDay.today(park: park))) AS d,
                                    coalesce(date_trunc('month', \(month)::date)::date, coalesce(\(asOf)::date, \(ParkDay.today(park: park)))) AS first),
                l AS (
                    SELECT l.*, t.name AS tenant, p.code AS park, ref.d,
                           (SELECT array_agg(p.code || '/' || b.code || '/' || u.code ORDER BY b.code, u.floor, u.code)
                            FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                            WHERE lu.lease_id = l.id AND NOT lu.cancelled AND lu.during @> ref.d) AS units,
                           (SELECT sum(u.area_m2) FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id
                            WHERE lu.lease_id = l.id AND NOT lu.cancelled AND lu.during @> ref.d) AS area_m2
                    FROM day, lease l JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = l.park_id
                    -- The day each lease is shown as of: the day asked, or its last day in the month.
                    CROSS JOIN LATERAL (SELECT least(day.d, upper(lease_occupancy(l.term, l.terminated_on)) - 1) AS d) ref
                    WHERE l.status IN ('signed', 'terminated')
                      AND lease_occupancy(l.term, l.terminated_on) && daterange(day.first, day.d, '[]')\(SQL.andAll([park.map { "p.code = \($0)" }]))
                ), r AS (
                    SELECT l.number, l.tenant, l.park, l.units, l.area_m2, l.deposit, l.d,
                           lease_rate_on(l.id, l.rent, l.escalation_pct, lower(l.term), l.d) AS rent_per_m2,
                           coalesce(m.rent_due, 0) AS month_rent_due, coalesce(m.property_fee_due, 0) AS month_property_fee_due,
                           CASE WHEN l.escalation_pct > 0 THEN
                                nullif(least(esc.day, upper(lease_occupancy(l.term, l.terminated_on))),
                                       upper(lease_occupancy(l.term, l.terminated_on))) END AS next_escalation,
                           upper(lease_occupancy(l.term, l.terminated_on)) - 1 AS end_day
                    FROM l
                    -- The next anniversary, as lease_rent_on counts years (age): a lease that
                    -- starts on 29 February rises on 1 March of a year without one.
                    CROSS JOIN LATERAL (
                        SELECT CASE WHEN extract(year FROM age(a.day::timestamp, lower(l.term)::timestamp)) > extract(year FROM age(l.d::timestamp, lower(l.term)::timestamp))
                                    THEN a.day ELSE a.day + 1 END AS day
                        FROM (SELECT (lower(l.term) + (extract(year FROM age(l.d::timestamp, lower(l.term)::timestamp))::int + 1) * interval '1 year')::date AS day) a
                    ) esc
                    LEFT JOIN LATERAL (
                        SELECT sum(rent_due) AS rent_due, sum(property_fee_due) AS property_fee_due
                        FROM lease_rent_schedule(l.id, date_trunc('month', l.d)::date,
                                                 (date_trunc('month', l.d) + interval '1 month - 1 day')::date)) m ON true
                )
                SELECT CASE WHEN grouping(number) = 1 THEN 'total' ELSE 'lease' END AS scope,
                       number, CASE WHEN grouping(number) = 0 THEN min(tenant) END AS tenant,
                       CASE WHEN grouping(number) = 0 THEN min(park) END AS park,
                       CASE WHEN grouping(number) = 0 THEN min(units) END AS units,
                       sum(area_m2) AS area_m2, CASE WHEN grouping(number) = 0 THEN min(rent_per_m2) END AS rent_per_m2,
                       sum(month_rent_due) AS month_rent_due, sum(month_property_fee_due) AS month_property_fee_due,
                       sum(deposit) AS deposit, CASE WHEN grouping(number) = 0 THEN min(next_escalation) END AS next_escalation,
                       CASE WHEN grouping(number) = 0 THEN min(end_day) END AS end_day,
                       (SELECT d FROM day) AS as_of
                FROM r GROUP BY GROUPING SETS ((number), ())
                ORDER BY grouping(number), min(park), number
                """)
            let rows = try result.rows.map { row in
                Row(scope: try row.decode("scope"), lease: try row.decode("number"), tenant: try row.decode("tenant"),
                    park: try row.decode("park"), units: try row.decode("units", as: [String]?.self) ?? [],
                    areaM2: try row.decode("area_m2", as: Decimal?.self) ?? 0, rentPerM2: try row.decode("rent_per_m2"),
                    monthRentDue: try row.decode("month_rent_due", as: Decimal?.self) ?? 0,
                    monthPropertyFeeDue: try row.decode("month_property_fee_due", as: Decimal?.self) ?? 0,
                    deposit: try row.decode("deposit", as: Decimal?.self) ?? 0, nextEscalation: try row.decode("next_escalation"),
                    end: try row.decode("end_day"))
            }
            return (try result.rows.first?.decode("as_of", as: CalendarDate.self) ?? asOf ?? CalendarDate("2000-01-01")!, rows)
        }
    }
}
