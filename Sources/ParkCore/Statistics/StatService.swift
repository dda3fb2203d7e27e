import Foundation
import Postgres

/// Enterprise statistics (企业统计): what each tenant files for a period, recorded by the
/// park's enterprise service staff and verified by an admin (migration 0033 keeps who
/// and when, and makes a changed figure self-reported again).
///
///     let stats = StatService(session)
///     try stats.record(tenant: "博思软件", park: "SW", period: StatPeriod(parsing: "2026-Q3"),
///                      StatFigures(revenue: 1_250, taxPaid: 86.5, employees: 320))
///     try stats.verify(tenant: "博思软件", park: "SW", period: StatPeriod(parsing: "2026-Q3"))
public struct StatService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Records a filing, or changes the figures given of one recorded before (the others
    /// stay as filed).
    @discardableResult
    public func record(tenant: String, park: String, period: StatPeriod, _ figures: StatFigures, note: String? = nil) throws -> EnterpriseStat {
        guard !figures.isEmpty else {
            throw ParkError.invalid("a filing gives at least one figure: --revenue, --industrial-output, --tax, --rd or --employees")
        }
        for (field, value) in [("revenue", figures.revenue), ("output", figures.industrialOutput), ("tax", figures.taxPaid),
                               ("rd", figures.rdSpend)] {
            if let value, value < 0 { throw ParkError.invalid("\(field) must be 0 or more (万元), not \(value)") }
        }
        if let employees = figures.employees, !(0...1_000_000).contains(employees) {
            throw ParkError.invalid("employees must be 0-1000000, not \(employees)")
        }
        let note = try note.map { try Validate.text($0, field: "note", max: 500) }
        return try session.write { conn in
            let (parkID, tenantID) = try Lookup.tenantOfPark(tenant, park, conn)
            let today: CalendarDate = try conn.query("SELECT park_today(\(parkID))").rows[0].decode(0)
            guard period.start <= today else {
                throw ParkError.invalid("period \(period) has not begun (today is \(today)): a filing is of a period under way or past")
            }
            try conn.execute("""
                INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue, industrial_output, tax_paid, rd_spend,
                                             employees, note)
                VALUES (\(parkID), \(tenantID), \(period.kind.rawValue), \(period.start), \(figures.revenue), \(figures.industrialOutput),
                        \(figures.taxPaid), \(figures.rdSpend), \(figures.employees.map(Int32.init)), \(note))
                ON CONFLICT (tenant_id, park_id, period_kind, period_start) DO UPDATE SET
                    revenue = coalesce(EXCLUDED.revenue, enterprise_stat.revenue),
                    industrial_output = coalesce(EXCLUDED.industrial_output, enterprise_stat.industrial_output),
                    tax_paid = coalesce(EXCLUDED.tax_paid, enterprise_stat.tax_paid),
                    rd_spend = coalesce(EXCLUDED.rd_spend, enterprise_stat.rd_spend),
                    employees = coalesce(EXCLUDED.employees, enterprise_stat.employees),
                    note = coalesce(EXCLUDED.note, enterprise_stat.note)
                """)
            return try stat(tenantID, parkID, period, conn)
        }
    }

    /// Marks a filing verified (admin only: the database refuses anyone else).
    @discardableResult
    public func verify(tenant: String, park: String, period: StatPeriod) throws -> EnterpriseStat {
        try session.write { conn in
            let (parkID, tenantID) = try Lookup.tenantOfPark(tenant, park, conn)
            guard try conn.execute("""
                UPDATE enterprise_stat SET source = 'verified'
                WHERE tenant_id = \(tenantID) AND park_id = \(parkID) AND period_kind = \(period.kind.rawValue) AND period_start = \(period.start)
                """) == 1 else {
                throw ParkError(.notFound, "\(tenant) has filed nothing for \(period) in \(park) (parkctl stat record)")
            }
            return try stat(tenantID, parkID, period, conn)
        }
    }

    /// The filings of a period (or all), by park and tenant.
    public func list(park: String? = nil, period: StatPeriod? = nil, tenant: String? = nil) throws -> [EnterpriseStat] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let tenantID = try tenant.map { try Lookup.tenant($0, conn).id }
            let conditions: [SQL?] = [park.map { "p.code = \($0)" }, tenantID.map { "s.tenant_id = \($0)" },
                                      period.map { "s.period_kind = \($0.kind.rawValue) AND s.period_start = \($0.start)" }]
            return try conn.query((EnterpriseStat.selection + " " + SQL.whereAll(conditions)
                                   + " ORDER BY s.period_start DESC, s.period_kind, p.code, t.name").query).rows.map(EnterpriseStat.init(row:))
        }
    }

    private func stat(_ tenantID: Int, _ parkID: Int, _ period: StatPeriod, _ conn: Connection) throws -> EnterpriseStat {
        try EnterpriseStat(row: conn.query((EnterpriseStat.selection + """
             WHERE s.tenant_id = \(tenantID) AND s.park_id = \(parkID) AND s.period_kind = \(period.kind.rawValue) AND s.period_start = \(period.start)
            """).query).rows[0])
    }
}
