import Foundation
import Postgres

/// Tenants and their way in: application, admission review against the park's
/// positioning, the checklist, and each dated step.
public struct TenantService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// What an application says about the tenant and what it wants.
    public struct Application: Sendable {
        public var park: String
        public var name: String
        public var creditCode: String
        public var industry: String
        public var contact: String
        public var phone: String
        public var email: String?
        public var wantedAreaM2: Decimal?
        public var wantedKind: UnitKind?
        /// The day the application was made (default: today in the park's time zone).
        public var on: CalendarDate?

        public init(park: String, name: String, creditCode: String, industry: String, contact: String, phone: String,
                    email: String? = nil, wantedAreaM2: Decimal? = nil, wantedKind: UnitKind? = nil, on: CalendarDate? = nil) {
            self.park = park; self.name = name; self.creditCode = creditCode; self.industry = industry
            self.contact = contact; self.phone = phone; self.email = email
            self.wantedAreaM2 = wantedAreaM2; self.wantedKind = wantedKind; self.on = on
        }
    }

    /// Records an application: the tenant (new, or known by its credit code with the
    /// same name) and its onboarding at the park, stage `applied`.
    @discardableResult
    public func apply(_ application: Application) throws -> Onboarding {
        try CreditCode.validate(application.creditCode)
        let name = try Validate.text(application.name, field: "company name")
        let industry = try Industry.code(application.industry)
        let contact = try Validate.text(application.contact, field: "contact", max: 100)
        let phone = try Validate.phone(application.phone)
        let email = try application.email.map(Validate.email)
        if let area = application.wantedAreaM2, area <= 0 { throw ParkError.invalid("wanted area must be more than 0 m²") }
        try session.write { conn in
            let parkID = try Lookup.parkID(application.park, conn)
            let onboardingID: Int
            if let existing = try conn.query("SELECT id, name FROM tenant WHERE credit_code = \(application.creditCode)").rows.first {
                let existingName: String = try existing.decode("name")
                guard existingName == name else {
                    throw ParkError(.conflict, "credit code \(application.creditCode) belongs to \(existingName), not \(name)")
                }
                let tenantID: Int = try existing.decode("id")
                if let live = try conn.query("""
                    SELECT stage FROM onboarding WHERE park_id = \(parkID) AND tenant_id = \(tenantID) AND stage NOT IN ('rejected', 'exited')
                    """).rows.first {
                    throw ParkError(.conflict, "\(name) has an application at \(application.park) already (stage \(try live.decode(0, as: String.self)))")
                }
                onboardingID = try Self.insertOnboarding(conn, parkID: parkID, tenantID: tenantID, application)
            } else if let known = try conn.query("""
                SELECT parkctl_apply_known_tenant(\(parkID), \(application.creditCode), \(name), \(application.wantedAreaM2),
                                                  \(application.wantedKind?.rawValue),
                                                  \(application.on)::date::timestamp AT TIME ZONE park_time_zone(\(parkID)))
                """).rows[0].decode(0, as: Int?.self) {
                // A tenant of other parks, which this login cannot see: the database checked
                // the credit code and the exact name, and recorded the application.
                onboardingID = known
            } else {
                let tenantID: Int = try conn.query("""
                    INSERT INTO tenant (name, credit_code, industry, contact, phone, email)
                    VALUES (\(name), \(application.creditCode), \(industry), \(contact), \(phone), \(email)) RETURNING id
                    """).rows[0].decode(0)
                onboardingID = try Self.insertOnboarding(conn, parkID: parkID, tenantID: tenantID, application)
            }
            try Self.recordStep(conn, parkID: parkID, onboardingID: onboardingID, from: nil, to: .applied,
                                on: application.on, actor: session.actor, reason: nil)
        }
        return try onboarding(creditCode: application.creditCode, park: application.park)
    }

    /// What `tenant update` changes; nil leaves a field as it is, and an empty short
    /// name or e-mail removes it.
    public struct Changes: Sendable {
        public var name: String?
        public var shortName: String?
        public var industry: String?
        public var contact: String?
        public var phone: String?
        public var email: String?
        public init() {}
    }

    /// Corrects a tenant's profile in one transaction (the audit trail keeps the
    /// values it replaced). Returns the tenant as recorded and the fields that
    /// changed: none when every value given is the recorded one.
    public func update(_ reference: String, _ changes: Changes) throws -> (tenant: Tenant, changed: [String]) {
        let name = try changes.name.map { try Validate.text($0, field: "company name") }
        let shortName: String?? = try changes.shortName.map { value in
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return nil }
            guard trimmed.count <= 8 else {
                throw ParkError.invalid("short name '\(trimmed)' has \(trimmed.count) characters: a short name (简称) has at most 8")
            }
            return try Validate.text(trimmed, field: "short name", max: 8)
        }
        let industry = try changes.industry.map { try Industry.code($0) }
        let contact = try changes.contact.map { try Validate.text($0, field: "contact", max: 100) }
        let phone = try changes.phone.map(Validate.phone)
        let email: String?? = try changes.email.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Validate.email($0) }
        return try session.write { conn in
            let tenant = try Lookup.tenant(reference, conn)
            // A short name names one tenant: not another's short or registered name.
            if let short = shortName ?? nil, let other = try conn.query("""
                SELECT name, credit_code FROM tenant WHERE id <> \(tenant.id) AND (short_name = \(short) OR name = \(short)) LIMIT 1
                """).rows.first {
                throw ParkError(.conflict, "short name '\(short)' already names \(try other.decode("name", as: String.self)) "
                                + "(\(try other.decode("credit_code", as: String.self))): a short name names one tenant")
            }
            var columns: [RowUpdate.Assignment] = []
            if let name { columns.append(.init("name", "text", name)) }
            if let shortName { columns.append(.init("short_name", "text", shortName)) }
            if let industry { columns.append(.init("industry", "text", industry)) }
            if let contact { columns.append(.init("contact", "text", contact)) }
            if let phone { columns.append(.init("phone", "text", phone)) }
            if let email { columns.append(.init("email", "text", email)) }
            let changed = try RowUpdate.assign(columns, table: "tenant", id: tenant.id, conn)
            let recorded = try Self.decodeTenant(try conn.query("""
                SELECT name, short_name, credit_code, industry, contact, phone, email FROM tenant WHERE id = \(tenant.id)
                """).rows[0])
            return (recorded, changed)
        }
    }

    /// Approves an application after checking the tenant's industry against the
    /// park's positioning; a mismatch is refused unless `override` gives a reason,
    /// which is kept.
    @discardableResult
    public func approve(creditCode: String, park: String, reason: String? = nil, override: String? = nil,
                        on: CalendarDate? = nil) throws -> Onboarding {
        let override = try override.map { try Validate.text($0, field: "override reason", max: 500) }
        let reason = try reason.map { try Validate.text($0, field: "reason", max: 500) }
        try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            try Self.ensureCanMove(current, to: .approved, from: [.applied])
            let row = try conn.query("""
                SELECT p.industries, t.industry, t.name FROM park p, tenant t WHERE p.id = \(current.parkID) AND t.id = \(current.tenantID)
                """).rows[0]
            let industries: [String] = try row.decode("industries")
            let industry: String = try row.decode("industry")
            if !industries.isEmpty && !industries.contains(industry) && override == nil {
                throw ParkError.invalid("""
                    \(try row.decode("name", as: String.self))'s industry '\(industry)' is not in \(park)'s positioning \
                    (\(industries.joined(separator: ", "))); give --override REASON to admit it anyway
                    """)
            }
            try Self.move(conn, current, to: .approved, on: on, actor: session.actor, reason: reason ?? override)
            if let override, !industries.contains(industry) {
                try conn.execute("UPDATE onboarding SET override_reason = \(override) WHERE id = \(current.id)")
            }
        }
        return try onboarding(creditCode: creditCode, park: park)
    }

    /// Rejects an application, with the reason.
    @discardableResult
    public func reject(creditCode: String, park: String, reason: String, on: CalendarDate? = nil) throws -> Onboarding {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            try Self.move(conn, current, to: .rejected, on: on, actor: session.actor, reason: reason)
        }
        return try onboarding(creditCode: creditCode, park: park)
    }

    /// Ticks a checklist item. Ticking one that is done already changes nothing.
    /// Returns false when it was done already.
    @discardableResult
    public func check(creditCode: String, park: String, item: ChecklistItem, note: String? = nil) throws -> Bool {
        let note = try note.map { try Validate.text($0, field: "note", max: 500) }
        return try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            return try conn.execute("""
                INSERT INTO onboarding_check (park_id, onboarding_id, item, actor, note)
                VALUES (\(current.parkID), \(current.id), \(item.rawValue), \(session.actor), \(note))
                ON CONFLICT (onboarding_id, item) DO NOTHING
                """) == 1
        }
    }

    /// Undoes the tick of a checklist item entered by mistake, before the move-in; the
    /// tick is kept, with who undid it, when and why. False when it was not ticked.
    public func uncheck(creditCode: String, park: String, item: ChecklistItem, reason: String) throws -> Bool {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            return try conn.query("SELECT parkctl_uncheck(\(current.id), \(item.rawValue), \(reason))").rows[0].decode(0)
        }
    }

    /// Moves a live application on to `stage` (lease_signed, fitting_out or moved_in),
    /// with the checks that stage needs. Used by the lease and move-in steps; approving,
    /// rejecting and moving out have their own calls.
    public func advance(creditCode: String, park: String, to stage: OnboardingStage, on: CalendarDate? = nil,
                        reason: String? = nil) throws {
        guard [.leaseSigned, .fittingOut, .movedIn].contains(stage) else {
            throw ParkError(.internalError, "internal error: advance moves an application on to lease_signed, fitting_out or moved_in, not \(stage.rawValue)")
        }
        try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            try Self.ensureCanMove(current, to: stage)
            // The step's day, worked out once for the lease check and the step itself.
            var day = on
            if stage == .movedIn || stage == .fittingOut {
                // A lease must hold the tenant's units: in force on the day it moves in, or
                // signed (now or to come) for the fit-out.
                let checked = try on ?? LeaseService.today(conn, park: park)
                day = checked
                let leases = try conn.query("""
                    SELECT count(*) FILTER (WHERE lease_occupancy(l.term, l.terminated_on) @> \(checked)) AS in_force,
                           count(*) FILTER (WHERE upper(lease_occupancy(l.term, l.terminated_on)) > \(checked)) AS to_come,
                           min(lower(l.term)) FILTER (WHERE lower(l.term) > \(checked)) AS next_start
                    FROM lease l WHERE l.park_id = \(current.parkID) AND l.tenant_id = \(current.tenantID) AND l.status IN ('signed', 'terminated')
                    """).rows[0]
                if stage == .movedIn, try leases.decode("in_force", as: Int.self) == 0 {
                    let next = try leases.decode("next_start", as: CalendarDate?.self)
                    throw ParkError.invalid("""
                        cannot move in on \(checked): no lease of this tenant at \(park) is in force that day\
                        \(next.map { " (its lease starts on \($0): record the move-in on that day or later; a step cannot be dated in the future)" } ?? "; sign one first (parkctl lease sign)")
                        """)
                }
                if stage == .fittingOut, try leases.decode("to_come", as: Int.self) == 0 {
                    throw ParkError.invalid("cannot start fitting out: no lease of this tenant at \(park) holds units from \(checked) on; sign one first (parkctl lease sign)")
                }
            }
            if stage == .movedIn {
                let missing = try conn.query("""
                    SELECT string_agg(i, ', ' ORDER BY i) FROM unnest(\(ChecklistItem.allCases.map(\.rawValue))::text[]) i
                    WHERE NOT EXISTS (SELECT 1 FROM onboarding_check c WHERE c.onboarding_id = \(current.id) AND c.item = i)
                    """).rows[0].decode(0, as: String?.self)
                if let missing {
                    throw ParkError.invalid("cannot move in: the checklist is not complete (missing: \(missing))")
                }
            }
            try Self.move(conn, current, to: stage, on: day, actor: session.actor, reason: reason)
        }
    }

    /// Moves a tenant out: `exiting`, then `exited`, both on the same day, in one
    /// transaction. A lease still in force after that day is refused: end it first.
    public func moveOut(creditCode: String, park: String, on: CalendarDate? = nil, reason: String? = nil) throws {
        let reason = try reason.map { try Validate.text($0, field: "reason", max: 500) }
        try session.write { conn in
            let current = try Self.live(conn, creditCode: creditCode, park: park)
            try Self.ensureCanMove(current, to: .exiting)
            if let open = try conn.query("""
                SELECT l.number, upper(lease_occupancy(l.term, l.terminated_on)) - 1 AS last
                FROM lease l WHERE l.park_id = \(current.parkID) AND l.tenant_id = \(current.tenantID)
                  AND l.status IN ('signed', 'terminated')
                  AND upper(lease_occupancy(l.term, l.terminated_on)) - 1 >
                      coalesce(\(on), park_today(\(current.parkID)))
                ORDER BY 2 DESC LIMIT 1
                """).rows.first {
                throw ParkError.invalid("""
                    lease \(try open.decode("number", as: String.self)) runs until \(try open.decode("last", as: CalendarDate.self)); \
                    terminate it before moving the tenant out
                    """)
            }
            let exiting = try Self.move(conn, current, to: .exiting, on: on, actor: session.actor, reason: reason)
            try Self.move(conn, exiting, to: .exited, on: on, actor: session.actor, reason: reason)
        }
    }

    // MARK: Reading

    /// One row per application, optionally of one park and one stage, and of tenants
    /// whose registered or short name contains `name` (Latin letters in any case).
    public func list(park: String? = nil, stage: OnboardingStage? = nil, name: String? = nil) throws -> [Onboarding] {
        let name = try name.map { try Validate.text($0, field: "name", max: 200) }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query(Self.listQuery(park: park, stage: stage, name: name)).rows.map {
                try Self.decodeOnboarding($0, steps: [], checklist: [])
            }
        }
    }

    /// The query of ``list(park:stage:name:)`` (bench/tenant-search.sh runs it in psql too).
    public static func listQuery(park: String?, stage: OnboardingStage?, name: String?) -> PostgresQuery {
        // Only the filters asked for reach the SQL.
        var filters: [SQL] = []
        if let park { filters.append("p.code = \(park)") }
        if let stage { filters.append("o.stage = \(stage.rawValue)") }
        if let name { filters.append(TenantSearch.condition("t", text: name)) }
        return """
            SELECT t.name, t.short_name, t.credit_code, t.industry, t.contact, t.phone, t.email, p.code AS park, o.stage,
                   o.wanted_area_m2, o.wanted_kind, o.override_reason, o.applied_at
            FROM onboarding o JOIN tenant t ON t.id = o.tenant_id JOIN park p ON p.id = o.park_id
            \(SQL.whereAll(filters))
            ORDER BY p.code, o.applied_at, t.name
            """
    }

    /// A tenant's profile and every application, each with its timeline and checklist.
    public func show(creditCode: String) throws -> (tenant: Tenant, applications: [Onboarding]) {
        try session.read { conn in
            let creditCode = try Lookup.creditCode(creditCode, conn)
            // One round trip: the applications with their steps and checks as JSON arrays.
            let result = try conn.query("""
                SELECT t.name, t.short_name, t.credit_code, t.industry, t.contact, t.phone, t.email, p.code AS park, o.stage,
                       o.wanted_area_m2, o.wanted_kind, o.override_reason, o.applied_at,
                       (SELECT coalesce(jsonb_agg(jsonb_build_array(s.from_stage, s.to_stage, s.effective_on, s.at, s.actor, s.reason)
                                                  ORDER BY s.at, s.id), '[]')
                        FROM onboarding_step s WHERE s.onboarding_id = o.id)::text AS steps,
                       (SELECT jsonb_agg(jsonb_build_array(i, c.done_at, c.actor, c.note) ORDER BY ord)
                        FROM unnest(\(ChecklistItem.allCases.map(\.rawValue))::text[]) WITH ORDINALITY AS l(i, ord)
                        LEFT JOIN onboarding_check c ON c.onboarding_id = o.id AND c.item = l.i)::text AS checklist,
                       (SELECT coalesce(jsonb_agg(jsonb_build_array(u.item, u.done_at, u.undone_at, u.undone_by, u.reason) ORDER BY u.id), '[]')
                        FROM onboarding_check_undone u WHERE u.onboarding_id = o.id)::text AS undone
                FROM tenant t LEFT JOIN onboarding o ON o.tenant_id = t.id LEFT JOIN park p ON p.id = o.park_id
                WHERE t.credit_code = \(creditCode)
                ORDER BY o.applied_at
                """)
            guard let first = result.rows.first else { throw try Lookup.tenantNotFound(creditCode, conn) }
            let tenant = try Self.decodeTenant(first)
            let applications = try result.rows.filter { try $0.decode("park", as: String?.self) != nil }.map { row in
                var application = try Self.decodeOnboarding(row, steps: try Self.decodeSteps(try row.decode("steps")),
                                                             checklist: try Self.decodeChecklist(try row.decode("checklist")))
                application.undone = try Self.decodeUndone(try row.decode("undone"))
                return application
            }
            return (tenant, applications)
        }
    }

    public func onboarding(creditCode: String, park: String) throws -> Onboarding {
        let all = try show(creditCode: creditCode).applications.filter { $0.park == park }
        guard let latest = all.last else {
            throw ParkError.notFound("tenant \(creditCode) has no application at park \(park)")
        }
        return latest
    }

    // MARK: Plumbing

    /// A new application at stage `applied`, dated `on` (midnight in the park's zone) or now.
    static func insertOnboarding(_ conn: Connection, parkID: Int, tenantID: Int, _ application: Application) throws -> Int {
        try conn.query("""
            INSERT INTO onboarding (park_id, tenant_id, wanted_area_m2, wanted_kind, applied_at)
            VALUES (\(parkID), \(tenantID), \(application.wantedAreaM2), \(application.wantedKind?.rawValue),
                    coalesce(\(application.on)::date::timestamp AT TIME ZONE park_time_zone(\(parkID)), now()))
            RETURNING id
            """).rows[0].decode(0)
    }

    struct LiveOnboarding {
        var id: Int
        var parkID: Int
        var tenantID: Int
        var stage: OnboardingStage
        /// The stages it may move to, from the database's onboarding_transition.
        var next: [OnboardingStage] = []
        /// For messages: the tenant's credit code and the park's code.
        var creditCode = ""
        var park = ""
    }

    /// The application in progress, locked for this transaction.
    static func live(_ conn: Connection, creditCode: String, park: String) throws -> LiveOnboarding {
        let parkID = try Lookup.parkID(park, conn)
        let tenant = try Lookup.tenant(creditCode, conn)
        let tenantID = tenant.id, creditCode = tenant.creditCode
        guard let row = try conn.query("""
            SELECT o.id, o.stage, \(nextStages)
            FROM onboarding o WHERE o.park_id = \(parkID) AND o.tenant_id = \(tenantID)
            ORDER BY (o.stage NOT IN ('rejected', 'exited')) DESC, o.applied_at DESC LIMIT 1 FOR UPDATE OF o
            """).rows.first else {
            throw ParkError.notFound("tenant \(creditCode) has not applied to park \(park)")
        }
        return LiveOnboarding(id: try row.decode("id"), parkID: parkID, tenantID: tenantID,
                              stage: try row.decode("stage", as: OnboardingStage.self), next: try decodeNext(row),
                              creditCode: creditCode, park: park)
    }

    /// When a lease is cancelled: an application that it carried (lease_signed or
    /// fitting_out) goes back to approved, unless another lease of the tenant at that
    /// park still holds units; the step names the cancelled lease.
    static func leaseCancelled(_ conn: Connection, creditCode: String, park: String, lease: String, actor: String) throws {
        // A lease entered without an application (an import of an older system's data) has none to move.
        let current: LiveOnboarding
        do {
            current = try live(conn, creditCode: creditCode, park: park)
        } catch let error as ParkError where error.kind == .notFound {
            return
        }
        guard current.stage == .leaseSigned || current.stage == .fittingOut else { return }
        let others: Int = try conn.query("""
            SELECT count(*) FROM lease l
            WHERE l.park_id = \(current.parkID) AND l.tenant_id = \(current.tenantID) AND l.number <> \(lease)
              AND l.status IN ('signed', 'terminated')
              AND upper(lease_occupancy(l.term, l.terminated_on)) > \(try LeaseService.today(conn, park: park))
            """).rows[0].decode(0)
        guard others == 0 else { return }
        try conn.execute("UPDATE onboarding SET stage = 'approved' WHERE id = \(current.id)")
        try recordStep(conn, parkID: current.parkID, onboardingID: current.id, from: current.stage, to: .approved,
                       on: nil, actor: actor, reason: "lease \(lease) cancelled")
    }

    /// Moves the application and returns it at its new stage, with the moves open from there.
    @discardableResult
    static func move(_ conn: Connection, _ current: LiveOnboarding, to stage: OnboardingStage, on: CalendarDate?,
                     actor: String, reason: String?) throws -> LiveOnboarding {
        try ensureCanMove(current, to: stage)
        let row = try conn.query("""
            UPDATE onboarding o SET stage = \(stage) WHERE o.id = \(current.id)
            RETURNING \(nextStages)
            """).rows[0]
        try recordStep(conn, parkID: current.parkID, onboardingID: current.id, from: current.stage, to: stage,
                       on: on, actor: actor, reason: reason)
        var moved = current
        moved.stage = stage
        moved.next = try decodeNext(row)
        return moved
    }

    /// The stages an application at `o.stage` may move to: the database's onboarding_transition.
    static let nextStages: SQL = "ARRAY(SELECT t.to_stage FROM onboarding_transition t WHERE t.from_stage = o.stage) AS next"

    static func decodeNext(_ row: PostgresRow) throws -> [OnboardingStage] {
        try row.decode("next", as: [String].self).map { stage in
            guard let next = OnboardingStage(rawValue: stage) else {
                throw ParkError(.internalError, "internal error: onboarding_transition names a stage '\(stage)' this parkctl does not know")
            }
            return next
        }
    }

    /// Refuses a move the application cannot make from where it is, saying what to do
    /// next, as a command, rather than naming stages. The database's transitions say
    /// what moves exist; a command may mean only some of them (`from`): approving is
    /// from applied, while lease_signed or fitting_out → approved is what a lease's
    /// cancellation does, never a second approval.
    static func ensureCanMove(_ current: LiveOnboarding, to stage: OnboardingStage, from: Set<OnboardingStage>? = nil) throws {
        guard current.next.contains(stage), from?.contains(current.stage) ?? true else {
            throw ParkError.invalid("the application is \(current.stage.rawValue); it cannot become \(stage.rawValue): \(nextStep(current))")
        }
    }

    /// What moves an application on from its stage, as the command to run.
    static func nextStep(_ current: LiveOnboarding) -> String {
        let tenant = current.creditCode, park = current.park
        return switch current.stage {
        case .applied: "approve it first (parkctl tenant approve \(tenant) --park \(park)), or reject it"
        case .approved: "sign a lease first (parkctl lease sign --tenant \(tenant) --units \(park)/BUILDING/UNIT --start … --end … --rent …)"
        case .leaseSigned: "next it fits out or moves in (parkctl tenant fit-out|move-in \(tenant) --park \(park))"
        case .fittingOut: "next it moves in (parkctl tenant move-in \(tenant) --park \(park))"
        case .movedIn: "next it moves out (parkctl tenant move-out \(tenant) --park \(park))"
        case .exiting: "it is moving out (parkctl tenant move-out \(tenant) --park \(park))"
        case .rejected, .exited: "it is closed; a new application starts again (parkctl tenant apply --park \(park) …)"
        }
    }

    static func recordStep(_ conn: Connection, parkID: Int, onboardingID: Int, from: OnboardingStage?, to: OnboardingStage,
                           on: CalendarDate?, actor: String, reason: String?) throws {
        // A lease cancelled on the repair path (a schema older than 0022) moves its application too.
        let day = try on ?? ParkDay.today(ofParkWhere: "p.id = \(parkID)", conn)
        try conn.execute("""
            INSERT INTO onboarding_step (park_id, onboarding_id, from_stage, to_stage, effective_on, actor, reason)
            VALUES (\(parkID), \(onboardingID), \(from?.rawValue), \(to.rawValue), \(day), \(actor), \(reason))
            """)
    }

    static func decodeTenant(_ row: PostgresRow) throws -> Tenant {
        Tenant(name: try row.decode("name"), shortName: try row.decode("short_name"), creditCode: try row.decode("credit_code"), industry: try row.decode("industry"),
               contact: try row.decode("contact"), phone: try row.decode("phone"), email: try row.decode("email"))
    }

    static func decodeOnboarding(_ row: PostgresRow, steps: [Onboarding.Step], checklist: [Onboarding.Check]) throws -> Onboarding {
        Onboarding(tenant: try decodeTenant(row), park: try row.decode("park"),
                   stage: try row.decode("stage", as: OnboardingStage.self),
                   wantedAreaM2: try row.decode("wanted_area_m2"),
                   wantedKind: try row.decode("wanted_kind", as: String?.self).map(UnitKind.parse),
                   overrideReason: try row.decode("override_reason"), appliedAt: try row.decode("applied_at"),
                   steps: steps, checklist: checklist)
    }

    static func decodeSteps(_ json: String) throws -> [Onboarding.Step] {
        let items = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] ?? []
        return try items.map { a in
            Onboarding.Step(from: try (a[0] as? String).map(OnboardingStage.parse), to: try OnboardingStage.parse(a[1] as? String ?? ""),
                            on: CalendarDate(a[2] as? String ?? "") ?? CalendarDate(year: 1970, month: 1, day: 1)!,
                            at: try jsonTime(a[3]), actor: a[4] as? String ?? "", reason: a[5] as? String)
        }
    }

    static func decodeChecklist(_ json: String) throws -> [Onboarding.Check] {
        let items = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] ?? []
        return try items.map { a in
            Onboarding.Check(item: try ChecklistItem.parse(a[0] as? String ?? ""),
                             doneAt: a[1] is String ? try jsonTime(a[1]) : nil,
                             actor: a[2] as? String, note: a[3] as? String)
        }
    }

    static func decodeUndone(_ json: String) throws -> [Onboarding.Undone] {
        let items = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] ?? []
        return try items.map { a in
            Onboarding.Undone(item: try ChecklistItem.parse(a[0] as? String ?? ""), doneAt: try jsonTime(a[1]), undoneAt: try jsonTime(a[2]),
                              undoneBy: a[3] as? String ?? "", reason: a[4] as? String ?? "")
        }
    }

    /// jsonb renders timestamptz as ISO 8601 with a `T` and the session's offset.
    static func jsonTime(_ value: Any) throws -> Date {
        guard let text = value as? String, let date = try? Date.decode(postgresText: text, type: .timestamptz) else {
            throw ParkError(.internalError, "unexpected time in JSON: \(value)")
        }
        return date
    }
}
