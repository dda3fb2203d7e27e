import Foundation
import Postgres

/// The investment pipeline (招商): leads from first contact to an application, their
/// follow-ups, the shared pool (公海池) and the funnel. The stages, the ownership rules and
/// the pool are the database's (migration 0036); these say which command to run instead.
///
///     let leads = LeadService(session)
///     let lead = try leads.add(.init(park: "SW", company: "长沙智谷科技", industry: "人工智能", source: .event,
///                                    contact: "周明", phone: "0731-8888001"))
///     try leads.followUp(lead.number, way: .visit, note: "参观园区,意向 800㎡", nextStepOn: day)
///     try leads.advance(lead.number, to: .visited)
public struct LeadService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct NewLead: Sendable {
        public var park: String
        public var company: String
        public var creditCode: String?
        public var industry: String
        public var source: LeadSource
        public var wantedAreaM2: Decimal?
        public var wantedKind: UnitKind?
        public var contact: String
        public var phone: String
        /// Whether the one adding it owns it (else it starts in the pool).
        public var take: Bool

        public init(park: String, company: String, creditCode: String? = nil, industry: String, source: LeadSource,
                    wantedAreaM2: Decimal? = nil, wantedKind: UnitKind? = nil, contact: String, phone: String, take: Bool = true) {
            self.park = park; self.company = company; self.creditCode = creditCode; self.industry = industry; self.source = source
            self.wantedAreaM2 = wantedAreaM2; self.wantedKind = wantedKind; self.contact = contact; self.phone = phone; self.take = take
        }
    }

    @discardableResult
    public func add(_ new: NewLead) throws -> Lead {
        let company = try Validate.text(new.company, field: "company name")
        if let code = new.creditCode { try CreditCode.validate(code) }
        let industry = try Industry.code(new.industry)
        let contact = try Validate.text(new.contact, field: "contact", max: 100)
        let phone = try Validate.phone(new.phone)
        if let area = new.wantedAreaM2, area <= 0 { throw ParkError.invalid("wanted area must be more than 0 m², not \(area)") }
        return try session.write { conn in
            let parkID = try Lookup.parkID(new.park, conn)
            let id: Int = try conn.query("""
                INSERT INTO lead (number, park_id, company, credit_code, industry, source, wanted_area_m2, wanted_kind, contact, phone, owner,
                                  stage_since, created_on)
                VALUES ('LD', \(parkID), \(company), \(new.creditCode),
                        \(industry), \(new.source.rawValue), \(new.wantedAreaM2), \(new.wantedKind?.rawValue), \(contact), \(phone),
                        CASE WHEN \(new.take) THEN parkctl_actor() END, park_today(\(parkID)), park_today(\(parkID)))
                RETURNING id
                """).rows[0].decode(0)
            return try lead(id, conn)
        }
    }

    /// The leads, newest first: of a park, a stage, an owner, or those in the pool.
    public func list(park: String? = nil, stage: LeadStage? = nil, owner: String? = nil, inPool: Bool = false) throws -> [Lead] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let owner = try owner.map { try Lookup.person($0, seen: "SELECT 1 FROM lead WHERE owner = \($0)", role: "a lead's owner", conn) }
            let conditions: [SQL?] = [park.map { "p.code = \($0)" }, stage.map { "l.stage = \($0.rawValue)" },
                                      owner.map { "l.owner = \($0) AND NOT lead_in_pool(l.id)" }, inPool ? "lead_in_pool(l.id)" : nil]
            return try conn.query((Lead.selection + " " + SQL.whereAll(conditions) + " ORDER BY l.created_on DESC, l.number DESC").query)
                .rows.map(Lead.init(row:))
        }
    }

    /// A lead and its follow-ups, oldest first.
    public func show(_ number: String) throws -> (lead: Lead, followUps: [FollowUp]) {
        try session.read { conn in
            let id = try leadID(number, conn)
            let followUps = try conn.query("""
                SELECT happened_on, way, note, next_step_on, actor FROM lead_follow_up WHERE lead_id = \(id) ORDER BY happened_on, id
                """).rows.map(FollowUp.init(row:))
            return (try lead(id, conn), followUps)
        }
    }

    /// Records a visit, call or meeting (today unless `on`), with the next step's day.
    @discardableResult
    public func followUp(_ number: String, on day: CalendarDate? = nil, way: FollowUpWay, note: String,
                         nextStepOn: CalendarDate? = nil) throws -> Lead {
        let note = try Validate.text(note, field: "note", max: 1000)
        return try session.write { conn in
            let id = try leadID(number, conn)
            try conn.execute("""
                INSERT INTO lead_follow_up (park_id, lead_id, happened_on, way, note, next_step_on)
                SELECT park_id, id, coalesce(\(day)::date, park_today(park_id)), \(way.rawValue), \(note), \(nextStepOn) FROM lead WHERE id = \(id)
                """)
            return try lead(id, conn)
        }
    }

    /// Takes a lead from the pool for oneself.
    @discardableResult
    public func claim(_ number: String) throws -> Lead {
        try session.write { conn in
            let id = try leadID(number, conn)
            let current = try lead(id, conn)
            guard current.inPool else {
                let days: Int = try conn.query("SELECT lead_pool_days FROM park WHERE code = \(current.park)").rows[0].decode(0)
                throw ParkError(.conflict, "lead \(number) is \(current.owner ?? "nobody")'s, last followed up on \(current.lastTouched): "
                                + "it returns to the pool after \(days) days without a follow-up (or an admin assigns it: parkctl lead assign)")
            }
            // Its days start again, the claimer's own lapsed lead too.
            try conn.execute("UPDATE lead SET owner = parkctl_actor(), owned_since = park_today(park_id) WHERE id = \(id)")
            return try lead(id, conn)
        }
    }

    /// Gives a lead to a member of staff (an admin's decision), or to the pool (`to` nil).
    @discardableResult
    public func assign(_ number: String, to owner: String?) throws -> Lead {
        try session.write { conn in
            let id = try leadID(number, conn)
            if let owner, try conn.query("""
                SELECT 1 FROM staff s JOIN lead l ON l.id = \(id)
                WHERE s.name = \(owner) AND s.role IN ('admin', 'leasing') AND (s.park_ids IS NULL OR l.park_id = ANY (s.park_ids))
                """).rowCount == 0 {
                throw ParkError(.notFound, "no leasing member or admin of the lead's park is called '\(owner)' (parkctl staff list)")
            }
            try conn.execute("UPDATE lead SET owner = \(owner) WHERE id = \(id)")
            return try lead(id, conn)
        }
    }

    /// Moves an open lead on to `stage` (contacted, visited or negotiating; a stage may be skipped).
    @discardableResult
    public func advance(_ number: String, to stage: LeadStage) throws -> Lead {
        guard [.contacted, .visited, .negotiating].contains(stage) else {
            throw ParkError.invalid("a lead advances to contacted, visited or negotiating; it is won by applying (parkctl lead win) "
                                    + "and lost with a reason (parkctl lead lose)")
        }
        return try session.write { conn in
            let id = try leadID(number, conn)
            try conn.execute("UPDATE lead SET stage = \(stage.rawValue) WHERE id = \(id)")
            return try lead(id, conn)
        }
    }

    /// Closes an open lead as lost, with the reason (chose another park, no budget…).
    @discardableResult
    public func lose(_ number: String, reason: String) throws -> Lead {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write { conn in
            let id = try leadID(number, conn)
            try conn.execute("UPDATE lead SET stage = 'lost', lost_reason = \(reason) WHERE id = \(id)")
            return try lead(id, conn)
        }
    }

    /// Wins a lead: the company applies to the park (an application as `tenant apply`
    /// makes, from the lead's company, industry, contact and wishes) and the lead keeps
    /// the tenant it became. A company that applied already is linked as it is.
    @discardableResult
    public func win(_ number: String, creditCode: String? = nil, email: String? = nil) throws -> Lead {
        try session.write { conn in
            let id = try leadID(number, conn)
            let current = try lead(id, conn)
            guard let code = creditCode ?? current.creditCode else {
                throw ParkError.invalid("lead \(number) has no credit code: give the company's (--credit-code) to make its application")
            }
            try CreditCode.validate(code)
            let applied = try conn.query("""
                SELECT t.name, t.short_name FROM tenant t JOIN onboarding o ON o.tenant_id = t.id JOIN park p ON p.id = o.park_id
                WHERE t.credit_code = \(code) AND p.code = \(current.park) AND o.stage NOT IN ('rejected', 'exited')
                """).rows.first
            if let applied {
                // The application there is the lead's company's, not another's.
                let name: String = try applied.decode("name"), short: String? = try applied.decode("short_name")
                guard name == current.company || short == current.company else {
                    throw ParkError.invalid("credit code \(code) is \(name)'s, not \(current.company)'s: lead \(number) wins its own company")
                }
            } else {
                try TenantService(session).apply(.init(park: current.park, name: current.company, creditCode: code, industry: current.industry,
                                                       contact: current.contact, phone: current.phone, email: email,
                                                       wantedAreaM2: current.wantedAreaM2, wantedKind: current.wantedKind))
            }
            try conn.execute("""
                UPDATE lead SET stage = 'won', credit_code = \(code), tenant_id = (SELECT id FROM tenant WHERE credit_code = \(code)) WHERE id = \(id)
                """)
            return try lead(id, conn)
        }
    }

    func leadID(_ number: String, _ conn: Connection) throws -> Int {
        guard let id: Int = try conn.query("SELECT id FROM lead WHERE number = \(number.uppercased())").rows.first?.decode(0) else {
            throw ParkError(.notFound, "lead '\(number)' not found (parkctl lead list)")
        }
        return id
    }

    private func lead(_ id: Int, _ conn: Connection) throws -> Lead {
        try Lead(row: conn.query((Lead.selection + " WHERE l.id = \(id)").query).rows[0])
    }
}
