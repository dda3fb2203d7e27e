import Foundation
import Postgres

/// `report stats --period 2026-Q3`: the filings of a period added up by park, by industry
/// or listed by enterprise, each one query; and `report stats-missing`, the tenants in
/// place during the period that filed nothing.
///
/// - Amounts are 万元, as filed. Growth (同比) is on a comparable basis (同口径): the
///   enterprises that filed the figure for both the period and the same period a year
///   before, (this − last) ÷ last, 4 decimals; nil when none did.
/// - Per m² (元/㎡): the figure × 10,000 ÷ the leased area, on the period's last day, of
///   the enterprises that filed the figure and held a unit then. Per mu (亩均, 万元/亩): tax ÷ the park's land (`park set --land-mu`); the total's
///   counts the parks whose land is known.
public struct StatsReport {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public enum View: String, Vocabulary {
        case park, industry, enterprise
        public static let fieldName = "view"
    }

    public struct Row: Sendable, Equatable {
        /// The park's code, the industry's code, or the enterprise's name; "total" for the total.
        public var scope: String
        /// The enterprise's park and credit code (by enterprise).
        public var park: String?
        public var creditCode: String?
        /// The industry's code (by industry and by enterprise).
        public var industry: String?
        public var enterprises: Int
        /// The sums of the figures filed; nil when no enterprise of the row filed it.
        public var revenue: Decimal?
        public var industrialOutput: Decimal?
        public var taxPaid: Decimal?
        public var rdSpend: Decimal?
        public var employees: Int?
        public var revenueGrowth: Decimal?
        public var outputGrowth: Decimal?
        public var taxGrowth: Decimal?
        public var leasedM2: Decimal
        public var outputPerM2: Decimal?
        public var taxPerM2: Decimal?
        public var landMu: Decimal?
        public var taxPerMu: Decimal?
    }

    public struct MissingRow: Sendable, Equatable {
        public var park: String
        public var tenant: String
        public var creditCode: String
        public var contact: String
        public var phone: String
        /// The units it held during the period, BUILDING/UNIT.
        public var units: [String]
    }

    public func run(period: StatPeriod, park: String? = nil, by view: View = .park, top: Int? = nil) throws -> [Row] {
        if let top, top < 1 { throw ParkError.invalid("top must be 1 or more, not \(top)") }
        return try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            let filings: SQL = """
                WITH cur AS (
                    SELECT s.park_id, s.tenant_id, s.revenue, s.industrial_output, s.tax_paid, s.rd_spend, s.employees
                    FROM enterprise_stat s
                    WHERE s.period_kind = \(period.kind.rawValue) AND s.period_start = \(period.start)
                      AND (s.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                ), f AS (
                    SELECT c.*, t.name, t.credit_code, t.industry, p.code AS park, p.land_mu,
                           l.revenue AS last_revenue, l.industrial_output AS last_output, l.tax_paid AS last_tax,
                           coalesce((SELECT sum(u.area_m2) FROM lease_unit lu JOIN lease le ON le.id = lu.lease_id JOIN unit u ON u.id = lu.unit_id
                                     WHERE le.tenant_id = c.tenant_id AND le.park_id = c.park_id AND NOT lu.cancelled
                                       AND le.status IN ('signed', 'terminated') AND lu.during @> \(period.lastDay)::date), 0) AS leased_m2
                    FROM cur c JOIN tenant t ON t.id = c.tenant_id JOIN park p ON p.id = c.park_id
                    LEFT JOIN enterprise_stat l ON l.tenant_id = c.tenant_id AND l.park_id = c.park_id
                                               AND l.period_kind = \(period.kind.rawValue) AND l.period_start = \(period.yearBefore.start)
                )
                """
            let sums: SQL = """
                count(*) AS enterprises, sum(revenue) AS revenue, sum(industrial_output) AS industrial_output,
                sum(tax_paid) AS tax_paid, sum(rd_spend) AS rd_spend, sum(employees)::bigint AS employees,
                \(Self.growth("revenue", "last_revenue")) AS revenue_growth, \(Self.growth("industrial_output", "last_output")) AS output_growth,
                \(Self.growth("tax_paid", "last_tax")) AS tax_growth, coalesce(sum(leased_m2), 0) AS leased_m2,
                round(sum(industrial_output) FILTER (WHERE leased_m2 > 0) * 10000
                      / nullif(sum(leased_m2) FILTER (WHERE industrial_output IS NOT NULL), 0), 2) AS output_per_m2,
                round(sum(tax_paid) FILTER (WHERE leased_m2 > 0) * 10000 / nullif(sum(leased_m2) FILTER (WHERE tax_paid IS NOT NULL), 0), 2) AS tax_per_m2
                """
            let query: SQL
            switch view {
            case .park:
                query = filings + """
                     , parks AS (SELECT DISTINCT park_id, land_mu FROM f)
                    SELECT coalesce(park, 'total') AS scope, NULL::text AS park_code, NULL::text AS credit_code, NULL::text AS industry, \(sums),
                           CASE WHEN GROUPING(park) = 0 THEN max(land_mu) ELSE (SELECT sum(x.land_mu) FROM parks x) END AS land_mu,
                           round(sum(tax_paid) FILTER (WHERE land_mu IS NOT NULL)
                                 / nullif(CASE WHEN GROUPING(park) = 0 THEN max(land_mu) ELSE (SELECT sum(x.land_mu) FROM parks x) END, 0), 4) AS tax_per_mu
                    FROM f GROUP BY GROUPING SETS ((park), ()) ORDER BY GROUPING(park), park
                    """
            case .industry:
                query = filings + """
                    SELECT coalesce(industry, 'total') AS scope, NULL::text AS park_code, NULL::text AS credit_code, industry, \(sums),
                           NULL::numeric AS land_mu, NULL::numeric AS tax_per_mu
                    FROM f GROUP BY GROUPING SETS ((industry), ()) ORDER BY GROUPING(industry), sum(tax_paid) DESC NULLS LAST, industry
                    """
            case .enterprise:
                query = filings + """
                    SELECT name AS scope, park AS park_code, credit_code, industry, \(sums), NULL::numeric AS land_mu, NULL::numeric AS tax_per_mu
                    FROM f GROUP BY park, tenant_id, name, credit_code, industry
                    ORDER BY sum(tax_paid) DESC NULLS LAST, sum(revenue) DESC NULLS LAST, name LIMIT \(top.map(Int64.init))
                    """
            }
            return try conn.query(query.query).rows.map { row in
                Row(scope: try row.decode("scope"), park: try row.decode("park_code"), creditCode: try row.decode("credit_code"),
                    industry: try row.decode("industry"), enterprises: try row.decode("enterprises"), revenue: try row.decode("revenue"),
                    industrialOutput: try row.decode("industrial_output"), taxPaid: try row.decode("tax_paid"), rdSpend: try row.decode("rd_spend"),
                    employees: try row.decode("employees"), revenueGrowth: try row.decode("revenue_growth"),
                    outputGrowth: try row.decode("output_growth"), taxGrowth: try row.decode("tax_growth"), leasedM2: try row.decode("leased_m2"),
                    outputPerM2: try row.decode("output_per_m2"), taxPerM2: try row.decode("tax_per_m2"), landMu: try row.decode("land_mu"),
                    taxPerMu: try row.decode("tax_per_mu"))
            }
        }
    }

    /// (this − last) ÷ last over the filers of both, 4 decimals (program text, no input).
    private static func growth(_ this: String, _ last: String) -> SQL {
        SQL(verbatim: """
            round((sum(\(this)) FILTER (WHERE \(last) IS NOT NULL) - sum(\(last)) FILTER (WHERE \(this) IS NOT NULL))
                  / nullif(sum(\(last)) FILTER (WHERE \(this) IS NOT NULL), 0), 4)
            """)
    }

    /// The tenants holding a unit on some day of the period that filed nothing for it.
    public func missing(period: StatPeriod, park: String? = nil) throws -> [MissingRow] {
        try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            return try conn.query("""
                SELECT p.code AS park, t.name, t.credit_code, t.contact, t.phone, ip.units
                FROM tenants_in_place(enterprise_stat_days(\(period.kind.rawValue), \(period.start))) ip
                JOIN tenant t ON t.id = ip.tenant_id JOIN park p ON p.id = ip.park_id
                WHERE (ip.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM enterprise_stat s WHERE s.tenant_id = ip.tenant_id AND s.park_id = ip.park_id
                                     AND s.period_kind = \(period.kind.rawValue) AND s.period_start = \(period.start))
                ORDER BY p.code, t.name
                """).rows.map { row in
                MissingRow(park: try row.decode("park"), tenant: try row.decode("name"), creditCode: try row.decode("credit_code"),
                           contact: try row.decode("contact"), phone: try row.decode("phone"), units: try row.decode("units"))
            }
        }
    }
}
