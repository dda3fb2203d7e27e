import Foundation
import ParkCore
import Postgres

/// A small portfolio whose every report figure is worked out by hand in the tests.
///
/// Park SW, building B1 (5 floors), one office per floor, as of 2026-06-30:
///
/// | unit | m²  | on 2026-06-30                                              |
/// |------|-----|------------------------------------------------------------|
/// | 0101 | 100 | leased: lease A 2026-01-01…2026-06-30 ends that very day   |
/// | 0201 | 200 | vacant: lease B 2025-01-01…2027-12-31 terminated 2026-03-31|
/// | 0301 | 300 | reserved: lease C starts 2026-08-01                        |
/// | 0401 | 150 | off the market                                             |
/// | 0501 | 250 | lease D 2026-01-01…2028-12-31, recorded on 2026-06-15 and  |
/// |      |     | corrected afterwards: terminated 2026-05-31                |
///
/// Rents: 30.00 元/m²/month everywhere, no fee, no escalation.
public enum ReportFixture {
    public static let tenantCode = "91350100M000100Y43"
    public static let asOf = CalendarDate("2026-06-30")!
    /// A day on which lease D was recorded and not yet corrected.
    public static let beforeCorrection = CalendarDate("2026-06-20")!

    @discardableResult
    public static func build(_ session: ParkSession) throws -> (a: String, b: String, c: String, d: String) {
        let conn = session.connection
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "SW", name: "湘南湘西软件产业园", kind: .software, industries: ["software"])
        try portfolio.addBuilding(BuildingAddress(park: "SW", building: "B1"), name: "1号楼", floorsAbove: 5,
                                  deliveredOn: CalendarDate("2020-10-28"))
        for (floor, area) in [(1, "100"), (2, "200"), (3, "300"), (4, "150"), (5, "250")] {
            try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0\(floor)01"), floor: floor,
                                  areaM2: Decimal(string: area)!, kind: .office, listRent: 30)
        }
        let tenants = TenantService(session)
        try tenants.apply(.init(park: "SW", name: "博思软件", creditCode: tenantCode, industry: "software", contact: "陈静",
                                phone: "0591-87500103"))
        try tenants.approve(creditCode: tenantCode, park: "SW")
        let leases = LeaseService(session)
        func sign(_ unit: String, _ start: String, _ end: String) throws -> String {
            try leases.sign(.init(tenantCreditCode: tenantCode, units: [UnitAddress(park: "SW", building: "B1", unit: unit)],
                                  start: CalendarDate(start)!, end: CalendarDate(end)!, rent: 30)).number
        }
        let a = try sign("0101", "2026-01-01", "2026-06-30")
        let b = try sign("0201", "2025-01-01", "2027-12-31")
        let c = try sign("0301", "2026-08-01", "2027-07-31")
        let d = try sign("0501", "2026-01-01", "2028-12-31")
        try leases.terminate(b, on: CalendarDate("2026-03-31")!, reason: "提前解约")
        // Pretend all this was recorded on 2026-06-15 (history is kept by triggers,
        // which are paused while the clock is set back).
        try conn.simpleQuery("""
            ALTER TABLE lease DISABLE TRIGGER lease_keep_history;
            ALTER TABLE lease_unit DISABLE TRIGGER lease_unit_keep_history;
            UPDATE lease SET sys_period = tstzrange('2026-06-15 09:00+08', NULL);
            UPDATE lease_unit SET sys_period = tstzrange('2026-06-15 09:00+08', NULL);
            ALTER TABLE unit DISABLE TRIGGER unit_keep_history;
            UPDATE unit SET created_at = '2026-01-01 00:00+08', sys_period = tstzrange('2026-01-01 00:00+08', NULL), off_market_reason = NULL;
            ALTER TABLE lease ENABLE TRIGGER lease_keep_history;
            ALTER TABLE lease_unit ENABLE TRIGGER lease_unit_keep_history;
            ALTER TABLE unit ENABLE TRIGGER unit_keep_history;
            """)
        try portfolio.setOffMarket(UnitAddress(park: "SW", building: "B1", unit: "0401"), reason: "维修")
        // The correction, recorded now.
        try leases.terminate(d, on: CalendarDate("2026-05-31")!, reason: "录入更正")
        return (a, b, c, d)
    }
}
