import Foundation
import Postgres

/// Whether a filing is the enterprise's own word or checked by the park.
public enum StatSource: String, Vocabulary {
    case selfReported = "self_reported"
    case verified
    public static let fieldName = "stat source"
}

/// The figures of a filing, in 万元 as the zone's forms have them (exact to the yuan,
/// 4 decimals), and the employees at the period's end. nil: not filed (an office
/// tenant has no industrial output).
public struct StatFigures: Sendable, Equatable {
    public var revenue: Decimal?
    public var industrialOutput: Decimal?
    public var taxPaid: Decimal?
    public var rdSpend: Decimal?
    public var employees: Int?

    public init(revenue: Decimal? = nil, industrialOutput: Decimal? = nil, taxPaid: Decimal? = nil, rdSpend: Decimal? = nil,
                employees: Int? = nil) {
        self.revenue = revenue; self.industrialOutput = industrialOutput; self.taxPaid = taxPaid; self.rdSpend = rdSpend
        self.employees = employees
    }

    public var isEmpty: Bool { self == StatFigures() }
}

/// An enterprise's filing (企业统计报表) for a period in a park.
public struct EnterpriseStat: Sendable, Equatable {
    public var park: String
    public var tenant: String
    public var creditCode: String
    public var period: StatPeriod
    public var figures: StatFigures
    public var source: StatSource
    public var verifiedBy: String?
    public var note: String?
    public var recordedBy: String

    /// The SELECT that ``init(row:)`` decodes, over `enterprise_stat s`.
    static let selection: SQL = """
        SELECT p.code AS park, t.name AS tenant, t.credit_code, s.period_kind, s.period_start, s.revenue, s.industrial_output,
               s.tax_paid, s.rd_spend, s.employees, s.source, s.verified_by, s.note, s.actor
        FROM enterprise_stat s JOIN park p ON p.id = s.park_id JOIN tenant t ON t.id = s.tenant_id
        """

    init(row: PostgresRow) throws {
        park = try row.decode("park")
        tenant = try row.decode("tenant")
        creditCode = try row.decode("credit_code")
        period = StatPeriod(kind: try row.decode("period_kind"), start: try row.decode("period_start"))
        figures = StatFigures(revenue: try row.decode("revenue"), industrialOutput: try row.decode("industrial_output"),
                              taxPaid: try row.decode("tax_paid"), rdSpend: try row.decode("rd_spend"),
                              employees: try row.decode("employees"))
        source = try row.decode("source")
        verifiedBy = try row.decode("verified_by")
        note = try row.decode("note")
        recordedBy = try row.decode("actor")
    }
}
