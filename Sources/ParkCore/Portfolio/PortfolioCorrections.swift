import Foundation
import Postgres

/// Correcting the portfolio: changing what was entered wrong (`park set`, `building
/// set`, `unit set`) and removing what was entered by mistake (`… remove`). Each is
/// one transaction; the audit trail keeps the values replaced, and a unit's earlier
/// versions stay in `unit_history` for reports of the past as recorded.
///
/// ```swift
/// try PortfolioService(session).setUnit(UnitAddress(parsing: "SW/B1/0301"),
///                                       UnitChanges(areaM2: 265.8), reason: "复测面积")
/// ```
extension PortfolioService {
    public struct ParkChanges: Sendable {
        public var name: String?
        public var address: String?
        public var industries: [String]?
        /// The park's land in 亩 (for 亩均税收, tax per mu).
        public var landMu: Decimal?
        /// Days without a follow-up after which a lead returns to the shared pool (公海池).
        public var leadPoolDays: Int?
        /// The receivables settings (see ``BillingSettings``).
        public var billing = BillingSettings.Changes()
        public init(name: String? = nil, address: String? = nil, industries: [String]? = nil) {
            self.name = name; self.address = address; self.industries = industries
        }
    }

    public struct BuildingChanges: Sendable {
        public var name: String?
        public var floorsAbove: Int?
        public var floorsBelow: Int?
        public var deliveredOn: CalendarDate?
        public init(name: String? = nil, floorsAbove: Int? = nil, floorsBelow: Int? = nil, deliveredOn: CalendarDate? = nil) {
            self.name = name; self.floorsAbove = floorsAbove; self.floorsBelow = floorsBelow; self.deliveredOn = deliveredOn
        }
    }

    public struct UnitChanges: Sendable {
        public var areaM2: Decimal?
        public var kind: UnitKind?
        public var listRent: Decimal?
        public var floor: Int?
        public init(areaM2: Decimal? = nil, kind: UnitKind? = nil, listRent: Decimal? = nil, floor: Int? = nil) {
            self.areaM2 = areaM2; self.kind = kind; self.listRent = listRent; self.floor = floor
        }
    }

    /// Changes a park's name, address or positioning; returns the fields that changed.
    public func setPark(_ code: String, _ changes: ParkChanges) throws -> [String] {
        var columns: [RowUpdate.Assignment] = []
        if let name = changes.name { columns.append(RowUpdate.Assignment("name", "text", try Validate.text(name, field: "park name"))) }
        if let address = changes.address {
            columns.append(RowUpdate.Assignment("address", "text", try Validate.text(address, field: "address", max: 500)))
        }
        if let industries = changes.industries {
            columns.append(RowUpdate.Assignment("industries", "text[]", try industries.map { try Industry.code($0) }))
        }
        if let mu = changes.landMu {
            guard mu > 0 else { throw ParkError.invalid("land-mu must be more than 0 亩, not \(mu)") }
            columns.append(RowUpdate.Assignment("land_mu", "numeric", mu))
        }
        if let days = changes.leadPoolDays {
            guard (1...365).contains(days) else { throw ParkError.invalid("lead-pool-days is 1-365, not \(days)") }
            columns.append(RowUpdate.Assignment("lead_pool_days", "int", Int32(days)))
        }
        let billing = changes.billing
        if let days = billing.payWithinDays { columns.append(RowUpdate.Assignment("pay_within_days", "int", days)) }
        if let days = billing.graceDays { columns.append(RowUpdate.Assignment("grace_days", "int", days)) }
        if let rate = billing.lateFeeRate { columns.append(RowUpdate.Assignment("late_fee_rate", "numeric", rate)) }
        if let rate = billing.rentTaxRate { columns.append(RowUpdate.Assignment("rent_tax_rate", "numeric", rate)) }
        if let rate = billing.propertyFeeTaxRate { columns.append(RowUpdate.Assignment("property_fee_tax_rate", "numeric", rate)) }
        if let rate = billing.utilityTaxRate { columns.append(RowUpdate.Assignment("utility_tax_rate", "numeric", rate)) }
        if let rate = billing.waterTaxRate { columns.append(RowUpdate.Assignment("water_tax_rate", "numeric", rate)) }
        if let rate = billing.gasTaxRate { columns.append(RowUpdate.Assignment("gas_tax_rate", "numeric", rate)) }
        if let rate = billing.heatTaxRate { columns.append(RowUpdate.Assignment("heat_tax_rate", "numeric", rate)) }
        return try session.write { conn in
            try RowUpdate.assign(columns, table: "park", id: try Lookup.parkID(code, conn), conn)
        }
    }

    /// A park's receivables settings.
    public func billingSettings(_ code: String) throws -> BillingSettings {
        try session.read { conn in
            guard let row = try conn.query("""
                SELECT pay_within_days, grace_days, late_fee_rate, rent_tax_rate, property_fee_tax_rate, utility_tax_rate,
                       water_tax_rate, gas_tax_rate, heat_tax_rate
                FROM park WHERE code = \(code)
                """).rows.first else { throw try Lookup.parkNotFound(code, conn) }
            return BillingSettings(payWithinDays: try row.decode("pay_within_days"), graceDays: try row.decode("grace_days"),
                                   lateFeeRate: try row.decode("late_fee_rate"), rentTaxRate: try row.decode("rent_tax_rate"),
                                   propertyFeeTaxRate: try row.decode("property_fee_tax_rate"),
                                   utilityTaxRate: try row.decode("utility_tax_rate"), waterTaxRate: try row.decode("water_tax_rate"),
                                   gasTaxRate: try row.decode("gas_tax_rate"), heatTaxRate: try row.decode("heat_tax_rate"))
        }
    }

    /// Changes a building's name, floors or delivery day; floors that would leave a
    /// unit outside the building are refused (by the database), naming the unit.
    public func setBuilding(_ address: BuildingAddress, _ changes: BuildingChanges) throws -> [String] {
        var columns: [RowUpdate.Assignment] = []
        if let name = changes.name { columns.append(RowUpdate.Assignment("name", "text", try Validate.text(name, field: "building name"))) }
        if let above = changes.floorsAbove {
            guard (1...200).contains(above) else { throw ParkError.invalid("floors must be 1-200, not \(above)") }
            columns.append(RowUpdate.Assignment("floors_above", "int", Int32(above)))
        }
        if let below = changes.floorsBelow {
            guard (0...10).contains(below) else { throw ParkError.invalid("floors below ground must be 0-10, not \(below)") }
            columns.append(RowUpdate.Assignment("floors_below", "int", Int32(below)))
        }
        if let delivered = changes.deliveredOn { columns.append(RowUpdate.Assignment("delivered_on", "date", delivered)) }
        return try session.write { conn in
            try RowUpdate.assign(columns, table: "building", id: try Lookup.buildingIDs(address, conn).building, conn)
        }
    }

    /// Changes a unit's area, kind, list rent or floor. The area or kind of a unit
    /// that a lease holds or held feeds that lease's rent schedule and the reports: it
    /// is changed only with a `reason`, which the audit trail keeps (and the version
    /// replaced stays in the unit's history).
    public func setUnit(_ address: UnitAddress, _ changes: UnitChanges, reason: String? = nil) throws -> [String] {
        var columns: [RowUpdate.Assignment] = []
        if let area = changes.areaM2 {
            guard area > 0 else { throw ParkError.invalid("area must be more than 0 m², not \(area)") }
            columns.append(RowUpdate.Assignment("area_m2", "numeric", area))
        }
        if let kind = changes.kind { columns.append(RowUpdate.Assignment("kind", "text", kind.rawValue)) }
        if let rent = changes.listRent {
            guard rent >= 0 else { throw ParkError.invalid("list rent must not be negative, not \(rent)") }
            columns.append(RowUpdate.Assignment("list_rent", "numeric", rent))
        }
        if let floor = changes.floor { columns.append(RowUpdate.Assignment("floor", "int", Int32(floor))) }
        let reason = try reason.map { try Validate.text($0, field: "reason", max: 500) }
        return try session.write(reason: reason) { conn in
            let ids = try Lookup.unitIDs(address, conn)
            let id = ids.unit
            if let floor = changes.floor { try Self.checkFloor(floor, building: ids.building, address.buildingAddress, conn) }
            // Any lease that held it, past ones too: their rent schedules read the area.
            if reason == nil, changes.areaM2 != nil || changes.kind != nil, let lease = try conn.query("""
                SELECT l.number, t.name, upper(lu.during) > park_local_date(p.time_zone) AS current
                FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id JOIN tenant t ON t.id = l.tenant_id
                JOIN park p ON p.id = lu.park_id
                WHERE lu.unit_id = \(id) AND NOT lu.cancelled AND l.status IN ('signed', 'terminated')
                ORDER BY upper(lu.during) DESC LIMIT 1
                """).rows.first {
                let new = [changes.areaM2.map { "area to \($0) m²" }, changes.kind.map { "kind to \($0.rawValue)" }].compactMap { $0 }
                guard try RowUpdate.differs(columns.filter { $0.column == "area_m2" || $0.column == "kind" }, table: "unit", id: id, conn) else {
                    return try RowUpdate.assign(columns, table: "unit", id: id, conn)
                }
                throw ParkError(.conflict, """
                    unit \(address) \(try lease.decode("current", as: Bool.self) ? "is" : "was") held by lease \(try lease.decode("number", as: String.self)) of \
                    \(try lease.decode("name", as: String.self)): changing its \(new.joined(separator: " and ")) changes that \
                    lease's rent and the reports of the past as recorded; say why with --reason (kept in the audit trail)
                    """)
            }
            return try RowUpdate.assign(columns, table: "unit", id: id, conn)
        }
    }

    /// Removes a unit entered by mistake: one that no lease (even a cancelled one)
    /// and no ticket ever named. Otherwise the refusal says what holds it.
    public func removeUnit(_ address: UnitAddress) throws {
        try session.write { conn in
            let id = try Lookup.unitIDs(address, conn).unit
            let holders: [String] = try conn.query("""
                SELECT 'lease ' || l.number FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE lu.unit_id = \(id)
                UNION ALL
                SELECT 'ticket ' || t.number FROM ticket t WHERE t.unit_id = \(id)
                ORDER BY 1 LIMIT 6
                """).rows.map { try $0.decode(0) }
            guard holders.isEmpty else {
                throw ParkError(.conflict, "unit \(address) cannot be removed: \(Self.list(holders)) named it; "
                                + "take it off the market instead (parkctl unit off-market \(address) --reason …)")
            }
            try conn.execute("DELETE FROM unit WHERE id = \(id)")
        }
    }

    /// Removes a building that holds no unit.
    public func removeBuilding(_ address: BuildingAddress) throws {
        try session.write { conn in
            let id = try Lookup.buildingIDs(address, conn).building
            let units: [String] = try conn.query("SELECT code FROM unit WHERE building_id = \(id) ORDER BY code LIMIT 6").rows.map { try $0.decode(0) }
            guard units.isEmpty else {
                throw ParkError(.conflict, "building \(address) cannot be removed: it holds unit\(units.count > 1 ? "s" : "") "
                                + Self.list(units.map { "\(address)/\($0)" }) + " (remove them first: parkctl unit remove …)")
            }
            try conn.execute("DELETE FROM building WHERE id = \(id)")
        }
    }

    /// Removes a park that holds no building, application, ticket or staff scope.
    public func removePark(_ code: String) throws {
        try session.write { conn in
            let id = try Lookup.parkID(code, conn)
            let holders: [String] = try conn.query("""
                SELECT 'building ' || \(code) || '/' || code FROM building WHERE park_id = \(id)
                UNION ALL SELECT 'the application of ' || t.name FROM onboarding o JOIN tenant t ON t.id = o.tenant_id WHERE o.park_id = \(id)
                UNION ALL SELECT 'ticket ' || number FROM ticket WHERE park_id = \(id)
                UNION ALL SELECT 'the staff login ' || name FROM staff WHERE revoked_at IS NULL AND \(id) = ANY (park_ids)
                ORDER BY 1 LIMIT 6
                """).rows.map { try $0.decode(0) }
            guard holders.isEmpty else {
                throw ParkError(.conflict, "park \(code) cannot be removed: it holds \(Self.list(holders))")
            }
            // The park's own calendar days and working hours go with it.
            try conn.execute("DELETE FROM calendar_day WHERE park_id = \(id)")
            try conn.execute("DELETE FROM work_hours WHERE park_id = \(id)")
            // Row-level security hides a park from the delete of an admin scoped to some parks.
            guard try conn.execute("DELETE FROM park WHERE id = \(id)") == 1 else {
                throw ParkError(.forbidden, "not allowed: parks are removed by admins of every park, like they are added")
            }
        }
    }

    // MARK: Plumbing

    /// "a, b and c" (and "…" after five).
    static func list(_ items: [String]) -> String {
        let shown = Array(items.prefix(5)) + (items.count > 5 ? ["…"] : [])
        return shown.count < 2 ? shown.joined() : shown.dropLast().joined(separator: ", ") + " and " + shown.last!
    }
}
