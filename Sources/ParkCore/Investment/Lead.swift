import Foundation
import Postgres

/// Where a lead came from.
public enum LeadSource: String, Vocabulary {
    case referral, event, online
    case walkIn = "walk_in"
    case government
    public static let fieldName = "lead source"
}

/// How far a lead has come: new → contacted → visited → negotiating → won or lost.
public enum LeadStage: String, Vocabulary {
    case new, contacted, visited, negotiating, won, lost
    public static let fieldName = "lead stage"
}

/// How a follow-up was made.
public enum FollowUpWay: String, Vocabulary {
    case visit, call, meeting, online
    public static let fieldName = "follow-up way"
}

/// A company the park courts (招商线索), and where it stands.
public struct Lead: Sendable, Equatable {
    public var number: String
    public var park: String
    public var company: String
    public var creditCode: String?
    public var industry: String
    public var source: LeadSource
    public var wantedAreaM2: Decimal?
    public var wantedKind: UnitKind?
    public var contact: String
    public var phone: String
    /// Its owner (a staff login); kept while the lead is in the pool, for the record.
    public var owner: String?
    /// Nobody has followed it up for the park's pool days (or it has no owner): any
    /// leasing member of the park may claim it (公海池).
    public var inPool: Bool
    public var stage: LeadStage
    public var stageSince: CalendarDate
    public var lostReason: String?
    /// The credit code of the tenant a won lead became.
    public var tenantCreditCode: String?
    public var lastTouched: CalendarDate
    public var createdOn: CalendarDate

    /// The SELECT that ``init(row:)`` decodes, over `lead l`.
    static let selection: SQL = """
        SELECT l.number, p.code AS park, l.company, l.credit_code, l.industry, l.source, l.wanted_area_m2, l.wanted_kind, l.contact, l.phone,
               l.owner, lead_in_pool(l.id) AS in_pool, l.stage, l.stage_since, l.lost_reason,
               (SELECT t.credit_code FROM tenant t WHERE t.id = l.tenant_id) AS tenant_credit_code,
               lead_last_touched(l.id) AS last_touched, l.created_on
        FROM lead l JOIN park p ON p.id = l.park_id
        """

    init(row: PostgresRow) throws {
        number = try row.decode("number")
        park = try row.decode("park")
        company = try row.decode("company")
        creditCode = try row.decode("credit_code")
        industry = try row.decode("industry")
        source = try row.decode("source")
        wantedAreaM2 = try row.decode("wanted_area_m2")
        wantedKind = try row.decode("wanted_kind")
        contact = try row.decode("contact")
        phone = try row.decode("phone")
        owner = try row.decode("owner")
        inPool = try row.decode("in_pool")
        stage = try row.decode("stage")
        stageSince = try row.decode("stage_since")
        lostReason = try row.decode("lost_reason")
        tenantCreditCode = try row.decode("tenant_credit_code")
        lastTouched = try row.decode("last_touched")
        createdOn = try row.decode("created_on")
    }
}

/// A visit, call or meeting with a lead or a tenant (跟进记录).
public struct FollowUp: Sendable, Equatable {
    public var happenedOn: CalendarDate
    public var way: FollowUpWay
    public var note: String
    public var nextStepOn: CalendarDate?
    public var by: String

    /// From `happened_on, way, note, next_step_on, actor` of `lead_follow_up`.
    init(row: PostgresRow) throws {
        happenedOn = try row.decode("happened_on")
        way = try row.decode("way")
        note = try row.decode("note")
        nextStepOn = try row.decode("next_step_on")
        by = try row.decode("actor")
    }
}
