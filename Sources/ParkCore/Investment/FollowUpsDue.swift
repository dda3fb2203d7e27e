import Foundation
import Postgres

/// `report follow-ups-due`: the next steps due by a day (today by default), soonest
/// first, of the open leads and of the tenants a park has: what each owner and account
/// manager has to do. The next step is the one their last follow-up set.
public struct FollowUpsDue {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct Row: Sendable, Equatable {
        public var due: CalendarDate
        public var park: String
        /// A lead's number, or a tenant's credit code.
        public var reference: String
        public var company: String
        /// The lead's owner (nil in the pool), or the tenant's account manager.
        public var owner: String?
        /// The lead's stage, or the tenant's application stage at the park.
        public var leadStage: LeadStage?
        public var tenantStage: OnboardingStage?
        public var phone: String
        /// What the last follow-up said.
        public var note: String
    }

    /// `owner`: only the leads it owns and the tenants it serves (a login or the name
    /// people know them by): what one person has to do.
    public func run(park: String? = nil, by day: CalendarDate? = nil, owner: String? = nil) throws -> [Row] {
        try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            let owner = try owner.map {
                try Lookup.person($0, seen: "SELECT 1 FROM lead WHERE owner = \($0) UNION ALL SELECT 1 FROM account_manager WHERE manager = \($0)",
                                  role: "a lead's owner or an account manager", conn)
            }
            return try conn.query("""
                SELECT * FROM (
                
                SELECT f.next_step_on AS due, p.code AS park, l.number AS reference, l.company,
                       CASE WHEN NOT lead_in_pool(l.id) THEN l.owner END AS owner, l.stage AS lead_stage, NULL AS tenant_stage, l.phone, f.note
                FROM lead l JOIN park p ON p.id = l.park_id
                CROSS JOIN LATERAL (SELECT x.next_step_on, x.note FROM lead_follow_up x WHERE x.lead_id = l.id
                                    ORDER BY x.happened_on DESC, x.id DESC LIMIT 1) f
                WHERE l.stage NOT IN ('won', 'lost') AND f.next_step_on <= coalesce(\(day)::date, park_today(l.park_id))
                  AND (l.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                UNION ALL
                SELECT f.next_step_on, p.code, t.credit_code, t.name, m.manager, NULL, o.stage, t.phone, f.note
                FROM onboarding o JOIN tenant t ON t.id = o.tenant_id JOIN park p ON p.id = o.park_id
                LEFT JOIN account_manager m ON m.park_id = o.park_id AND m.tenant_id = o.tenant_id
                CROSS JOIN LATERAL (SELECT x.next_step_on, x.note FROM lead_follow_up x WHERE x.tenant_id = o.tenant_id AND x.park_id = o.park_id
                                    ORDER BY x.happened_on DESC, x.id DESC LIMIT 1) f
                WHERE o.stage NOT IN ('rejected', 'exited') AND f.next_step_on <= coalesce(\(day)::date, park_today(o.park_id))
                  AND (o.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                ) d
                WHERE d.owner = \(owner) OR \(owner)::text IS NULL
                ORDER BY due, reference
                """).rows.map { row in
                Row(due: try row.decode("due"), park: try row.decode("park"), reference: try row.decode("reference"),
                    company: try row.decode("company"), owner: try row.decode("owner"), leadStage: try row.decode("lead_stage"),
                    tenantStage: try row.decode("tenant_stage"), phone: try row.decode("phone"), note: try row.decode("note"))
            }
        }
    }
}
