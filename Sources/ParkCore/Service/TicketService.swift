import Foundation
import Postgres

/// Tenant service requests: opening them with due times on the park's working
/// calendar, moving them along their timeline, and noticing breaches.
///
/// A ticket's status is the result of its timeline: every change is an event,
/// and the database moves the ticket from the event (and refuses anything else).
public struct TicketService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct Request: Sendable {
        public var tenantCreditCode: String
        /// Needed only when the tenant is at several parks and no unit is given.
        public var park: String?
        public var unit: UnitAddress?
        public var category: TicketCategory
        public var priority: TicketPriority
        public var title: String
        public var description: String?
        public var reporter: String?
        /// When the request arrived (by phone, say); default now. Never in the future.
        public var openedAt: Date?

        public init(tenantCreditCode: String, park: String? = nil, unit: UnitAddress? = nil, category: TicketCategory,
                    priority: TicketPriority, title: String, description: String? = nil, reporter: String? = nil,
                    openedAt: Date? = nil) {
            self.tenantCreditCode = tenantCreditCode; self.park = park; self.unit = unit; self.category = category
            self.priority = priority; self.title = title; self.description = description; self.reporter = reporter
            self.openedAt = openedAt
        }
    }

    /// Opens a ticket; its due times count from `openedAt` in working time (or round
    /// the clock, if its service level says so).
    @discardableResult
    public func open(_ request: Request) throws -> Ticket {
        let title = try Validate.text(request.title, field: "title")
        let description = try request.description.map { try Validate.text($0, field: "description", max: 10_000, multiline: true) }
        let reporter = try request.reporter.map { try Validate.text($0, field: "reporter", max: 100) }
        return try session.write { conn in
            // Tenant, park and unit in one query; each part may be missing. Prepared:
            // opening tickets is the hot path of a busy service desk.
            let tenantCode = try Lookup.creditCode(request.tenantCreditCode, conn)
            let row = try conn.preparedQuery("""
                WITH t AS (SELECT id, name FROM tenant WHERE credit_code = \(tenantCode)),
                     u AS (SELECT u.id, u.park_id FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                           WHERE p.code = \(request.unit?.park) AND b.code = \(request.unit?.building) AND u.code = \(request.unit?.unit)),
                     parks AS (SELECT DISTINCT o.park_id FROM onboarding o, t WHERE o.tenant_id = t.id AND o.stage NOT IN ('rejected', 'exited'))
                SELECT (SELECT id FROM t) AS tenant_id, (SELECT name FROM t) AS tenant_name,
                       (SELECT id FROM u) AS unit_id, (SELECT park_id FROM u) AS unit_park_id,
                       (SELECT id FROM park WHERE code = \(request.park)) AS named_park_id,
                       ARRAY(SELECT park_id FROM parks ORDER BY park_id) AS tenant_park_ids,
                       ARRAY(SELECT p.code FROM parks JOIN park p ON p.id = parks.park_id ORDER BY p.code) AS tenant_parks,
                       \(request.openedAt)::timestamptz > now() + interval '1 minute' AS in_future
                """).rows[0]
            guard let tenantID = try row.decode("tenant_id", as: Int?.self) else {
                throw try Lookup.tenantNotFound(tenantCode, conn)
            }
            let tenantName: String = try row.decode("tenant_name")
            let tenantParkIDs: [Int] = try row.decode("tenant_park_ids")
            let tenantParks: [String] = try row.decode("tenant_parks")
            if request.unit != nil, try row.decode("unit_id", as: Int?.self) == nil {
                throw try Lookup.unitNotFound(request.unit!, conn)
            }
            if let park = request.park, try row.decode("named_park_id", as: Int?.self) == nil {
                throw try Lookup.parkNotFound(park, conn)
            }
            let parkID: Int
            if let unitPark: Int = try row.decode("unit_park_id") {
                if let named: Int = try row.decode("named_park_id"), named != unitPark {
                    throw ParkError.invalid("unit \(request.unit!) is not in park \(request.park!)")
                }
                guard tenantParkIDs.contains(unitPark) else {
                    throw ParkError.invalid("""
                        unit \(request.unit!) is outside \(tenantName)'s parks (\(tenantParks.isEmpty ? "none" : tenantParks.joined(separator: ", ")))
                        """)
                }
                parkID = unitPark
            } else if let named: Int = try row.decode("named_park_id") {
                guard tenantParkIDs.contains(named) else {
                    throw ParkError.invalid("\(tenantName) is not a tenant of park \(request.park!) (its parks: \(tenantParks.isEmpty ? "none" : tenantParks.joined(separator: ", ")))")
                }
                parkID = named
            } else if tenantParkIDs.count == 1 {
                parkID = tenantParkIDs[0]
            } else {
                throw ParkError.invalid(tenantParkIDs.isEmpty
                    ? "\(tenantName) has no application in progress at any park; a ticket needs the tenant's park"
                    : "\(tenantName) is at several parks (\(tenantParks.joined(separator: ", "))); say which with --park or --unit")
            }
            if try row.decode("in_future", as: Bool?.self) == true {
                throw ParkError.invalid("opened-at \(MessageTime.describe(request.openedAt!)) lies in the future")
            }
            // The database numbers the ticket, sets its clock and due times from the service
            // level (trigger ticket_prepare) and writes its created event (ticket_created).
            let created = try conn.preparedQuery("""
                WITH t AS (
                    INSERT INTO ticket (park_id, tenant_id, unit_id, category, priority, title, description, reporter, opened_at)
                    VALUES (\(parkID), \(tenantID), \(try row.decode("unit_id", as: Int?.self)), \(request.category.rawValue),
                            \(request.priority.rawValue), \(title), \(description), \(reporter), coalesce(\(request.openedAt)::timestamptz, now()))
                    RETURNING *
                )
                SELECT t.*, p.code AS park, tn.name AS tenant, tn.credit_code, parkctl_actor() AS created_by, parkctl_actor_name(parkctl_actor()) AS created_by_name,
                       NULL::text AS assignee_name,
                       CASE WHEN u.id IS NULL THEN NULL ELSE p.code || '/' || b.code || '/' || u.code END AS unit,
                       t.status <> 'cancelled' AND coalesce(t.first_response_at, now()) > t.response_due_at AS response_breached,
                       t.status <> 'cancelled' AND coalesce(t.resolved_at, now()) > t.resolution_due_at AS resolution_breached
                FROM t JOIN park p ON p.id = t.park_id JOIN tenant tn ON tn.id = t.tenant_id
                LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN building b ON b.id = u.building_id
                """).rows[0]
            // The ticket comes back from the INSERT itself: no second round trip. A new
            // ticket is not late yet; other tickets' breaches are left for list and show,
            // so that back-filled requests keep their timelines in order.
            let opened: Date = try created.decode("opened_at")
            var ticket = try Ticket(row: created)
            ticket.events = [
                TicketEvent(at: opened, actor: try created.decode("created_by"), actorName: try created.decode("created_by_name"), kind: "created", from: nil, to: "open", note: title),
            ]
            return ticket
        }
    }


    // MARK: Transitions

    /// Who `name` assigns a ticket to: the login of the one member of staff (whom the
    /// caller may see) with that display name (王芳 → wang_fang), else the text itself
    /// (a login, or someone outside parkctl such as 物业维修班). Several staff with the
    /// name: refused, naming their logins.
    public func assignee(_ name: String) throws -> String {
        let name = try Validate.text(name, field: "assignee", max: 100)
        let logins: [String] = try session.read { conn in
            try conn.query("SELECT parkctl_staff_named(\(name))").rows.map { try $0.decode(0) }
        }
        guard logins.count <= 1 else {
            throw ParkError.invalid("several staff go by the name \(name) (\(logins.joined(separator: ", "))): assign to one of these logins")
        }
        return logins.first ?? name
    }

    @discardableResult
    public func assign(_ number: String, to name: String, at: Date? = nil) throws -> Bool {
        try assignment(number, to: name, at: at).changed
    }

    /// Assigns the ticket to `name` (see `assignee(_:)`): whether that changed anything,
    /// and who it is assigned to (the login a display name stands for).
    public func assignment(_ number: String, to name: String, at: Date? = nil) throws -> (changed: Bool, assignee: String) {
        let assignee = try self.assignee(name)
        let changed = try record(number, kind: "assigned", to: nil, note: assignee, at: at,
                                 allowedFrom: [.open, .assigned, .inProgress], action: "be assigned")
        return (changed, assignee)
    }

    @discardableResult
    public func start(_ number: String, at: Date? = nil) throws -> Bool {
        try record(number, kind: "status", to: .inProgress, note: nil, at: at, allowedFrom: [.open, .assigned], action: "start")
    }

    public func comment(_ number: String, text: String, at: Date? = nil) throws {
        let text = try Validate.text(text, field: "comment", max: 10_000, multiline: true)
        _ = try record(number, kind: "comment", to: nil, note: text, at: at, allowedFrom: Set(TicketStatus.allCases), action: "take a comment")
    }

    @discardableResult
    public func resolve(_ number: String, note: String, at: Date? = nil) throws -> Bool {
        let note = try Validate.text(note, field: "note", max: 10_000, multiline: true)
        return try record(number, kind: "status", to: .resolved, note: note, at: at, allowedFrom: [.assigned, .inProgress],
                          action: "be resolved")
    }

    @discardableResult
    public func close(_ number: String, at: Date? = nil) throws -> Bool {
        try record(number, kind: "status", to: .closed, note: nil, at: at, allowedFrom: [.resolved], action: "be closed")
    }

    @discardableResult
    public func reopen(_ number: String, reason: String, at: Date? = nil) throws -> Bool {
        let reason = try Validate.text(reason, field: "reason", max: 10_000)
        return try record(number, kind: "status", to: .inProgress, note: reason, at: at, allowedFrom: [.resolved, .closed], action: "be reopened")
    }

    @discardableResult
    public func cancel(_ number: String, reason: String, at: Date? = nil) throws -> Bool {
        let reason = try Validate.text(reason, field: "reason", max: 10_000)
        return try record(number, kind: "status", to: .cancelled, note: reason, at: at, allowedFrom: [.open, .assigned, .inProgress],
                          action: "be cancelled")
    }

    /// Corrects event `event` (its number in `ticket show`) by appending a correction
    /// with its right time and/or note and the reason; the ticket's times and assignee
    /// follow the corrected timeline, and a breach the corrected times now show is recorded.
    public func correct(_ number: String, event: Int, at: Date?, note: String?, reason: String) throws {
        let reason = try Validate.text(reason, field: "reason", max: 10_000)
        let note = try note.map { try Validate.text($0, field: "note", max: 10_000, multiline: true) }
        guard at != nil || note != nil else { throw ParkError.invalid("give the right time (--at) or note (--note) of the event") }
        try session.write { conn in
            guard let row = try conn.query("""
                SELECT t.id, t.park_id, (SELECT e.id FROM (SELECT e.id, row_number() OVER (ORDER BY e.id) AS no
                                                        FROM ticket_event e WHERE e.ticket_id = t.id) e WHERE e.no = \(event)) AS event_id,
                       (SELECT count(*) FROM ticket_event e WHERE e.ticket_id = t.id) AS events
                FROM ticket t WHERE t.number = \(number) FOR UPDATE
                """).rows.first else {
                throw try Lookup.numberNotFound(.ticket, number, conn)
            }
            guard let eventID: Int = try row.decode("event_id") else {
                throw ParkError.notFound("ticket \(number) has events #1 to #\(try row.decode("events", as: Int.self)), not #\(event) "
                                         + "(see parkctl ticket show \(number))")
            }
            let ticketID: Int = try row.decode("id")
            try conn.execute("""
                INSERT INTO ticket_event (park_id, ticket_id, actor, kind, corrects, corrected_at, corrected_note, note)
                VALUES (\(try row.decode("park_id", as: Int.self)), \(ticketID), \(session.actor), 'correction', \(eventID),
                        \(at)::timestamptz, \(note), \(reason))
                """)
            try conn.execute("SELECT ticket_record_breaches(NULL, now(), \(ticketID))")
        }
    }

    /// Appends one event after checking the ticket's current status (locked). Asking
    /// for the state the ticket is in already (close a closed ticket, assign to the
    /// assignee it has) changes nothing and returns false, as ticking a ticked item does.
    private func record(_ number: String, kind: String, to: TicketStatus?, note: String?, at: Date?,
                        allowedFrom: Set<TicketStatus>, action: String) throws -> Bool {
        try session.write { conn in
            guard let row = try conn.query("""
                SELECT t.id, t.park_id, t.status, t.assignee,
                       (SELECT max(e.at) FROM ticket_event e WHERE e.ticket_id = t.id AND e.kind NOT IN ('sla_breach', 'correction')) AS last_at,
                       \(at)::timestamptz > now() + interval '1 minute' AS in_future
                FROM ticket t WHERE t.number = \(number) FOR UPDATE
                """).rows.first else {
                throw try Lookup.numberNotFound(.ticket, number, conn)
            }
            let status = try row.decode("status", as: TicketStatus.self)
            if kind == "status", to == status { return false }
            if kind == "assigned", allowedFrom.contains(status), try row.decode("assignee", as: String?.self) == note { return false }
            guard allowedFrom.contains(status) else {
                throw ParkError.invalid("ticket \(number) is \(status.rawValue); it cannot \(action): \(Self.nextStep(from: status, number))")
            }
            if let at {
                if try row.decode("in_future", as: Bool?.self) == true {
                    throw ParkError.invalid("the time \(MessageTime.describe(at)) lies in the future")
                }
                // A comment or an assignment forgotten at the time takes its place in the
                // timeline (the database checks it follows the opening); a status change
                // follows the last event.
                if kind != "comment", kind != "assigned", let last: Date = try row.decode("last_at"), at < last {
                    throw ParkError.invalid("the time \(MessageTime.describe(at)) is before the ticket's last event (\(MessageTime.describe(last))); "
                                            + "a status change is recorded in order (correct a wrong time with parkctl ticket correct)")
                }
            }
            let ticketID: Int = try row.decode("id")
            try conn.execute("""
                INSERT INTO ticket_event (park_id, ticket_id, at, actor, kind, from_status, to_status, note)
                VALUES (\(try row.decode("park_id", as: Int.self)), \(ticketID),
                        coalesce(\(at)::timestamptz, now()), \(session.actor), \(kind),
                        \(to == nil ? nil : status.rawValue), \(to?.rawValue), \(note))
                """)
            // A ticket that was late when it moved keeps the breach in its timeline, even
            // if no listing saw it while it was open. Back-filled events (`at` given) wait
            // for the next listing, so that their timeline stays in order.
            if at == nil {
                try conn.execute("SELECT ticket_record_breaches(NULL, now(), \(ticketID))")
            }
            return true
        }
    }

    /// What to do instead, as a command, for a ticket in `status`.
    static func nextStep(from status: TicketStatus, _ number: String) -> String {
        switch status {
        case .open: "start or assign it first (parkctl ticket start \(number), or parkctl ticket assign \(number) --to NAME)"
        case .assigned, .inProgress: "resolve it first (parkctl ticket resolve \(number) --note …)"
        case .resolved, .closed: "reopen it first (parkctl ticket reopen \(number) --reason …)"
        case .cancelled: "it was cancelled for good; open a new one (parkctl ticket open --tenant … --title …)"
        }
    }

    // MARK: Reading

    /// Filters for ``list(_:)``.
    public struct Filter: Sendable {
        public var park: String?
        public var tenantCreditCode: String?
        public var status: TicketStatus?
        public var assignee: String?
        public var breachedOnly = false
        /// Only unfinished tickets whose next due time is within this many minutes from now.
        public var dueWithinMinutes: Int?
        public init() {}
    }

    public func list(_ filter: Filter = Filter()) throws -> [Ticket] {
        try session.recordingBreaches(inPark: filter.park) { conn, _ in
            var filter = filter
            filter.tenantCreditCode = try filter.tenantCreditCode.map { try Lookup.tenant($0, conn).creditCode }
            // Only the filters asked for reach the SQL.
            var filters: [SQL] = []
            if let park = filter.park { filters.append("p.code = \(park)") }
            if let tenant = filter.tenantCreditCode { filters.append("tn.credit_code = \(tenant)") }
            if let status = filter.status { filters.append("t.status = \(status.rawValue)") }
            if let assignee = filter.assignee {
                filters.append("t.assignee = \(assignee) OR parkctl_actor_name(t.assignee) = \(assignee)")
            }
            if filter.breachedOnly {
                filters.append("""
                    t.status <> 'cancelled'
                    AND (coalesce(t.first_response_at, now()) > t.response_due_at OR coalesce(t.resolved_at, now()) > t.resolution_due_at)
                    """)
            }
            if let minutes = filter.dueWithinMinutes {
                filters.append("""
                    t.status IN ('open', 'assigned', 'in_progress')
                    AND CASE WHEN t.first_response_at IS NULL THEN t.response_due_at ELSE t.resolution_due_at END
                        <= now() + \(minutes)::int * interval '1 minute'
                    """)
            }
            return try Ticket.fetchAll(conn, "\(SQL.whereAll(filters)) ORDER BY t.opened_at, t.number")
        }
    }

    /// One ticket with its whole timeline (a breach seen now is recorded first).
    public func show(_ number: String, recordingBreaches: Bool = true) throws -> Ticket {
        try session.write { conn in
            guard let idRow = try conn.query("SELECT id FROM ticket WHERE number = \(number)").rows.first else {
                throw try Lookup.numberNotFound(.ticket, number, conn)
            }
            if recordingBreaches {
                try conn.execute("SELECT ticket_record_breaches(NULL, now(), \(try idRow.decode(0, as: Int.self)))")
            }
            guard var ticket = try Ticket.fetchOne(conn, "WHERE t.number = \(number)") else {
                throw try Lookup.numberNotFound(.ticket, number, conn)
            }
            ticket.unarrangedYears = try conn.query("""
                SELECT CASE WHEN t.clock = 'working' THEN
                           calendar_years_unarranged((t.opened_at AT TIME ZONE p.time_zone)::date,
                                                     (greatest(t.response_due_at, t.resolution_due_at) AT TIME ZONE p.time_zone)::date)
                       ELSE '{}' END
                FROM ticket t JOIN park p ON p.id = t.park_id WHERE t.number = \(number)
                """).rows[0].decode(0)
            // Numbered in the order they were recorded; a correction says what it changed.
            let events = try conn.query("""
                WITH e AS (SELECT e.*, row_number() OVER (ORDER BY e.id) AS no, p.time_zone
                           FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id JOIN park p ON p.id = t.park_id
                           WHERE t.number = \(number))
                SELECT e.no, e.at, e.actor, parkctl_actor_name(e.actor) AS actor_name, e.kind, e.from_status, e.to_status,
                       CASE WHEN e.kind = 'correction' THEN
                           'corrects #' || (SELECT c.no FROM e c WHERE c.id = e.corrects)
                           || coalesce(': time → ' || to_char(e.corrected_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD HH24:MI'), '')
                           || coalesce(CASE WHEN e.corrected_at IS NULL THEN ': ' ELSE '; ' END || 'note → ' || e.corrected_note, '')
                           || ' (' || e.note || ')'
                       ELSE e.note END AS note
                FROM e ORDER BY e.at, e.id
                """).rows.map { e in
                TicketEvent(number: try e.decode("no"), at: try e.decode("at"), actor: try e.decode("actor"),
                            actorName: try e.decode("actor_name"), kind: try e.decode("kind"),
                            from: try e.decode("from_status"), to: try e.decode("to_status"), note: try e.decode("note"))
            }
            ticket.events = events
            return ticket
        }
    }
}


extension ParkSession {
    /// A ticket listing or report is a write, named so: the breaches that have fallen
    /// due by now are recorded first (`ticket_record_breaches`), in the same
    /// transaction, so that what it shows and the tickets' timelines agree. `park`:
    /// that park's tickets only (its id is handed to `body`), `nil` every park the
    /// login sees.
    func recordingBreaches<T>(inPark park: String?, _ body: (Connection, _ parkID: Int?) throws -> T) throws -> T {
        try write { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            try conn.execute("SELECT ticket_record_breaches(\(parkID))")
            return try body(conn, parkID)
        }
    }
}

extension Ticket: PostgresRecord {
    /// A ticket without its timeline, with whether it is late now.
    public static let selection: SQL = """
        SELECT t.number, p.code AS park, tn.name AS tenant, tn.credit_code,
               CASE WHEN u.id IS NULL THEN NULL ELSE p.code || '/' || b.code || '/' || u.code END AS unit,
               t.category, t.priority, t.title, t.description, t.reporter, t.assignee,
               parkctl_actor_name(t.assignee) AS assignee_name, t.status, t.clock,
               t.opened_at, t.first_response_at, t.resolved_at, t.closed_at, t.response_due_at, t.resolution_due_at,
               t.status <> 'cancelled' AND coalesce(t.first_response_at, now()) > t.response_due_at AS response_breached,
               t.status <> 'cancelled' AND coalesce(t.resolved_at, now()) > t.resolution_due_at AS resolution_breached
        FROM ticket t JOIN park p ON p.id = t.park_id JOIN tenant tn ON tn.id = t.tenant_id
        LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN building b ON b.id = u.building_id
        """

    public init(row: PostgresRow) throws {
        self.init(number: try row.decode("number"), park: try row.decode("park"), tenantName: try row.decode("tenant"),
                  tenantCreditCode: try row.decode("credit_code"), unit: try row.decode("unit"),
                  category: try row.decode("category"), priority: try row.decode("priority"), title: try row.decode("title"),
                  description: try row.decode("description"), reporter: try row.decode("reporter"), assignee: try row.decode("assignee"),
                  status: try row.decode("status"), clock: try row.decode("clock"),
                  openedAt: try row.decode("opened_at"), firstResponseAt: try row.decode("first_response_at"),
                  resolvedAt: try row.decode("resolved_at"), closedAt: try row.decode("closed_at"),
                  responseDueAt: try row.decode("response_due_at"), resolutionDueAt: try row.decode("resolution_due_at"),
                  responseBreached: try row.decode("response_breached"), resolutionBreached: try row.decode("resolution_breached"),
                  events: [], assigneeName: try row.decode("assignee_name"))
    }
}
