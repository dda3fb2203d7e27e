import Foundation
import Postgres

/// Leases: signing, renewal, early termination, cancellation, and the rent schedule.
///
/// The database guarantees that no unit is leased twice for the same day (an
/// exclusion constraint); this service checks the other rules first, so that each
/// refusal names the rule and the values.
public struct LeaseService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// The terms of a new lease.
    public struct Terms: Sendable {
        public var tenantCreditCode: String
        public var units: [UnitAddress]
        public var start: CalendarDate
        /// The last day of the lease, included.
        public var end: CalendarDate
        public var rent: Decimal
        public var propertyFee: Decimal = 0
        public var freeWindow: (from: CalendarDate, to: CalendarDate)?
        public var fitOutWindow: (from: CalendarDate, to: CalendarDate)?
        /// Deposit as an amount, or as months of the starting rent (not both).
        public var deposit: Decimal?
        public var depositMonths: Decimal?
        public var escalationPct: Decimal = 0
        public var cycle: PaymentCycle = .monthly
        /// The lease's own late fee a day (0.0005 = 万分之五); nil: the park's.
        public var lateFeeRate: Decimal?

        public init(tenantCreditCode: String, units: [UnitAddress], start: CalendarDate, end: CalendarDate, rent: Decimal) {
            self.tenantCreditCode = tenantCreditCode
            self.units = units
            self.start = start
            self.end = end
            self.rent = rent
        }
    }

    /// Signs a lease and moves the tenant's onboarding to `lease_signed`.
    @discardableResult
    public func sign(_ terms: Terms) throws -> Lease {
        let checked = try check(terms)
        let number = try withOverlapMessage(units: terms.units, term: checked.term) {
            try session.write { conn in
                let tenant = try Lookup.tenant(terms.tenantCreditCode, conn)
                let units = try Self.units(terms.units, conn)
                let parkID = units[0].parkID
                if let other = units.first(where: { $0.parkID != parkID }) {
                    throw ParkError.invalid("unit \(other.address) is in another park than \(units[0].address): a lease covers units of one park")
                }
                if let off = units.first(where: { $0.offMarketReason != nil }) {
                    throw ParkError.invalid("unit \(off.address) is off the market (\(off.offMarketReason!)); put it on the market first")
                }
                let stage = try conn.query("""
                    SELECT stage FROM onboarding WHERE park_id = \(parkID) AND tenant_id = \(tenant.id)
                    ORDER BY (stage NOT IN ('rejected', 'exited')) DESC, applied_at DESC LIMIT 1
                    """).rows.first.map { try $0.decode(0, as: OnboardingStage.self) }
                let admitted: Set<OnboardingStage> = [.approved, .leaseSigned, .fittingOut, .movedIn]
                guard let stage, admitted.contains(stage) else {
                    throw ParkError.invalid("""
                        tenant \(tenant.name) is not approved for park \(units[0].address.park) \
                        (\(stage.map { "stage \($0.rawValue)" } ?? "no application")): approve the application first
                        """)
                }
                let number = try Self.insertLease(conn, parkID: parkID, tenantID: tenant.id, term: checked.term, rent: terms.rent,
                                                  propertyFee: terms.propertyFee, freeWindow: checked.freeWindow,
                                                  fitOutWindow: checked.fitOutWindow,
                                                  deposit: checked.deposit.map { "\($0)" } ?? "lease_deposit_for_months(\(terms.depositMonths ?? 0), \(terms.rent), \(units.map(\.id)))",
                                                  escalationPct: terms.escalationPct, cycle: terms.cycle, renews: nil,
                                                  unitIDs: units.map(\.id), lateFeeRate: terms.lateFeeRate)
                if stage == .approved {
                    // Signed by its first day at the latest (a lease entered after the fact
                    // starts in the past), and not before the application's last step.
                    let on: CalendarDate = try conn.query("""
                        SELECT greatest(least(park_local_date(p.time_zone), \(checked.term.first)::date),
                                        (SELECT max(s.effective_on) FROM onboarding_step s JOIN onboarding o ON o.id = s.onboarding_id
                                         WHERE o.park_id = p.id AND o.tenant_id = \(tenant.id) AND o.stage = 'approved'))
                        FROM park p WHERE p.id = \(parkID)
                        """).rows[0].decode(0)
                    try TenantService(session).advance(creditCode: tenant.creditCode, park: units[0].address.park,
                                                       to: .leaseSigned, on: on, reason: "lease \(number)")
                }
                return number
            }
        }
        return try lease(number)
    }

    /// What a renewal may change; what is not given is the old lease's, as in force
    /// on its last day (rent, property fee, units held that day), or its own
    /// (deposit, escalation, cycle).
    public struct Renewal: Sendable {
        public var end: CalendarDate
        public var rent: Decimal?
        public var propertyFee: Decimal?
        public var units: [UnitAddress]?
        public var deposit: Decimal?
        public var escalationPct: Decimal?
        public var cycle: PaymentCycle?
        /// A rent-free window of the renewal (none unless given).
        public var freeWindow: (from: CalendarDate, to: CalendarDate)?

        public init(end: CalendarDate, rent: Decimal? = nil) {
            self.end = end
            self.rent = rent
        }
    }

    /// A new lease from the day after this one ends to `end`, linked to it. The rent
    /// defaults to the rent in force on the old lease's last day.
    @discardableResult
    public func renew(_ number: String, end: CalendarDate, rent: Decimal? = nil) throws -> Lease {
        try renew(number, Renewal(end: end, rent: rent))
    }

    /// A new lease from the day after this one ends, linked to it, with the changes given.
    @discardableResult
    public func renew(_ number: String, _ renewal: Renewal) throws -> Lease {
        if let rent = renewal.rent, rent <= 0 { throw ParkError.invalid("rent must be more than 0 元/m²/month, not \(rent)") }
        if let fee = renewal.propertyFee, fee < 0 { throw ParkError.invalid("property fee must not be negative, not \(fee)") }
        if let deposit = renewal.deposit, deposit < 0 { throw ParkError.invalid("deposit must not be negative, not \(deposit)") }
        if let pct = renewal.escalationPct, !(0...100).contains(pct) {
            throw ParkError.invalid("escalation must be 0-100 %, not \(pct)")
        }
        if let units = renewal.units {
            guard !units.isEmpty else { throw ParkError.invalid("a lease needs at least one unit") }
            if let dup = Dictionary(grouping: units, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw ParkError.invalid("unit \(dup) is listed twice")
            }
        }
        var unitAddresses: [UnitAddress] = []
        var newTerm: DateRange?
        let created = try withOverlapMessage(units: { unitAddresses }, term: { newTerm }) {
            try session.write { conn in
                let old = try Self.locked(number, conn)
                guard old.status == .signed else {
                    throw ParkError.invalid("lease \(number) is \(old.status.rawValue); only a signed lease can be renewed")
                }
                if let by = old.renewedBy { throw ParkError(.conflict, "lease \(number) is renewed already by \(by)") }
                let start = old.term.last.adding(days: 1)
                guard let term = DateRange(first: start, last: renewal.end), renewal.end > start else {
                    throw ParkError.invalid("the renewal's end \(renewal.end) must be after its start \(start) (the day after \(number) ends)")
                }
                newTerm = term
                try Self.checkTwentyYears(term)
                var freeWindow: DateRange?
                if let w = renewal.freeWindow {
                    guard let window = DateRange(first: w.from, last: w.to) else {
                        throw ParkError.invalid("the rent-free window ends (\(w.to)) before it starts (\(w.from))")
                    }
                    guard term.contains(window) else {
                        throw ParkError.invalid("the rent-free window \(window) is not inside the renewal's term \(term)")
                    }
                    freeWindow = window
                }
                let row = try conn.query("""
                    SELECT l.park_id, l.tenant_id, l.deposit, l.escalation_pct, l.cycle, l.late_fee_rate,
                           lease_rate_on(l.id, l.rent, l.escalation_pct, lower(l.term), upper(l.term) - 1) AS last_rent,
                           lease_property_fee_on(l.id, l.property_fee, upper(l.term) - 1) AS last_property_fee,
                           array_agg(lu.unit_id ORDER BY lu.unit_id) AS unit_ids,
                           array_agg(p.code || '/' || b.code || '/' || u.code ORDER BY lu.unit_id) AS addresses
                    FROM lease l JOIN lease_unit lu ON lu.lease_id = l.id JOIN unit u ON u.id = lu.unit_id
                    JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                    WHERE l.number = \(number) AND NOT lu.cancelled AND lu.during @> upper(l.term) - 1
                    GROUP BY l.id
                    """).rows[0]
                let parkID: Int = try row.decode("park_id")
                var unitIDs: [Int] = try row.decode("unit_ids")
                unitAddresses = try (try row.decode("addresses", as: [String].self)).map(UnitAddress.init(parsing:))
                if let wanted = renewal.units {
                    let units = try Self.units(wanted, conn)
                    if let other = units.first(where: { $0.parkID != parkID }) {
                        throw ParkError.invalid("unit \(other.address) is in another park than lease \(number) (park \(old.park)): a lease covers units of one park")
                    }
                    if let off = units.first(where: { $0.offMarketReason != nil && !unitIDs.contains($0.id) }) {
                        throw ParkError.invalid("unit \(off.address) is off the market (\(off.offMarketReason!)); put it on the market first")
                    }
                    unitIDs = units.map(\.id)
                    unitAddresses = wanted
                }
                return try Self.insertLease(conn, parkID: parkID, tenantID: try row.decode("tenant_id"),
                                            term: term, rent: renewal.rent ?? (try row.decode("last_rent")),
                                            propertyFee: renewal.propertyFee ?? (try row.decode("last_property_fee")),
                                            freeWindow: freeWindow, fitOutWindow: nil,
                                            deposit: "\(renewal.deposit ?? (try row.decode("deposit", as: Decimal.self)))",
                                            escalationPct: renewal.escalationPct ?? (try row.decode("escalation_pct")),
                                            cycle: try renewal.cycle ?? row.decode("cycle", as: PaymentCycle.self), renews: number,
                                            unitIDs: unitIDs, lateFeeRate: try row.decode("late_fee_rate"))
            }
        }
        return try lease(created)
    }

    /// Ends a lease early: `on` is its last day; the units are free from the next.
    @discardableResult
    public func terminate(_ number: String, on: CalendarDate, reason: String) throws -> Lease {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        try session.write { conn in
            let lease = try Self.locked(number, conn)
            guard lease.status == .signed else {
                throw ParkError.invalid("lease \(number) is \(lease.status.rawValue); only a signed lease can be terminated")
            }
            if let by = lease.renewedBy {
                throw ParkError(.conflict, "lease \(number) is renewed by \(by); cancel or terminate \(by) first")
            }
            guard on >= lease.term.first else {
                if lease.term.first > (try Self.today(conn, park: lease.park)) {
                    throw ParkError.invalid("lease \(number) starts on \(lease.term.first), after \(on); cancel it instead of terminating it")
                }
                throw ParkError.invalid("""
                    lease \(number) started on \(lease.term.first): its last day is \(lease.term.first) at the earliest, not \(on) \
                    (parkctl lease terminate \(number) --on \(lease.term.first))
                    """)
            }
            guard on < lease.term.last else {
                throw ParkError.invalid("lease \(number) ends on \(lease.term.last) anyway; terminating on \(on) would not end it early")
            }
            try conn.execute("""
                UPDATE lease SET status = 'terminated', terminated_on = \(on), end_reason = \(reason) WHERE number = \(number)
                """)
        }
        return try lease(number)
    }

    /// Voids a draft, or a signed lease that has not started yet.
    @discardableResult
    public func cancel(_ number: String, reason: String) throws -> Lease {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        try session.write { conn in
            let lease = try Self.locked(number, conn)
            let today = try Self.today(conn, park: lease.park)
            switch lease.status {
            case .draft: break
            case .signed where lease.term.first > today: break
            case .signed:
                throw ParkError.invalid("lease \(number) started on \(lease.term.first); terminate it instead of cancelling it")
            default:
                throw ParkError.invalid("lease \(number) is \(lease.status.rawValue); only a draft or a lease that has not started can be cancelled")
            }
            if let by = lease.renewedBy { throw ParkError(.conflict, "lease \(number) is renewed by \(by); cancel \(by) first") }
            try conn.execute("UPDATE lease SET status = 'cancelled', end_reason = \(reason) WHERE number = \(number)")
            try TenantService.leaseCancelled(conn, creditCode: lease.tenantCreditCode, park: lease.park, lease: number,
                                             actor: session.actor)
        }
        return try lease(number)
    }

    // MARK: Reading

    /// A lease with the units it holds, their area and the rent and property fee in
    /// force on the reference day: today, within the days the lease holds its units
    /// (its first day for a lease that has not started, its last for one that ended).
    /// Units held on other days only are `partialUnits` (`lease(_:)`).
    ///
    /// `schema` tells an older one: before 0019 there are no amendments (every unit for
    /// the whole lease), before 0022 no park_today; the lease commands that resolve what
    /// blocks a migration (`lease list`, `show`, `cancel`, `terminate`) run there too.
    ///
    /// `referenceDay` replaces today (`lease list --active-on`: the units, area and rent
    /// of that day).
    static func leaseSelect(_ schema: Schema, referenceDay: CalendarDate? = nil) -> SQL {
        let amendable = schema.amendable
        let today = ParkDay.todayOfPark(schemaHasParkToday: schema.hasParkToday)
        let day: SQL = referenceDay.map { "\($0)::date" } ?? today
        let onTheLease: SQL = amendable ? " AND NOT isempty(ref.occ * lu.agreed)" : .empty
        let rent: SQL = amendable ? "lease_rate_on(l.id, l.rent, l.escalation_pct, lower(l.term), ref.d)"
                                  : "lease_rent_on(l.rent, l.escalation_pct, lower(l.term), ref.d)"
        let fee: SQL = amendable ? "lease_property_fee_on(l.id, l.property_fee, ref.d)" : "l.property_fee"
        return """
            SELECT l.number, t.name AS tenant, t.credit_code, p.code AS park,
                   (SELECT array_agg(p.code || '/' || b.code || '/' || u.code ORDER BY b.code, u.floor, u.code)
                    FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                    WHERE lu.lease_id = l.id\(onTheLease) AND lu.during @> ref.d) AS units,
                   (SELECT sum(u.area_m2) FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id
                    WHERE lu.lease_id = l.id\(onTheLease) AND lu.during @> ref.d) AS area_m2,
                   l.term, l.terminated_on, l.rent, \(rent) AS current_rent, \(fee) AS current_property_fee,
                   l.property_fee, l.free_window, l.fit_out_window, l.deposit, l.escalation_pct, l.cycle, l.status,
                   r.number AS renews, (SELECT n.number FROM lease n WHERE n.renews_lease_id = l.id AND n.status <> 'cancelled') AS renewed_by,
                   l.end_reason
            FROM lease l JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = l.park_id LEFT JOIN lease r ON r.id = l.renews_lease_id
            CROSS JOIN LATERAL (
                SELECT o.occ, least(greatest(\(day), lower(o.occ)), upper(o.occ) - 1) AS d
                FROM (SELECT lease_occupancy(l.term, l.terminated_on) AS occ) o) ref
            """
    }

    /// What the schema has, for the lease commands that also run on an older one: see `leaseSelect(_:referenceDay:)`.
    struct Schema {
        /// Amendments (0019).
        var amendable: Bool
        /// park_today (0022).
        var hasParkToday: Bool
    }

    static func schema(_ conn: Connection) throws -> Schema {
        let row = try conn.query("""
            SELECT to_regclass('public.lease_amendment') IS NOT NULL AS amendable,
                   \(ParkDay.schemaHasParkTodaySQL) AS park_today
            """).rows[0]
        return Schema(amendable: try row.decode("amendable"), hasParkToday: try row.decode("park_today"))
    }

    /// The lease numbered `number`, as `leaseSelect` reads it, if it exists.
    static func leaseRow(_ number: String, _ schema: Schema, _ conn: Connection) throws -> PostgresRow? {
        try conn.query("\(leaseSelect(schema)) WHERE l.number = \(number)").rows.first
    }

    public func lease(_ number: String) throws -> Lease {
        try session.read { conn in
            let schema = try Self.schema(conn)
            guard let row = try Self.leaseRow(number, schema, conn) else {
                throw try Lookup.numberNotFound(.lease, number, conn)
            }
            var lease = try Self.decodeLease(row)
            if schema.amendable {
                (lease.partialUnits, lease.amendments) = try Self.amendmentDetails(number, conn)
            }
            return lease
        }
    }

    /// Leases, optionally of one park or tenant, in force on a day, or (signed and)
    /// ending within `expiringWithinDays` days from today.
    public func list(park: String? = nil, tenantCreditCode: String? = nil, activeOn: CalendarDate? = nil,
                     expiringWithinDays: Int? = nil) throws -> [Lease] {
        if let days = expiringWithinDays, !(0...3660).contains(days) {
            throw ParkError.invalid("expiring-within must be 0-3660 days, not \(days)")
        }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let tenantCreditCode = try tenantCreditCode.map { try Lookup.tenant($0, conn).creditCode }
            let schema = try Self.schema(conn)
            let today = ParkDay.todayOfPark(schemaHasParkToday: schema.hasParkToday)
            // Only the filters asked for reach the SQL.
            var filters: [SQL] = []
            if let park { filters.append("p.code = \(park)") }
            if let tenantCreditCode { filters.append("t.credit_code = \(tenantCreditCode)") }
            if let activeOn {
                filters.append("l.status IN ('signed', 'terminated') AND lease_occupancy(l.term, l.terminated_on) @> \(activeOn)::date")
            }
            if let expiringWithinDays {
                filters.append("""
                    l.status = 'signed' AND upper(l.term) - 1 BETWEEN \(today) AND \(today) + \(expiringWithinDays)::int
                    """)
            }
            return try conn.query("""
                \(Self.leaseSelect(schema, referenceDay: activeOn))
                \(SQL.whereAll(filters))
                ORDER BY p.code, lower(l.term), l.number
                """).rows.map(Self.decodeLease)
        }
    }

    /// Each month's rent and property fee due (see the SQL function `lease_rent_schedule`).
    public func schedule(_ number: String) throws -> [RentMonth] {
        try session.read { conn in
            guard let id = try conn.query("SELECT id FROM lease WHERE number = \(number)").rows.first else {
                throw try Lookup.numberNotFound(.lease, number, conn)
            }
            return try conn.query("SELECT * FROM lease_rent_schedule(\(try id.decode(0, as: Int.self)))").rows.map { row in
                RentMonth(month: try row.decode("month"),
                          period: DateRange(first: try row.decode("period_start"), last: try row.decode("period_end"))!,
                          days: try row.decode("days"), freeDays: try row.decode("free_days"),
                          rentPerM2: try row.decode("rent_per_m2"), rentDue: try row.decode("rent_due"),
                          propertyFeeDue: try row.decode("property_fee_due"), areaM2: try row.decode("area_m2", as: Decimal?.self) ?? 0)
            }
        }
    }

    // MARK: Plumbing

    struct Checked {
        var term: DateRange
        var freeWindow: DateRange?
        var fitOutWindow: DateRange?
        var deposit: Decimal?
    }

    func check(_ terms: Terms) throws -> Checked {
        guard !terms.units.isEmpty else { throw ParkError.invalid("a lease needs at least one unit") }
        if let dup = Dictionary(grouping: terms.units, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ParkError.invalid("unit \(dup) is listed twice")
        }
        guard terms.start < terms.end, let term = DateRange(first: terms.start, last: terms.end) else {
            throw ParkError.invalid("the end \(terms.end) must be after the start \(terms.start)")
        }
        try Self.checkTwentyYears(term)
        guard terms.rent > 0 else { throw ParkError.invalid("rent must be more than 0 元/m²/month, not \(terms.rent)") }
        guard terms.propertyFee >= 0 else { throw ParkError.invalid("property fee must not be negative, not \(terms.propertyFee)") }
        guard (0...100).contains(terms.escalationPct) else {
            throw ParkError.invalid("escalation must be 0-100 %, not \(terms.escalationPct)")
        }
        func window(_ w: (from: CalendarDate, to: CalendarDate)?, _ name: String) throws -> DateRange? {
            guard let w else { return nil }
            guard let range = DateRange(first: w.from, last: w.to) else {
                throw ParkError.invalid("the \(name) window ends (\(w.to)) before it starts (\(w.from))")
            }
            guard term.contains(range) else {
                throw ParkError.invalid("the \(name) window \(range) is not inside the term \(term)")
            }
            return range
        }
        if terms.deposit != nil && terms.depositMonths != nil {
            throw ParkError.invalid("give the deposit as an amount or as months of rent, not both")
        }
        if let d = terms.deposit, d < 0 { throw ParkError.invalid("deposit must not be negative, not \(d)") }
        if let m = terms.depositMonths, !(m > 0 && m <= 24) { throw ParkError.invalid("deposit months must be more than 0 and at most 24, not \(m)") }
        return Checked(term: term, freeWindow: try window(terms.freeWindow, "rent-free"),
                       fitOutWindow: try window(terms.fitOutWindow, "fit-out"), deposit: terms.deposit)
    }

    /// The last day a lease starting on `start` may run to: 20 years (民法典 art. 705).
    static func latestEnd(start: CalendarDate) -> CalendarDate {
        let anniversary = CalendarDate(year: start.year + 20, month: start.month, day: start.day)
            ?? CalendarDate(year: start.year + 20, month: start.month, day: 28)!
        return anniversary.adding(days: -1)
    }

    static func checkTwentyYears(_ term: DateRange) throws {
        let latest = latestEnd(start: term.first)
        guard term.last <= latest else {
            throw ParkError.invalid("""
                a lease runs at most 20 years (民法典 art. 705): one starting on \(term.first) ends by \(latest), not on \(term.last)
                """)
        }
    }

    static func insertLease(_ conn: Connection, parkID: Int, tenantID: Int, term: DateRange, rent: Decimal, propertyFee: Decimal,
                            freeWindow: DateRange?, fitOutWindow: DateRange?, deposit: SQL, escalationPct: Decimal,
                            cycle: PaymentCycle, renews: String?, unitIDs: [Int], lateFeeRate: Decimal?) throws -> String {
        let row = try conn.query("""
            INSERT INTO lease (number, park_id, tenant_id, term, rent, property_fee, free_window, fit_out_window, deposit,
                               escalation_pct, cycle, status, renews_lease_id, late_fee_rate)
            VALUES (parkctl_number('L', \(term.first)::date, nextval('lease_number_seq')),
                    \(parkID), \(tenantID), \(term), \(rent), \(propertyFee), \(freeWindow), \(fitOutWindow), \(deposit),
                    \(escalationPct), \(cycle.rawValue), 'signed', (SELECT id FROM lease WHERE number = \(renews)), \(lateFeeRate))
            RETURNING id, number
            """).rows[0]
        let leaseID: Int = try row.decode("id")
        try conn.execute("""
            INSERT INTO lease_unit (park_id, lease_id, unit_id, during)
            SELECT \(parkID), \(leaseID), u, \(term) FROM unnest(\(unitIDs)::bigint[]) u
            """)
        return try row.decode("number")
    }

    /// Runs `body`; a unit already leased for some of the days (the exclusion
    /// constraint, raised even in a race) becomes a message naming the unit and the
    /// lease that holds it.
    func withOverlapMessage<T>(units: @autoclosure () -> [UnitAddress], term: @autoclosure () -> DateRange?,
                               _ body: () throws -> T) throws -> T {
        try withOverlapMessage(units: { units() }, term: { term() }, body)
    }

    func withOverlapMessage<T>(units: () -> [UnitAddress], term: () -> DateRange?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.isExclusionViolation {
            guard let term = term() else { throw error }
            let addresses = units()
            let holder = try session.read { conn in
                try conn.query("""
                    SELECT p.code || '/' || b.code || '/' || u.code AS unit, l.number, t.name, lower(lu.during) AS first,
                           upper(lu.during) - 1 AS last
                    FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id JOIN tenant t ON t.id = l.tenant_id
                    JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                    WHERE NOT lu.cancelled AND lu.during && \(term)::daterange
                      AND (p.code || '/' || b.code || '/' || u.code) = ANY(\(addresses.map(\.description)))
                    ORDER BY lower(lu.during) LIMIT 1
                    """).rows.first
            }
            guard let holder else {
                throw ParkError(.conflict, "a unit of the lease is already leased for some of the days \(term) (rule lease_unit_no_overlap)")
            }
            throw ParkError(.conflict, """
                unit \(try holder.decode("unit", as: String.self)) is already leased to \(try holder.decode("name", as: String.self)) \
                under \(try holder.decode("number", as: String.self)) from \(try holder.decode("first", as: CalendarDate.self)) \
                to \(try holder.decode("last", as: CalendarDate.self)), which overlaps \(term)
                """)
        }
    }

    struct UnitRow {
        var id: Int
        var parkID: Int
        var address: UnitAddress
        var area: Decimal
        var offMarketReason: String?
    }

    /// The units named, in one query; a unit that does not exist is named in the error.
    static func units(_ addresses: [UnitAddress], _ conn: Connection) throws -> [UnitRow] {
        let rows = try conn.query("""
            SELECT a.name, u.id, u.park_id, u.area_m2, u.off_market_reason
            FROM unnest(\(addresses.map(\.description))::text[]) WITH ORDINALITY AS a(name, n)
            LEFT JOIN (unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id)
                   ON p.code || '/' || b.code || '/' || u.code = a.name
            ORDER BY a.n
            """).rows
        return try zip(addresses, rows).map { address, row in
            guard let id = try row.decode("id", as: Int?.self) else { throw try Lookup.unitNotFound(address, conn) }
            return UnitRow(id: id, parkID: try row.decode("park_id"), address: address, area: try row.decode("area_m2"),
                           offMarketReason: try row.decode("off_market_reason"))
        }
    }

    /// The lease, its row locked until the end of the transaction.
    static func locked(_ number: String, _ conn: Connection) throws -> Lease {
        guard try conn.query("SELECT 1 FROM lease WHERE number = \(number) FOR UPDATE").rowCount == 1 else {
            throw try Lookup.numberNotFound(.lease, number, conn)
        }
        return try decodeLease(try leaseRow(number, try schema(conn), conn)!)
    }

    static func today(_ conn: Connection, park: String) throws -> CalendarDate {
        try ParkDay.today(ofParkWhere: "p.code = \(park)", conn)
    }

    static func decodeLease(_ row: PostgresRow) throws -> Lease {
        Lease(number: try row.decode("number"), tenantName: try row.decode("tenant"), tenantCreditCode: try row.decode("credit_code"),
              park: try row.decode("park"), units: try row.decode("units", as: [String]?.self) ?? [],
              areaM2: try row.decode("area_m2", as: Decimal?.self) ?? 0, term: try row.decode("term"),
              terminatedOn: try row.decode("terminated_on"), rent: try row.decode("rent"), currentRent: try row.decode("current_rent"),
              propertyFee: try row.decode("property_fee"), freeWindow: try row.decode("free_window"),
              fitOutWindow: try row.decode("fit_out_window"), deposit: try row.decode("deposit"),
              escalationPct: try row.decode("escalation_pct"), cycle: try row.decode("cycle", as: PaymentCycle.self),
              status: try row.decode("status", as: LeaseStatus.self), renews: try row.decode("renews"),
              renewedBy: try row.decode("renewed_by"), endReason: try row.decode("end_reason"),
              currentPropertyFee: try row.decode("current_property_fee"))
    }
}

