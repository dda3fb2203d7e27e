import Foundation
import Postgres

/// Vacant units with their area, list rent and how long they have stood empty:
/// since the last lease ended, or (never leased) since the building was delivered.
public struct VacancyReport {
    public struct Row: Sendable, Equatable {
        public var unit: String
        public var park: String
        public var building: String
        public var floor: Int
        public var kind: String
        public var areaM2: Decimal
        public var listRent: Decimal
        public var vacantSince: CalendarDate?
        public var daysVacant: Int?
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(park: String? = nil, building: BuildingAddress? = nil, kind: UnitKind? = nil, minArea: Decimal? = nil,
                    asOf: CalendarDate? = nil) throws -> [Row] {
        try session.read { conn in
            if let p = park ?? building?.park { _ = try Lookup.parkID(p, conn) }
            let parkCode = park ?? building?.park
            return try conn.query("""
                WITH day AS (SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: parkCode))) AS d)
                SELECT p.code || '/' || b.code || '/' || u.code AS unit, p.code AS park, b.code AS building, u.floor, u.kind,
                       u.area_m2, u.list_rent, since.d AS vacant_since, day.d - since.d AS days_vacant
                FROM day, unit_status_on(day.d) st
                JOIN unit u ON u.id = st.unit_id JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                LEFT JOIN LATERAL (
                    SELECT coalesce(
                        (SELECT max(upper(lu.during)) FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
                         WHERE lu.unit_id = u.id AND NOT lu.cancelled AND upper(lu.during) <= day.d AND l.status IN ('signed', 'terminated')),
                        b.delivered_on) AS d) since ON true
                WHERE st.status = 'vacant'\(SQL.andAll([
                    parkCode.map { "p.code = \($0)" }, building.map { "b.code = \($0.building)" }, kind.map { "u.kind = \($0.rawValue)" },
                    minArea.map { "u.area_m2 >= \($0)" },
                ]))
                ORDER BY days_vacant DESC NULLS LAST, unit
                """).rows.map { row in
                Row(unit: try row.decode("unit"), park: try row.decode("park"), building: try row.decode("building"),
                    floor: try row.decode("floor"), kind: try row.decode("kind"), areaM2: try row.decode("area_m2"),
                    listRent: try row.decode("list_rent"), vacantSince: try row.decode("vacant_since"),
                    daysVacant: try row.decode("days_vacant"))
            }
        }
    }
}
