import Foundation
import Postgres

/// Parks, buildings and units: recording them and looking them up.
///
/// ```swift
/// let portfolio = PortfolioService(session)
/// try portfolio.addPark(code: "SW", name: "湘南湘西软件产业园", kind: .software, industries: ["software", "ai"])
/// try portfolio.addBuilding(BuildingAddress(parsing: "SW/B1"), name: "1号楼", floorsAbove: 12)
/// ```
public struct PortfolioService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    // MARK: Parks

    @discardableResult
    public func addPark(code: String, name: String, kind: ParkKind, industries: [String], address: String? = nil) throws -> Park {
        let code = try Validate.code(code, field: "park code", rule: .parkCode)
        let name = try Validate.text(name, field: "park name")
        let industries = try industries.map { try Industry.code($0) }
        let address = try address.map { try Validate.text($0, field: "address", max: 500) }
        try session.write { conn in
            if let existing = try conn.query("SELECT name FROM park WHERE code = \(code)").rows.first {
                throw ParkError(.conflict, "park \(code) exists already: \(try existing.decode(0, as: String.self))")
            }
            try conn.execute("""
                INSERT INTO park (code, name, kind, industries, address)
                VALUES (\(code), \(name), \(kind.rawValue), \(industries), \(address))
                """)
        }
        return try park(code)
    }

    public func parks() throws -> [Park] {
        try session.read { conn in
            try Park.fetchAll(conn, "GROUP BY p.id ORDER BY p.code")
        }
    }

    public func park(_ code: String) throws -> Park {
        try session.read { conn in
            guard let park = try Park.fetchOne(conn, "WHERE p.code = \(code) GROUP BY p.id") else {
                throw try Lookup.parkNotFound(code, conn)
            }
            return park
        }
    }

    // MARK: Buildings

    @discardableResult
    public func addBuilding(_ address: BuildingAddress, name: String, floorsAbove: Int, floorsBelow: Int = 0,
                            deliveredOn: CalendarDate? = nil) throws -> Building {
        let code = try Validate.code(address.building, field: "building code", rule: .buildingCode)
        let name = try Validate.text(name, field: "building name")
        guard (1...200).contains(floorsAbove) else { throw ParkError.invalid("floors must be 1-200, not \(floorsAbove)") }
        guard (0...10).contains(floorsBelow) else { throw ParkError.invalid("floors below ground must be 0-10, not \(floorsBelow)") }
        try session.write { conn in
            let parkID = try Lookup.parkID(address.park, conn)
            if let existing = try conn.query("SELECT name FROM building WHERE park_id = \(parkID) AND code = \(code)").rows.first {
                throw ParkError(.conflict, "building \(address) exists already: \(try existing.decode(0, as: String.self))")
            }
            try conn.execute("""
                INSERT INTO building (park_id, code, name, floors_above, floors_below, delivered_on)
                VALUES (\(parkID), \(code), \(name), \(Int32(floorsAbove)), \(Int32(floorsBelow)), \(deliveredOn))
                """)
        }
        return try buildings(park: address.park).first { $0.address == address }!
    }

    public func buildings(park: String? = nil) throws -> [Building] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                SELECT p.code AS park, b.code, b.name, b.floors_above, b.floors_below, b.delivered_on,
                       count(u.id) AS units, coalesce(sum(u.area_m2), 0) AS area_m2
                FROM building b JOIN park p ON p.id = b.park_id LEFT JOIN unit u ON u.building_id = b.id
                \(SQL.whereAll([park.map { "p.code = \($0)" }]))
                GROUP BY p.code, b.id ORDER BY p.code, b.code
                """).rows.map { row in
                Building(address: BuildingAddress(park: try row.decode("park"), building: try row.decode("code")),
                         name: try row.decode("name"), floorsAbove: try row.decode("floors_above"),
                         floorsBelow: try row.decode("floors_below"), deliveredOn: try row.decode("delivered_on"),
                         unitCount: try row.decode("units"), areaM2: try row.decode("area_m2"))
            }
        }
    }

    // MARK: Units

    @discardableResult
    public func addUnit(_ address: UnitAddress, floor: Int, areaM2: Decimal, kind: UnitKind, listRent: Decimal,
                        offMarketReason: String? = nil) throws -> RentalUnit {
        let code = try Validate.code(address.unit, field: "unit code", rule: .unitCode)
        guard areaM2 > 0 else { throw ParkError.invalid("area must be more than 0 m², not \(areaM2)") }
        guard listRent >= 0 else { throw ParkError.invalid("list rent must not be negative, not \(listRent)") }
        let reason = try offMarketReason.map { try Validate.text($0, field: "off-market reason", max: 500) }
        try session.write { conn in
            let ids = try Lookup.buildingIDs(address.buildingAddress, conn)
            try Self.checkFloor(floor, building: ids.building, address.buildingAddress, conn)
            if try conn.query("SELECT 1 FROM unit WHERE building_id = \(ids.building) AND code = \(code)").rowCount > 0 {
                throw ParkError(.conflict, "unit \(address) exists already")
            }
            try conn.execute("""
                INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason)
                VALUES (\(ids.park), \(ids.building), \(code), \(Int32(floor)), \(areaM2), \(kind.rawValue), \(listRent), \(reason))
                """)
        }
        return try unit(address)
    }

    /// A floor of the building (the database checks it too; this message names the floors).
    static func checkFloor(_ floor: Int, building id: Int, _ address: BuildingAddress, _ conn: Connection) throws {
        let building = try conn.query("SELECT floors_above, floors_below FROM building WHERE id = \(id)").rows[0]
        let above: Int = try building.decode(0), below: Int = try building.decode(1)
        guard floor != 0, floor <= above, floor >= -below else {
            throw ParkError.invalid("floor \(floor) is not in building \(address), which has floors \(below > 0 ? "-\(below)…-1 and " : "")1…\(above)")
        }
    }

    /// Filters for ``units(park:building:kind:)``; nil means any.
    public func units(park: String? = nil, building: BuildingAddress? = nil, kind: UnitKind? = nil) throws -> [RentalUnit] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            if let building { _ = try Lookup.buildingIDs(building, conn) }
            let parkCode = park ?? building?.park
            return try RentalUnit.fetchAll(conn, """
                \(SQL.whereAll([
                    parkCode.map { "p.code = \($0)" }, building.map { "b.code = \($0.building)" }, kind.map { "u.kind = \($0.rawValue)" },
                ]))
                ORDER BY p.code, b.code, u.floor, u.code
                """)
        }
    }

    /// Units with their status as of a day (default: today in the group's time
    /// zone), from the SQL function `unit_status_on`, in one query.
    /// `floor` and `tenant` (credit code, registered or short name: the tenant whose
    /// lease holds or reserves the unit that day) narrow it further.
    public func occupancy(park: String? = nil, building: BuildingAddress? = nil, kind: UnitKind? = nil,
                          status: UnitStatus? = nil, asOf: CalendarDate? = nil, floor: Int? = nil,
                          tenant: String? = nil) throws -> [UnitOccupancy] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            if let building { _ = try Lookup.buildingIDs(building, conn) }
            let tenantCode = try tenant.map { try Lookup.tenant($0, conn).creditCode }
            let floor = floor.map(Int32.init)
            let parkCode = park ?? building?.park
            return try conn.query("""
                WITH day AS (SELECT coalesce(\(asOf)::date, \(ParkDay.today(park: parkCode))) AS d)
                SELECT p.code AS park, b.code AS building, u.code, u.floor, u.area_m2, u.kind, u.list_rent, u.off_market_reason,
                       s.status, s.fitting_out, l.number AS lease, t.name AS tenant, day.d AS as_of
                FROM day, unit_status_on(day.d) s
                JOIN unit u ON u.id = s.unit_id JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                LEFT JOIN lease l ON l.id = s.lease_id LEFT JOIN tenant t ON t.id = l.tenant_id
                \(SQL.whereAll([
                    parkCode.map { "p.code = \($0)" }, building.map { "b.code = \($0.building)" }, kind.map { "u.kind = \($0.rawValue)" },
                    status.map { "s.status = \($0.rawValue)" }, floor.map { "u.floor = \($0)" }, tenantCode.map { "t.credit_code = \($0)" },
                ]))
                ORDER BY p.code, b.code, u.floor, u.code
                """).rows.map { row in
                UnitOccupancy(unit: try RentalUnit(row: row), status: try row.decode("status", as: UnitStatus.self),
                              fittingOut: try row.decode("fitting_out"), lease: try row.decode("lease"),
                              tenant: try row.decode("tenant"), asOf: try row.decode("as_of"))
            }
        }
    }

    public func unit(_ address: UnitAddress) throws -> RentalUnit {
        try session.read { conn in
            let ids = try Lookup.buildingIDs(address.buildingAddress, conn)
            guard let row = try conn.query("""
                SELECT \(address.park) AS park, \(address.building) AS building, u.code, u.floor, u.area_m2, u.kind,
                       u.list_rent, u.off_market_reason
                FROM unit u WHERE u.building_id = \(ids.building) AND u.code = \(address.unit)
                """).rows.first else {
                throw try Lookup.unitNotFound(address, conn)
            }
            return try RentalUnit(row: row)
        }
    }

    /// Takes a unit off the market with a reason, or (reason nil) puts it back. A unit
    /// that a lease holds today or later is refused: off the market is for units
    /// nobody leases (the lease would win, and the flag would say nothing).
    @discardableResult
    public func setOffMarket(_ address: UnitAddress, reason: String?) throws -> RentalUnit {
        let reason = try reason.map { try Validate.text($0, field: "off-market reason", max: 500) }
        try session.write { conn in
            let ids = try Lookup.buildingIDs(address.buildingAddress, conn)
            if reason != nil, let lease = try conn.query("""
                SELECT l.number, t.name, lower(lu.during) AS first, upper(lu.during) - 1 AS last,
                       lower(lu.during) > park_local_date(p.time_zone) AS future
                FROM unit u JOIN lease_unit lu ON lu.unit_id = u.id JOIN lease l ON l.id = lu.lease_id
                JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = u.park_id
                WHERE u.building_id = \(ids.building) AND u.code = \(address.unit) AND NOT lu.cancelled
                  AND l.status IN ('signed', 'terminated') AND upper(lu.during) > park_local_date(p.time_zone)
                ORDER BY lower(lu.during) LIMIT 1
                """).rows.first {
                let number: String = try lease.decode("number")
                let last: CalendarDate = try lease.decode("last")
                let held = try lease.decode("future", as: Bool.self)
                    ? "is reserved for \(try lease.decode("name", as: String.self)) under \(number) from \(try lease.decode("first", as: CalendarDate.self)) to \(last)"
                    : "is leased to \(try lease.decode("name", as: String.self)) under \(number) until \(last)"
                throw ParkError(.conflict, """
                    unit \(address) \(held); it can go off the market once no lease holds it \
                    (end the lease first: parkctl lease terminate|cancel \(number))
                    """)
            }
            let changed = try conn.execute("""
                UPDATE unit SET off_market_reason = \(reason)
                WHERE building_id = \(ids.building) AND code = \(address.unit)
                  AND off_market_reason IS DISTINCT FROM \(reason)
                """)
            if changed == 0, try conn.query("SELECT 1 FROM unit WHERE building_id = \(ids.building) AND code = \(address.unit)").rowCount == 0 {
                throw try Lookup.unitNotFound(address, conn)
            }
        }
        return try unit(address)
    }

}

extension Park: PostgresRecord {
    /// A park with its counts; a fetch adds `GROUP BY p.id` after its conditions.
    public static let selection: SQL = """
        SELECT p.code, p.name, p.kind, p.industries, p.address, p.time_zone, p.land_mu,
               (SELECT count(*) FROM building b WHERE b.park_id = p.id) AS buildings,
               count(u.id) AS units, coalesce(sum(u.area_m2), 0) AS area_m2
        FROM park p LEFT JOIN unit u ON u.park_id = p.id
        """

    public init(row: PostgresRow) throws {
        self.init(code: try row.decode("code"), name: try row.decode("name"), kind: try row.decode("kind"),
                  industries: try row.decode("industries"), address: try row.decode("address"),
                  timeZone: try row.decode("time_zone"), buildingCount: try row.decode("buildings"),
                  unitCount: try row.decode("units"), areaM2: try row.decode("area_m2"), landMu: try row.decode("land_mu"))
    }
}

extension RentalUnit: PostgresRecord {
    /// A unit with its address; other reads that add columns (the occupancy) decode
    /// their rows with ``init(row:)`` too.
    public static let selection: SQL = """
        SELECT p.code AS park, b.code AS building, u.code, u.floor, u.area_m2, u.kind, u.list_rent, u.off_market_reason
        FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
        """

    public init(row: PostgresRow) throws {
        self.init(address: UnitAddress(park: try row.decode("park"), building: try row.decode("building"), unit: try row.decode("code")),
                  floor: try row.decode("floor"), areaM2: try row.decode("area_m2"), kind: try row.decode("kind"),
                  listRent: try row.decode("list_rent"), offMarketReason: try row.decode("off_market_reason"))
    }
}
