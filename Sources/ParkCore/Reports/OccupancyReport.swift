import Foundation
import Postgres

/// Occupancy by park, building, floor or unit kind, by area and by count, with a
/// total row; as of any day, and (with history) as recorded on an earlier day.
/// One set-based query.
public struct OccupancyReport {
    public enum Grouping: String, Vocabulary {
        case park, building, floor, kind
        public static let fieldName = "grouping"
    }

    public struct Row: Sendable, Equatable {
        /// The grouping (`park`, `building`...) or `total`.
        public var scope: String
        public var park: String?
        public var building: String?
        public var floor: Int?
        public var kind: String?
        public var unitsTotal: Int
        public var unitsLeased: Int
        public var unitsReserved: Int
        public var unitsVacant: Int
        public var unitsOffMarket: Int
        public var areaTotal: Decimal
        public var areaLeased: Decimal
        public var areaReserved: Decimal
        public var areaVacant: Decimal
        public var areaOffMarket: Decimal
        /// Leased area ÷ (total − off-market area), 4 decimals; nil when nothing is on the market.
        public var occupancyRateArea: Decimal?
        public var occupancyRateUnits: Decimal?
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// The day (in the park group's zone) the first unit in scope was recorded, if any:
    /// a report `--as-recorded` an earlier day has nothing to show.
    public func firstRecordedDay(park: String? = nil) throws -> CalendarDate? {
        try session.read { conn in
            try conn.query("""
                SELECT (min(lower(u.sys_period)) AT TIME ZONE park_time_zone(NULL))::date
                FROM (SELECT park_id, sys_period FROM unit UNION ALL SELECT park_id, sys_period FROM unit_history) u
                JOIN park p ON p.id = u.park_id
                \(SQL.whereAll([park.map { "p.code = \($0)" }]))
                """).rows[0].decode(0)
        }
    }

    /// `asRecorded`: the leases as they were recorded at the end of that day (park group's zone).
    public func run(park: String? = nil, building: BuildingAddress? = nil, asOf: CalendarDate? = nil,
                    asRecorded: CalendarDate? = nil, by grouping: Grouping = .park) throws -> (asOf: CalendarDate, rows: [Row]) {
        let groupColumns: String = switch grouping {
        case .park: "park"
        case .building: "park, building"
        case .floor: "park, building, floor"
        case .kind: "park, kind"
        }
        // As recorded: the leases and the units (area, kind) as they were at the end of that day.
        let recordedAt = "((day.r + 1)::timestamp AT TIME ZONE day.tz)"
        let statusSource = SQL(verbatim: asRecorded == nil ? "unit_status_on(day.d)" : "unit_status_as_recorded(day.d, \(recordedAt))")
        let unitSource = SQL(verbatim: asRecorded == nil ? "unit" : "unit_as_recorded(\(recordedAt))")
        let groups = SQL(verbatim: groupColumns)
        // A scope not asked for drops out of the SQL.
        var scope: [SQL] = []
        if let p = park ?? building?.park { scope.append("p.code = \(p)") }
        if let building { scope.append("b.code = \(building.building)") }
        let query: PostgresQuery = """
            WITH day AS (
                SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: park ?? building?.park))) AS d, \(asRecorded)::date AS r,
                       park_time_zone(NULL) AS tz
            ), s AS (
                SELECT p.code AS park, b.code AS building, u.floor, u.kind, u.area_m2, st.status, day.d
                FROM day, \(statusSource) st
                JOIN \(unitSource) u ON u.id = st.unit_id JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                \(SQL.whereAll(scope))
            )
            SELECT CASE WHEN grouping(\(groups)) > 0 THEN 'total' ELSE \(grouping.rawValue) END AS scope,
                   \(SQL(verbatim: Self.selectColumns(grouping))),
                   count(*) AS units_total,
                   count(*) FILTER (WHERE status = 'leased') AS units_leased,
                   count(*) FILTER (WHERE status = 'reserved') AS units_reserved,
                   count(*) FILTER (WHERE status = 'vacant') AS units_vacant,
                   count(*) FILTER (WHERE status = 'off_market') AS units_off_market,
                   coalesce(sum(area_m2), 0) AS area_total_m2,   -- 0, not NULL, for a scope without units
                   coalesce(sum(area_m2) FILTER (WHERE status = 'leased'), 0) AS area_leased_m2,
                   coalesce(sum(area_m2) FILTER (WHERE status = 'reserved'), 0) AS area_reserved_m2,
                   coalesce(sum(area_m2) FILTER (WHERE status = 'vacant'), 0) AS area_vacant_m2,
                   coalesce(sum(area_m2) FILTER (WHERE status = 'off_market'), 0) AS area_off_market_m2,
                   round(coalesce(sum(area_m2) FILTER (WHERE status = 'leased'), 0)
                         / nullif(sum(area_m2) - coalesce(sum(area_m2) FILTER (WHERE status = 'off_market'), 0), 0), 4) AS occupancy_rate_area,
                   round(count(*) FILTER (WHERE status = 'leased')::numeric
                         / nullif(count(*) - count(*) FILTER (WHERE status = 'off_market'), 0), 4) AS occupancy_rate_units,
                   min(d) AS as_of
            FROM s
            GROUP BY GROUPING SETS ((\(groups)), ())
            ORDER BY grouping(\(groups)), \(groups)
            """
        return try session.read { conn in
            if let p = park ?? building?.park { _ = try Lookup.parkID(p, conn) }
            if let building { _ = try Lookup.buildingIDs(building, conn) }
            let result = try conn.query(query)
            let rows = try result.rows.map { row in
                Row(scope: try row.decode("scope"), park: try row.decode("park"), building: try row.decode("building"),
                    floor: try row.decode("floor"), kind: try row.decode("kind"),
                    unitsTotal: try row.decode("units_total"), unitsLeased: try row.decode("units_leased"),
                    unitsReserved: try row.decode("units_reserved"), unitsVacant: try row.decode("units_vacant"),
                    unitsOffMarket: try row.decode("units_off_market"), areaTotal: try row.decode("area_total_m2"),
                    areaLeased: try row.decode("area_leased_m2"), areaReserved: try row.decode("area_reserved_m2"),
                    areaVacant: try row.decode("area_vacant_m2"), areaOffMarket: try row.decode("area_off_market_m2"),
                    occupancyRateArea: try row.decode("occupancy_rate_area"), occupancyRateUnits: try row.decode("occupancy_rate_units"))
            }
            let asOfDay: CalendarDate = try result.rows.first?.decode("as_of", as: CalendarDate?.self)
                ?? conn.query("SELECT coalesce(\(asOf), \(ParkDay.today(park: park ?? building?.park)))").rows[0].decode(0)
            return (asOfDay, rows)
        }
    }

    static func selectColumns(_ g: Grouping) -> String {
        switch g {
        case .park: "park, NULL::text AS building, NULL::int AS floor, NULL::text AS kind"
        case .building: "park, building, NULL::int AS floor, NULL::text AS kind"
        case .floor: "park, building, floor, NULL::text AS kind"
        case .kind: "park, NULL::text AS building, NULL::int AS floor, kind"
        }
    }
}
