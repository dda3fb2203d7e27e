import Foundation
import Postgres

/// The stacking plan (租控图) of a building: every unit by floor, with its state as
/// of a day: leased, expiring (a lease ending within 90 days), fitting out,
/// reserved, vacant or off-market.
public struct StackingPlan {
    /// A unit's state on the plan; its label (the legend's) is the catalogue's.
    public enum State: String, Vocabulary {
        case leased, expiring
        case fittingOut = "fitting_out"
        case reserved, vacant
        case offMarket = "off_market"
        public static let fieldName = "plan state"
    }

    public struct Cell: Sendable, Equatable {
        public var unit: String
        public var floor: Int
        public var areaM2: Decimal
        public var state: State
        /// The tenant's short name (简称), else its registered name.
        public var tenant: String?
        public var lease: String?
        public var leaseEnd: CalendarDate?
    }

    public struct Plan: Sendable, Equatable {
        public var building: BuildingAddress
        public var buildingName: String
        public var asOf: CalendarDate
        /// Floors from the top down, each with its units in order.
        public var floors: [(floor: Int, cells: [Cell])]

        public static func == (a: Plan, b: Plan) -> Bool {
            a.building == b.building && a.asOf == b.asOf && a.floors.map(\.floor) == b.floors.map(\.floor)
                && a.floors.map(\.cells) == b.floors.map(\.cells)
        }
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func run(_ building: BuildingAddress, asOf: CalendarDate? = nil) throws -> Plan {
        try session.read { conn in
            let ids = try Lookup.buildingIDs(building, conn)
            let result = try conn.query("""
                WITH day AS (SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: building.park))) AS d)
                SELECT u.code, u.floor, u.area_m2, st.status, st.fitting_out, l.number, coalesce(t.short_name, t.name) AS tenant,
                       upper(lease_occupancy(l.term, l.terminated_on)) - 1 AS lease_end, day.d AS as_of, b.name AS building_name,
                       (st.status = 'leased' AND upper(lease_occupancy(l.term, l.terminated_on)) - 1 <= day.d + 90
                        AND NOT EXISTS (SELECT 1 FROM lease n WHERE n.renews_lease_id = l.id AND n.status = 'signed')) AS expiring
                FROM day, unit_status_on(day.d) st JOIN unit u ON u.id = st.unit_id JOIN building b ON b.id = u.building_id
                LEFT JOIN lease l ON l.id = st.lease_id LEFT JOIN tenant t ON t.id = l.tenant_id
                WHERE u.building_id = \(ids.building)
                ORDER BY u.floor DESC, u.code
                """)
            var floors: [(floor: Int, cells: [Cell])] = []
            var name = building.building
            var day = asOf
            for row in result.rows {
                let status: String = try row.decode("status")
                let state: State
                if status == "leased" {
                    state = try row.decode("fitting_out", as: Bool.self) ? .fittingOut
                        : (try row.decode("expiring", as: Bool.self) ? .expiring : .leased)
                } else {
                    state = State(rawValue: status) ?? .vacant
                }
                let cell = Cell(unit: try row.decode("code"), floor: try row.decode("floor"), areaM2: try row.decode("area_m2"),
                                state: state, tenant: try row.decode("tenant"), lease: try row.decode("number"),
                                leaseEnd: try row.decode("lease_end"))
                if floors.last?.floor == cell.floor { floors[floors.count - 1].cells.append(cell) } else { floors.append((cell.floor, [cell])) }
                name = try row.decode("building_name")
                day = try row.decode("as_of")
            }
            if day == nil {
                day = try conn.query("SELECT \(ParkDay.today(park: building.park))").rows[0].decode(0)
            }
            return Plan(building: building, buildingName: name, asOf: day!, floors: floors)
        }
    }
}
