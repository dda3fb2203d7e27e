import Foundation
import ParkCore
import Postgres

// parkctl-bench soak CONNINFO CLIENTS SECONDS
//
// CLIENTS threads, one connection each, run a mix of park work through the
// services (ParkSession + TicketService, LeaseService and the reports) for SECONDS:
// tickets opened and moved along (assign, start, resolve, close), leases signed on
// random units with random dates (so that some overlap and are refused), leases
// terminated, reports run. The clients share pools of tickets and leases, so they
// race for the same rows. A database without parks is seeded with the demo
// portfolio first.
//
// Afterwards the database's invariants are checked by SQL and by `db check`'s
// IntegrityCheck (run the soak on a throw-away database only). Prints operations per
// second, p50/p99 latency per kind, the expected conflicts (domain refusals that
// concurrency produces) and the unexpected errors. Exit status 0 only when every
// invariant holds and no client saw an unexpected error, else 1 (64: bad usage,
// 70: could not run at all).

enum Soak {
    /// The kinds of operation, in the order they are printed.
    enum Kind: String, CaseIterable, Sendable {
        case ticketOpen = "ticket.open"
        case ticketAssign = "ticket.assign"
        case ticketStart = "ticket.start"
        case ticketResolve = "ticket.resolve"
        case ticketClose = "ticket.close"
        case leaseSign = "lease.sign"
        case leaseTerminate = "lease.terminate"
        case reportOccupancy = "report.occupancy"
        case reportVacancy = "report.vacancy"
        case reportExpiring = "report.expiring"
        case reportTickets = "report.tickets"
        case paymentRecord = "payment.record"
        case billRun = "bill.run"
        case lateFeeRun = "late-fee.run"
        case reportReceivables = "report.receivables"
    }

    static func main(_ args: [String]) -> Int32 {
        guard args.count == 3, let clients = Int(args[1]), (1...500).contains(clients),
              let seconds = Double(args[2]), seconds > 0 else {
            FileHandle.standardError.write(Data("usage: parkctl-bench soak CONNINFO CLIENTS SECONDS\n".utf8))
            return 64
        }
        do {
            return try run(conninfo: args[0], clients: clients, seconds: seconds)
        } catch {
            FileHandle.standardError.write(Data("parkctl-bench soak: \(describe(error))\n".utf8))
            return 70
        }
    }

    /// Every session gives up waiting for a lock after this long, like parkctl's default.
    static let settings = ["lock_timeout": "10s"]

    static func run(conninfo: String, clients: Int, seconds: Double) throws -> Int32 {
        let setup = ParkSession(connection: try Connection(conninfo, settings: settings), actor: "soak-setup")
        defer { setup.connection.close() }
        var seeded = false
        if try PortfolioService(setup).parks().isEmpty {
            try DemoPortfolio(setup).load()
            seeded = true
        }
        let world = try World.load(setup)
        print("soak: \(clients) clients for \(seconds) s; \(seeded ? "seeded the demo portfolio" : "existing portfolio"): "
              + "\(world.leaseUnits.values.map(\.count).reduce(0, +)) units on the market, "
              + "\(world.leaseTenants.values.map(\.count).reduce(0, +)) tenants able to sign, "
              + "\(world.pool.ticketCount) active tickets, \(world.pool.leaseCount) signed leases")

        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let results = Results(count: clients)
        let group = DispatchGroup()
        let started = DispatchTime.now().uptimeNanoseconds
        for i in 0..<clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                results.set(i, Client(index: i, conninfo: conninfo, world: world).run(until: deadline))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

        // Statistics.
        let all = results.all
        var latencies: [Kind: [Double]] = [:]
        var oks: [Kind: Int] = [:]
        var conflicts: [Kind: Int] = [:]
        var conflictSamples: [Kind: [String]] = [:]
        var unexpected: [String] = []
        var unexpectedCount = 0
        for stats in all {
            for (kind, values) in stats.latencies { latencies[kind, default: []] += values }
            for (kind, n) in stats.oks { oks[kind, default: 0] += n }
            for (kind, n) in stats.conflicts { conflicts[kind, default: 0] += n }
            for (kind, samples) in stats.conflictSamples {
                for s in samples where conflictSamples[kind, default: []].count < 3 && !conflictSamples[kind, default: []].contains(s) {
                    conflictSamples[kind, default: []].append(s)
                }
            }
            unexpectedCount += stats.unexpectedCount
            unexpected += stats.unexpected
        }
        let totalOK = oks.values.reduce(0, +), totalConflicts = conflicts.values.reduce(0, +)
        print(String(format: "elapsed %.1f s", elapsed))
        print("operation                  ok  conflicts      ops/s     p50 ms     p99 ms")
        for kind in Kind.allCases {
            let sorted = (latencies[kind] ?? []).sorted()
            let done = (oks[kind] ?? 0) + (conflicts[kind] ?? 0)
            print(kind.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0)
                  + String(format: " %9d %10d %10.1f %10.2f %10.2f", oks[kind] ?? 0, conflicts[kind] ?? 0,
                           Double(done) / elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99)))
        }
        let everything = latencies.values.flatMap { $0 }.sorted()
        print("total            " + String(format: " %9d %10d %10.1f %10.2f %10.2f", totalOK, totalConflicts,
                                             Double(totalOK + totalConflicts) / elapsed, percentile(everything, 0.50),
                                             percentile(everything, 0.99)))
        print("conflicts: \(totalConflicts)")
        for kind in Kind.allCases {
            for sample in conflictSamples[kind] ?? [] { print("  \(kind.rawValue): \(sample)") }
        }
        print("unexpected errors: \(unexpectedCount)")
        for message in unexpected.prefix(5) { print("  \(message)") }

        // Invariants, on a connection of their own.
        let check = try Connection(conninfo, settings: settings)
        defer { check.close() }
        var holds = true
        for invariant in invariants {
            let rows = try check.query(PostgresQuery(unsafeSQL: """
                SELECT what, count(*) OVER () AS n FROM (\(invariant.sql)) v(what) LIMIT 3
                """)).rows
            if rows.isEmpty {
                print("invariant \(invariant.name): ok")
            } else {
                holds = false
                print("invariant \(invariant.name): FAILED (\(try rows[0].decode("n", as: Int.self)) violations)")
                for row in rows { print("  \(try row.decode("what", as: String?.self) ?? "?")") }
            }
        }
        for (name, failures) in try indexChecks(check) {
            if failures.isEmpty {
                print("invariant \(name): ok")
            } else {
                holds = false
                print("invariant \(name): FAILED (\(failures.count) violations)")
                for failure in failures.prefix(3) { print("  \(failure)") }
            }
        }
        print("invariant no-unexpected-errors: \(unexpectedCount == 0 ? "ok" : "FAILED (\(unexpectedCount) errors)")")
        let pass = holds && unexpectedCount == 0
        print("result: \(pass ? "PASS" : "FAIL")")
        return pass ? 0 : 1
    }

    /// Nearest-rank percentile of sorted values (0 when there are none).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? PostgresError {
            var text = e.description
            if let detail = e.detail { text += "; detail: \(detail)" }
            if let constraint = e.constraint { text += "; constraint: \(constraint)" }
            if let context = e.context { text += "; context: \(context.replacingOccurrences(of: "\n", with: " / "))" }
            return text
        }
        if let e = error as? ParkError { return "ParkError.\(e.kind): \(e.message)" }
        return String(describing: error)
    }

    // MARK: Invariants

    /// What `parkctl db check` finds (IntegrityCheck): every GiST index holds every row
    /// it covers (the exclusion constraint finds an overlapping lease only through its
    /// index, so a row missing from it can be overlapped), and no leases overlap.
    static func indexChecks(_ conn: Connection) throws -> [(name: String, failures: [String])] {
        let report = try IntegrityCheck(conn).run()
        return report.indexes.map { index in
            ("index-complete \(index.index)",
             index.isComplete ? [] : ["\(index.throughIndex) rows through \(index.index), \(index.inTable) in \(index.table)"
                                      + (index.checked ? "" : " (could not be scanned on its own)")])
        } + [("db-check-no-overlap", report.overlaps.map { "\($0.unit): \($0.first) and \($0.second)" })]
    }

    /// Each query yields one text column describing each violation; none means it holds.
    static let invariants: [(name: String, sql: String)] = [
        // The receivables (issue 16): money is neither made nor lost. Σ bills − Σ allocations
        // − Σ waivers = Σ open balances; no bill paid and waived beyond its amount or below
        // zero; no payment or credit used beyond its money; deposits held never negative.
        ("receivables-balance", """
            SELECT 'bills ' || billed || ' - allocated ' || allocated || ' - waived ' || waived || ' <> open ' || open
            FROM (SELECT (SELECT coalesce(sum(amount), 0) FROM bill b WHERE amount > 0
                            AND NOT EXISTS (SELECT 1 FROM bill_void v WHERE v.bill_id = b.id)) AS billed,
                         (SELECT coalesce(sum(a.amount), 0) FROM allocation a) AS allocated,
                         (SELECT coalesce(sum(amount), 0) FROM bill_waiver) AS waived,
                         (SELECT coalesce(sum(bill_balance(id)), 0) FROM bill WHERE amount > 0) AS open) x
            WHERE billed - allocated - waived <> open
            """),
        ("receivables-bills-within-amount", """
            SELECT b.number || ' paid ' || coalesce(a.paid, 0) || ' waived ' || coalesce(w.waived, 0) || ' of ' || b.amount FROM bill b
            LEFT JOIN (SELECT bill_id, sum(amount) AS paid FROM allocation GROUP BY 1) a ON a.bill_id = b.id
            LEFT JOIN (SELECT bill_id, sum(amount) AS waived FROM bill_waiver GROUP BY 1) w ON w.bill_id = b.id
            WHERE coalesce(a.paid, 0) < 0 OR coalesce(a.paid, 0) + coalesce(w.waived, 0) > greatest(b.amount, 0)
            """),
        ("receivables-credit-not-negative", """
            SELECT p.number || ' has ' || payment_left(p.id) || ' left' FROM payment p WHERE payment_left(p.id) < 0
            UNION ALL
            SELECT b.number || ' has ' || credit_left(b.id) || ' left' FROM bill b WHERE b.amount < 0 AND credit_left(b.id) < 0
            UNION ALL
            SELECT l.number || ' holds a deposit of ' || lease_deposit_held(l.id) FROM lease l WHERE lease_deposit_held(l.id) < 0
            """),
        // The exclusion constraint's promise, read back from the rows themselves.
        ("lease-no-overlap", """
            SELECT 'unit ' || a.unit_id || ': leases ' || a.lease_id || ' and ' || b.lease_id || ' share ' || (a.during * b.during)::text
            FROM lease_unit a JOIN lease_unit b ON b.unit_id = a.unit_id AND b.lease_id > a.lease_id AND b.during && a.during
            WHERE NOT a.cancelled AND NOT b.cancelled
            """),
        // lease_unit.during and .cancelled are copies of the lease's occupancy and
        // status; the check above is only worth something if they are in step.
        ("lease-unit-in-step", """
            SELECT l.number || ' unit ' || lu.unit_id || ': during ' || lu.during::text || ', cancelled ' || lu.cancelled
                   || ', but the lease holds ' || lease_occupancy(l.term, l.terminated_on)::text || ' as ' || l.status
            FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
            WHERE lu.during IS DISTINCT FROM lease_occupancy(l.term, l.terminated_on) OR lu.cancelled <> (l.status = 'cancelled')
            """),
        // A ticket's status is where its timeline ends: the last event that carries a
        // status ('created' -> open, 'status', and 'assigned' on an open ticket, which
        // the event trigger completes as open -> assigned).
        ("ticket-status-from-timeline", """
            SELECT t.number || ' is ' || t.status || ' but its timeline ends at ' || coalesce(last.to_status, '(nothing: open)')
            FROM ticket t
            LEFT JOIN (SELECT DISTINCT ON (ticket_id) ticket_id, to_status FROM ticket_event
                       WHERE to_status IS NOT NULL ORDER BY ticket_id, id DESC) last ON last.ticket_id = t.id
            WHERE t.status IS DISTINCT FROM coalesce(last.to_status, 'open')
            """),
        // The timeline itself is a path: one 'created' event first, then each status
        // event starts where the previous one ended, along an allowed transition.
        ("ticket-timeline-is-a-path", """
            SELECT 'ticket ' || e.ticket_id || ' event ' || e.id || ' (' || e.kind || ' ' || coalesce(e.from_status, '-') || ' -> '
                   || e.to_status || ') follows ' || coalesce(e.prev, 'nothing')
            FROM (SELECT e.*, lag(e.to_status) OVER w AS prev, row_number() OVER w AS n
                  FROM ticket_event e WHERE e.to_status IS NOT NULL
                  WINDOW w AS (PARTITION BY e.ticket_id ORDER BY e.id)) e
            WHERE CASE WHEN e.n = 1 THEN e.kind <> 'created' OR e.from_status IS NOT NULL OR e.to_status <> 'open'
                       ELSE e.kind = 'created' OR e.from_status IS DISTINCT FROM e.prev
                            OR NOT EXISTS (SELECT 1 FROM ticket_transition tt
                                           WHERE tt.from_status = e.from_status AND tt.to_status = e.to_status) END
            UNION ALL
            SELECT t.number || ' has no created event' FROM ticket t
            WHERE NOT EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.kind = 'created')
            """),
        // Every lease, lease unit and ticket was recorded in the audit trail when it was made.
        ("audit-insert-rows", """
            SELECT 'lease ' || l.number || ' has no insert audit row' FROM lease l
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'lease' AND a.action = 'insert' AND a.row_key = l.id::text)
            UNION ALL
            SELECT 'lease_unit ' || lu.lease_id || '/' || lu.unit_id || ' has no insert audit row' FROM lease_unit lu
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'lease_unit' AND a.action = 'insert'
                              AND a.row_key = lu.lease_id || '/' || lu.unit_id)
            UNION ALL
            SELECT 'ticket ' || t.number || ' has no insert audit row' FROM ticket t
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'ticket' AND a.action = 'insert' AND a.row_key = t.id::text)
            """),
        // The audit trail's latest image of every lease, lease unit and ticket is the
        // row as it stands: no change went unrecorded after the last audited one.
        ("audit-latest-image-is-the-row", """
            WITH last AS (
                SELECT DISTINCT ON (table_name, row_key) table_name, row_key, new_row FROM audit_log
                WHERE table_name IN ('lease', 'lease_unit', 'ticket') ORDER BY table_name, row_key, id DESC
            )
            SELECT 'lease ' || l.number || ' differs from its last audit image' FROM lease l
            LEFT JOIN last a ON a.table_name = 'lease' AND a.row_key = l.id::text
            WHERE a.new_row IS NULL OR jsonb_populate_record(NULL::lease, a.new_row) IS DISTINCT FROM l
            UNION ALL
            SELECT 'lease_unit ' || lu.lease_id || '/' || lu.unit_id || ' differs from its last audit image' FROM lease_unit lu
            LEFT JOIN last a ON a.table_name = 'lease_unit' AND a.row_key = lu.lease_id || '/' || lu.unit_id
            WHERE a.new_row IS NULL OR jsonb_populate_record(NULL::lease_unit, a.new_row) IS DISTINCT FROM lu
            UNION ALL
            SELECT 'ticket ' || t.number || ' differs from its last audit image' FROM ticket t
            LEFT JOIN last a ON a.table_name = 'ticket' AND a.row_key = t.id::text
            WHERE a.new_row IS NULL OR jsonb_populate_record(NULL::ticket, a.new_row) IS DISTINCT FROM t
            """),
        // Every status change in a ticket's timeline moved the ticket row, and that
        // update is in the audit trail: per ticket and (from, to), as many audited
        // status changes as timeline events.
        ("audit-ticket-status-changes", """
            WITH ev AS (
                SELECT ticket_id::text AS k, from_status AS f, to_status AS t, count(*) AS n FROM ticket_event
                WHERE kind <> 'created' AND to_status IS NOT NULL GROUP BY 1, 2, 3
            ), au AS (
                SELECT row_key AS k, old_row->>'status' AS f, new_row->>'status' AS t, count(*) AS n FROM audit_log
                WHERE table_name = 'ticket' AND action = 'update' AND old_row->>'status' IS DISTINCT FROM new_row->>'status'
                GROUP BY 1, 2, 3
            )
            SELECT 'ticket id ' || k || ' ' || coalesce(f, '-') || ' -> ' || coalesce(t, '-') || ': ' || coalesce(ev.n, 0)
                   || ' timeline events, ' || coalesce(au.n, 0) || ' audited updates'
            FROM ev FULL JOIN au USING (k, f, t) WHERE ev.n IS DISTINCT FROM au.n
            """),
        // Every version of a lease or lease unit that a change replaced (kept in the
        // history tables) has the audit row of that change.
        ("audit-replaced-versions", """
            SELECT 'lease ' || h.number || ' version of ' || lower(h.sys_period) || ' has no audit row for its change' FROM lease_history h
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'lease' AND a.action IN ('update', 'delete')
                              AND a.row_key = h.id::text AND lower((a.old_row->>'sys_period')::tstzrange) = lower(h.sys_period))
            UNION ALL
            SELECT 'lease_unit ' || h.lease_id || '/' || h.unit_id || ' version of ' || lower(h.sys_period) || ' has no audit row for its change'
            FROM lease_unit_history h
            WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'lease_unit' AND a.action IN ('update', 'delete')
                              AND a.row_key = h.lease_id || '/' || h.unit_id
                              AND lower((a.old_row->>'sys_period')::tstzrange) = lower(h.sys_period))
            """),
    ]
}

// MARK: What the clients work on

/// The portfolio as the clients see it: who may sign where, which units are on
/// the market, and the shared pools of tickets and leases they race for.
final class World: Sendable {
    /// park -> credit codes of tenants whose application there admits a lease.
    let leaseTenants: [String: [String]]
    /// park -> credit codes of tenants with a live application (they may open tickets).
    let ticketTenants: [String: [String]]
    /// park -> units on the market.
    let leaseUnits: [String: [UnitAddress]]
    /// park -> all its units.
    let allUnits: [String: [UnitAddress]]
    let today: CalendarDate
    let pool: Pool

    init(leaseTenants: [String: [String]], ticketTenants: [String: [String]], leaseUnits: [String: [UnitAddress]],
         allUnits: [String: [UnitAddress]], today: CalendarDate, pool: Pool) {
        self.leaseTenants = leaseTenants; self.ticketTenants = ticketTenants; self.leaseUnits = leaseUnits
        self.allUnits = allUnits; self.today = today; self.pool = pool
    }

    static func load(_ session: ParkSession) throws -> World {
        let admitted: Set<OnboardingStage> = [.approved, .leaseSigned, .fittingOut, .movedIn]
        var leaseTenants: [String: [String]] = [:], ticketTenants: [String: [String]] = [:]
        for o in try TenantService(session).list() {
            if admitted.contains(o.stage) { leaseTenants[o.park, default: []].append(o.tenant.creditCode) }
            if o.stage != .rejected && o.stage != .exited { ticketTenants[o.park, default: []].append(o.tenant.creditCode) }
        }
        var leaseUnits: [String: [UnitAddress]] = [:], allUnits: [String: [UnitAddress]] = [:]
        for u in try PortfolioService(session).units() {
            allUnits[u.address.park, default: []].append(u.address)
            if u.offMarketReason == nil { leaseUnits[u.address.park, default: []].append(u.address) }
        }
        let pool = Pool()
        for lease in try LeaseService(session).list() where lease.status == .signed && lease.renewedBy == nil {
            pool.addLease(lease.number, term: lease.term)
        }
        for ticket in try TicketService(session).list() {
            pool.setTicket(ticket.number, ticket.status)
        }
        // Today in the parks' zone (UTC+8), as the services count it.
        let today = CalendarDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 + 8 * 3600) / 86_400))!
        return World(leaseTenants: leaseTenants.filter { leaseUnits[$0.key]?.isEmpty == false },
                     ticketTenants: ticketTenants.filter { allUnits[$0.key]?.isEmpty == false },
                     leaseUnits: leaseUnits, allUnits: allUnits, today: today, pool: pool)
    }
}

/// Tickets that can still move and signed leases, shared by all clients, who pick
/// from them at random and so sometimes pick the same one at once.
final class Pool: @unchecked Sendable {
    private let lock = NSLock()
    private var ticketStatus: [String: TicketStatus] = [:]
    private var activeTickets = Bag()
    private var leaseTerms: [String: DateRange] = [:]
    private var signedLeases = Bag()

    var ticketCount: Int { lock.withLock { activeTickets.count } }
    var leaseCount: Int { lock.withLock { signedLeases.count } }

    /// Records what a ticket's status is now (as far as this client knows).
    func setTicket(_ number: String, _ status: TicketStatus) {
        lock.withLock {
            if status == .closed || status == .cancelled {
                ticketStatus[number] = nil
                activeTickets.remove(number)
            } else {
                ticketStatus[number] = status
                activeTickets.insert(number)
            }
        }
    }

    func randomTicket() -> (number: String, status: TicketStatus)? {
        lock.withLock {
            guard let number = activeTickets.random(), let status = ticketStatus[number] else { return nil }
            return (number, status)
        }
    }

    func addLease(_ number: String, term: DateRange) {
        lock.withLock {
            leaseTerms[number] = term
            signedLeases.insert(number)
        }
    }

    func removeLease(_ number: String) {
        lock.withLock {
            leaseTerms[number] = nil
            signedLeases.remove(number)
        }
    }

    func randomLease() -> (number: String, term: DateRange)? {
        lock.withLock {
            guard let number = signedLeases.random(), let term = leaseTerms[number] else { return nil }
            return (number, term)
        }
    }
}

/// A set with O(1) insert, remove and random pick.
struct Bag {
    private var items: [String] = []
    private var index: [String: Int] = [:]
    var count: Int { items.count }

    mutating func insert(_ item: String) {
        guard index[item] == nil else { return }
        index[item] = items.count
        items.append(item)
    }

    mutating func remove(_ item: String) {
        guard let i = index.removeValue(forKey: item) else { return }
        let last = items.removeLast()
        if i < items.count {
            items[i] = last
            index[last] = i
        }
    }

    func random() -> String? { items.randomElement() }
}

// MARK: One client

/// What one client saw.
struct ClientStats: Sendable {
    var latencies: [Soak.Kind: [Double]] = [:]
    var oks: [Soak.Kind: Int] = [:]
    var conflicts: [Soak.Kind: Int] = [:]
    var conflictSamples: [Soak.Kind: [String]] = [:]
    var unexpected: [String] = []
    var unexpectedCount = 0
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [ClientStats]
    init(count: Int) { values = Array(repeating: ClientStats(), count: count) }
    func set(_ i: Int, _ stats: ClientStats) { lock.withLock { values[i] = stats } }
    var all: [ClientStats] { lock.withLock { values } }
}

/// One thread with its own connection, running operations until the deadline.
struct Client {
    let index: Int
    let conninfo: String
    let world: World

    /// What a failed operation means for the soak.
    enum Failure {
        /// A refusal that concurrency produces: a lost race or an overlap.
        case conflict(String)
        case unexpected(String)
    }

    /// `refusals`: the kinds of ParkError that concurrency can produce for this operation;
    /// `mayWait`: whether it takes row locks another client can hold (a pure read never
    /// waits for a row, so a lock timeout or a deadlock there is a bug, not a conflict).
    static func classify(_ error: Error, refusals: Set<ParkError.Kind>, mayWait: Bool) -> Failure {
        switch error {
        case let e as ParkError where refusals.contains(e.kind):
            // Overlapping leases (the exclusion constraint, named by LeaseService),
            // a ticket or lease that another client moved first.
            return .conflict(e.message)
        case let e as PostgresError where mayWait && (e.sqlState == .lockNotAvailable || e.isRetryable):
            // Waited too long for a row, or still deadlocked after the retries.
            return .conflict(e.description)
        default:
            return .unexpected(Soak.describe(error))
        }
    }

    /// What an operation is about, so that a refusal can refresh the pool.
    enum Subject {
        case none
        case ticket(String)
        case lease(String)
    }

    /// One operation, chosen before it runs.
    struct Operation {
        var kind: Soak.Kind
        var subject: Subject = .none
        /// The refusals that a race can produce here; any other ParkError is unexpected.
        /// Opening a ticket and running a report have none: with the tenants and units
        /// chosen, only a bug can refuse them. A signing is refused when its dates
        /// overlap a lease signed before (.conflict); a ticket or lease step when
        /// another client moved the ticket or ended the lease first (.invalidInput, or
        /// .conflict for a lease renewed meanwhile).
        var refusals: Set<ParkError.Kind> = []
        /// Whether it writes rows others write too, and so may wait for them (see classify).
        var mayWait = true
        var body: (ParkSession) throws -> Void
    }

    func run(until deadline: UInt64) -> ClientStats {
        var stats = ClientStats()
        var session: ParkSession
        do {
            session = ParkSession(connection: try Connection(conninfo, settings: Soak.settings), actor: "soak-\(index)")
        } catch {
            stats.unexpectedCount += 1
            stats.unexpected.append("client \(index): cannot connect: \(Soak.describe(error))")
            return stats
        }
        defer { session.connection.close() }
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let op = choose()
            let started = DispatchTime.now().uptimeNanoseconds
            var refused = false, counted = true
            do {
                try op.body(session)
                stats.oks[op.kind, default: 0] += 1
            } catch {
                switch Self.classify(error, refusals: op.refusals, mayWait: op.mayWait) {
                case .conflict(let message):
                    refused = true
                    stats.conflicts[op.kind, default: 0] += 1
                    if stats.conflictSamples[op.kind, default: []].count < 2 { stats.conflictSamples[op.kind, default: []].append(message) }
                case .unexpected(let message):
                    counted = false
                    stats.unexpectedCount += 1
                    if stats.unexpected.count < 5 { stats.unexpected.append("client \(index) \(op.kind.rawValue): \(message)") }
                }
            }
            if counted {
                // Latencies of the operations counted: done, or refused as expected.
                stats.latencies[op.kind, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            }
            if !session.connection.isOpen {
                // A lost connection is an unexpected error already; carry on with a new one.
                guard let conn = try? Connection(conninfo, settings: Soak.settings) else { return stats }
                session = ParkSession(connection: conn, actor: "soak-\(index)")
            } else if refused {
                refresh(op.subject, session)
            }
        }
        return stats
    }

    /// After a refusal, the pool catches up with the database for its ticket or
    /// lease (a read, not timed), in case another client moved it first.
    private func refresh(_ subject: Subject, _ session: ParkSession) {
        switch subject {
        case .ticket(let number):
            if let ticket = try? TicketService(session).show(number, recordingBreaches: false) {
                world.pool.setTicket(number, ticket.status)
            }
        case .lease(let number):
            if let lease = try? LeaseService(session).lease(number), lease.status != .signed || lease.renewedBy != nil {
                world.pool.removeLease(number)
            }
        case .none:
            break
        }
    }

    /// Chooses the next operation at random.
    private func choose() -> Operation {
        let roll = Int.random(in: 0..<100)
        switch roll {
        case 0..<12:
            return Operation(kind: .ticketOpen, body: openTicket)
        case 12..<48:
            guard let (number, status) = world.pool.randomTicket() else { return Operation(kind: .ticketOpen, body: openTicket) }
            return moveTicket(number, status)
        case 48..<68:
            return Operation(kind: .leaseSign, refusals: [.conflict], body: signLease)
        case 68..<76:
            guard let (number, term) = world.pool.randomLease() else {
                return Operation(kind: .leaseSign, refusals: [.conflict], body: signLease)
            }
            // Some day of the term but its last, so that it ends early.
            let on = term.first.adding(days: Int.random(in: 0..<max(term.dayCount - 1, 1)))
            return Operation(kind: .leaseTerminate, subject: .lease(number), refusals: [.invalidInput, .conflict]) { session in
                try LeaseService(session).terminate(number, on: on, reason: "soak: 提前解约")
                world.pool.removeLease(number)
            }
        case 76..<80:
            return Operation(kind: .reportOccupancy, mayWait: false) { _ = try OccupancyReport($0).run(by: .park) }
        case 80..<83:
            return Operation(kind: .reportVacancy, mayWait: false) { _ = try VacancyReport($0).run() }
        case 83..<86:
            return Operation(kind: .reportExpiring, mayWait: false) { _ = try ExpiringReport($0).run(within: 90) }
        case 86..<88:
            return Operation(kind: .reportTickets) { _ = try TicketReport($0).run() }
        case 88..<95:
            // Payments race each other, the runs and the reversals for the same tenants' bills.
            guard let (park, tenants) = world.ticketTenants.randomElement(), let tenant = tenants.randomElement() else {
                return Operation(kind: .reportTickets) { _ = try TicketReport($0).run() }
            }
            let day = world.today.adding(days: -Int.random(in: 0...60))
            return Operation(kind: .paymentRecord, refusals: [.invalidInput]) { session in
                _ = try PaymentService(session).record(tenant: tenant, park: park, amount: Decimal(Int.random(in: 1...50_000)) / 10,
                                                       on: day)
            }
        case 95..<97:
            return Operation(kind: .billRun) { _ = try BillService($0).run(through: world.today.adding(days: Int.random(in: 0...200))) }
        case 97..<98:
            return Operation(kind: .lateFeeRun) { _ = try BillService($0).lateFeeRun(through: world.today) }
        default:
            return Operation(kind: .reportReceivables, mayWait: false) { _ = try ReceivablesReport($0).run() }
        }
    }

    private func openTicket(_ session: ParkSession) throws {
        guard let (park, tenants) = world.ticketTenants.randomElement(), let tenant = tenants.randomElement() else {
            throw ParkError(.internalError, "no tenant can open a ticket")
        }
        let unit = Bool.random() ? world.allUnits[park]?.randomElement() : nil
        let ticket = try TicketService(session).open(.init(
            tenantCreditCode: tenant, park: park, unit: unit, category: TicketCategory.allCases.randomElement()!,
            priority: TicketPriority.allCases.randomElement()!, title: "soak \(index): 报修 \(Int.random(in: 1...9999))",
            reporter: "soak"))
        world.pool.setTicket(ticket.number, ticket.status)
    }

    /// The next step of a ticket's life from the status this client last knew.
    private func moveTicket(_ number: String, _ status: TicketStatus) -> Operation {
        let pool = world.pool
        func op(_ kind: Soak.Kind, to next: TicketStatus, _ body: @escaping (TicketService) throws -> Void) -> Operation {
            Operation(kind: kind, subject: .ticket(number), refusals: [.invalidInput]) { session in
                try body(TicketService(session))
                pool.setTicket(number, next)
            }
        }
        switch status {
        case .open where Int.random(in: 0..<10) < 7, .assigned where Bool.random():
            let who = ["物业 张工", "网络 李工", "物业 王工"].randomElement()!
            return op(.ticketAssign, to: .assigned) { try $0.assign(number, to: who) }
        case .open, .assigned:
            return op(.ticketStart, to: .inProgress) { try $0.start(number) }
        case .inProgress:
            return op(.ticketResolve, to: .resolved) { try $0.resolve(number, note: "soak: 已处理") }
        case .resolved, .closed, .cancelled:
            // (closed and cancelled tickets leave the pool; one still there is closed again and refused.)
            return op(.ticketClose, to: .closed) { try $0.close(number) }
        }
    }

    private func signLease(_ session: ParkSession) throws {
        guard let (park, tenants) = world.leaseTenants.randomElement(), let tenant = tenants.randomElement(),
              let units = world.leaseUnits[park] else {
            throw ParkError(.internalError, "no tenant can sign a lease")
        }
        // One unit, sometimes two (in either order, so that two signings can wait on each other).
        var chosen = [units.randomElement()!]
        if Int.random(in: 0..<4) == 0, let other = units.randomElement(), other != chosen[0] { chosen.append(other) }
        // Random dates over the next 30 years: many never meet, some overlap.
        let start = world.today.adding(days: Int.random(in: -365...(30 * 365)))
        let end = start.adding(days: Int.random(in: 30...720))
        var terms = LeaseService.Terms(tenantCreditCode: tenant, units: chosen, start: start, end: end,
                                       rent: Decimal(Int.random(in: 2000...6000)) / 100)
        terms.propertyFee = Decimal(string: "4.50")!
        terms.depositMonths = 2
        let lease = try LeaseService(session).sign(terms)
        world.pool.addLease(lease.number, term: lease.term)
    }
}
