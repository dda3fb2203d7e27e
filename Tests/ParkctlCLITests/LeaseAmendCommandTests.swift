import Foundation
import Postgres
import Testing
import TestSupport

/// `lease amend` and `lease renew` with changed terms, through the command line, as
/// staff of the demo's parks would use them, and as a hostile login would try them.
@Suite struct LeaseAmendCommandTests {
    /// The demo's SW lease of 博思软件 (SW/B1/0301 and 0302), and its first day.
    func bosiLease(_ cli: CLI) throws -> (number: String, start: CalendarDate) {
        let leases = try #require(try cli.json(["lease", "list", "--tenant", "博思软件"]) as? [[String: Any]])
        let lease = try #require(leases.first { $0["park"] as? String == "SW" })
        let start = try #require(lease["start"] as? String)
        return (try #require(lease["number"] as? String), try #require(CalendarDate(start)))
    }

    @Test func anAmendmentIsNumberedShownAndFollowedByTheSchedule() throws {
        let staff = try StaffScopeTests.Staff()
        let cli = staff.cli
        let (number, start) = try bosiLease(cli)
        // From the first day of the lease's fourth month: 0302 released, rent 40.00.
        let month3 = (start.month + 2) % 12 + 1
        let from = try #require(CalendarDate(year: start.year + (start.month + 2) / 12, month: month3, day: 1))
        let out = try cli.ok(["lease", "amend", number, "--from", from.description, "--rent", "40", "--release-unit", "SW/B1/0302",
                              "--note", "补充协议一：退租0302，调租"])
        #expect(out == "\(number)-A1 recorded: from \(from): rent 40.00 元/m²/month; releases SW/B1/0302\n")
        let shown = try #require(try cli.json(["lease", "show", number]) as? [String: Any])
        let amendments = try #require(shown["amendments"] as? [[String: Any]])
        #expect(amendments.count == 1 && amendments[0]["number"] as? String == "\(number)-A1")
        #expect(amendments[0]["note"] as? String == "补充协议一：退租0302，调租" && amendments[0]["units_released"] as? [String] == ["SW/B1/0302"])
        let partial = try #require(shown["units_for_part_of_the_term"] as? [[String: Any]])
        #expect(partial.count == 1 && partial[0]["unit"] as? String == "SW/B1/0302"
                && partial[0]["to"] as? String == from.adding(days: -1).description)
        // The month the amendment starts: the demo's 0301 (486.20 m²) alone at 40.00 for the
        // whole month: 486.20 × 40.00 = 19448.00.
        let schedule = try #require(shown["schedule"] as? [[String: Any]])
        let month = try #require(schedule.first { $0["from"] as? String == from.description })
        #expect((month["rent_due"] as? NSNumber)?.decimalValue == Decimal(string: "19448"))
        #expect((month["rent_per_m2"] as? NSNumber)?.decimalValue == Decimal(string: "40"))
        // The schedule alone, for Excel: the same month, with its area (fee 486.20 × 4.50 = 2187.90).
        let csv = try cli.ok(["lease", "schedule", number, "--format", "csv"]).split(separator: "\r\n").map(String.init)
        #expect(csv[0] == "month,from,to,days,free_days,area_m2,rent_per_m2,rent_due,property_fee_due")
        #expect(csv.contains { $0.hasPrefix("\(String(from.description.prefix(7))),\(from),") && $0.hasSuffix(",486.20,40.00,19448.00,2187.90") },
                "\(csv)")
        // 0302 is vacant from that day, and audit shows the amendment by its number.
        let units = try #require(try cli.json(["unit", "list", "--building", "SW/B1", "--as-of", from.description]) as? [[String: Any]])
        #expect(units.first { $0["code"] as? String == "SW/B1/0302" }?["status"] as? String == "vacant")
        #expect(units.first { $0["code"] as? String == "SW/B1/0301" }?["lease"] as? String == number)
        #expect(try cli.ok(["audit", "--entity", "lease_amendment"]).contains("\(number)-A1"))
    }

    @Test func badAmendmentsExit65NamingTheRuleWithNothingWritten() throws {
        let staff = try StaffScopeTests.Staff()
        let cli = staff.cli
        let (number, start) = try bosiLease(cli)
        let later = start.adding(days: 40).description
        func refused(_ args: [String], status: Int32 = 65, saying text: String) throws {
            let before = try cli.db.connection.tableChecksums()
            let out = try cli.run(["lease", "amend"] + args)
            #expect(out.status == status, "\(args) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(text), "\(args): \(out.stderr)")
            #expect(try cli.db.connection.tableChecksums() == before, "\(args) changed the database")
        }
        try refused([number], status: 64, saying: "an amendment changes something")
        try refused([number, "--rent", "40"], status: 64, saying: "give --from")
        try refused([number, "--from", later, "--end", "2029-12-31"], status: 64, saying: "with --end alone leave it out")
        try refused([number, "--end", "9999-12-31"], saying: "out of range: a day from 1900-01-01 to 2999-12-31")
        try refused([number, "--end", "2999-12-31"], saying: "a lease runs at most 20 years")
        try refused([number, "--from", "2026-02-30", "--rent", "40"], saying: "2026-02-30")
        try refused([number, "--from", later, "--rent", "-5"], saying: "rent")
        try refused([number, "--from", later, "--release-unit", "SW/B1/0301,SW/B1/0302"], saying: "would hold no unit from \(later)")
        try refused([number, "--from", later, "--add-unit", "SW/B1/0501"], saying: "is already leased to 腾讯数字乡村总部")
        try refused([number, "--from", later, "--add-unit", "SW/B1/0301"], saying: "is on lease \(number) already")
        try refused([number, "--from", later, "--add-unit", "SW/B1/9999"], saying: "unit 'SW/B1/9999' not found")
        try refused([number, "--from", later, "--rent", "40", "--note", "\u{1B}[31m红字"], saying: "note contains the control character U+1B")
        try refused(["L-2026-999999", "--from", later, "--rent", "40"], saying: "lease 'L-2026-999999' not found")
        try refused([], status: 64, saying: "Missing expected argument")
        // A terminated lease, and one renewed already (its end cannot move).
        let ended = try #require((try cli.json(["lease", "list", "--park", "SW"]) as? [[String: Any]])?
            .first { $0["status"] as? String == "terminated" }?["number"] as? String)
        try refused([ended, "--end", "2031-12-31"], saying: "was terminated")
        let renewed = try #require((try cli.json(["lease", "list", "--park", "SW"]) as? [[String: Any]])?
            .first { $0["status"] as? String == "signed" && $0["renewed_by"] is String }?["number"] as? String)
        try refused([renewed, "--end", "2035-12-31", "--reason", "补录"], saying: "is renewed by")
        // A lease that has ended is amended only with a reason (it changes what was due).
        let renewedShown = try #require(try cli.json(["lease", "show", renewed]) as? [String: Any])
        let renewedStartText = try #require(renewedShown["start"] as? String)
        let renewedStart = try #require(CalendarDate(renewedStartText))
        try refused([renewed, "--from", renewedStart.adding(days: 40).description, "--rent", "1"], saying: "give --reason")
    }

    @Test func aRenewalMayChangeItsUnitsAndTerms() throws {
        let staff = try StaffScopeTests.Staff()
        let cli = staff.cli
        let (number, _) = try bosiLease(cli)
        let shown = try #require(try cli.json(["lease", "show", number]) as? [String: Any])
        let endText = try #require(shown["end"] as? String)
        let end = try #require(CalendarDate(endText))
        let renewal = try cli.ok(["lease", "renew", number, "--end", end.adding(days: 365 * 3).description, "--rent", "41.5",
                                  "--units", "SW/B1/0301", "--property-fee", "5", "--escalation-pct", "2%", "--cycle", "annual",
                                  "--free-from", end.adding(days: 1).description, "--free-to", end.adding(days: 30).description])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let next = try #require(try cli.json(["lease", "show", renewal]) as? [String: Any])
        #expect(next["units"] as? [String] == ["SW/B1/0301"] && next["renews"] as? String == number)
        #expect((next["rent"] as? NSNumber)?.decimalValue == Decimal(string: "41.5"))
        #expect((next["property_fee"] as? NSNumber)?.decimalValue == Decimal(string: "5"))
        #expect((next["escalation_pct"] as? NSNumber)?.decimalValue == Decimal(2) && next["cycle"] as? String == "annual")
        #expect(next["start"] as? String == end.adding(days: 1).description)
        #expect(next["free_from"] as? String == end.adding(days: 1).description && next["free_to"] as? String == end.adding(days: 30).description)
        // Cancelled (改签), the lease can be renewed again.
        try cli.ok(["lease", "cancel", renewal, "--reason", "改签"])
        let again = try cli.run(["lease", "renew", number, "--end", end.adding(days: 365).description])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// Two sessions releasing two units each of a four-unit lease, at once, straight in
    /// the database: the second waits for the first, then finds no unit left and fails.
    @Test func twoReleasesAtOnceCannotLeaveALeaseWithoutUnits() throws {
        let staff = try StaffScopeTests.Staff()
        let sw = try staff.add("sw_leasing", role: "leasing", parks: "SW")
        let conninfo = staff.cli.db.conninfo + " user=\(sw) password='correct horse 1'"
        let lease = try #require((try staff.cli.json(["lease", "list", "--tenant", StaffScopeTests.swTenant]) as? [[String: Any]])?
            .last { ($0["units"] as? [String])?.count == 4 && $0["status"] as? String == "signed" }?["number"] as? String)
        @Sendable func release(_ offset: Int) -> String {
            """
            INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, units_released)
            SELECT park_id, id, lower(term), lower(term) + 40,
                   ARRAY(SELECT unit_id FROM lease_unit WHERE lease_id = lease.id ORDER BY unit_id LIMIT 2 OFFSET \(offset))
            FROM lease WHERE number = '\(lease)'
            """
        }
        let firstInserted = Signal()
        let outcomes = runConcurrently(2) { i -> Void in
            let conn = try Connection(conninfo)
            defer { conn.close() }
            try conn.simpleQuery("BEGIN")
            if i == 0 {
                try conn.execute(PostgresQuery(unsafeSQL: release(0)))
                firstInserted.fire()
                usleep(500_000)   // the other session is waiting for this one's lock by now
            } else {
                guard firstInserted.wait() else { throw PostgresError(kind: .client, message: "the first session never inserted") }
                try conn.execute(PostgresQuery(unsafeSQL: release(2)))
            }
            try conn.simpleQuery("COMMIT")
        }
        #expect(throws: Never.self) { try outcomes[0].get() }
        let refused148 = #expect(throws: PostgresError.self) { try outcomes[1].get() }
        #expect(refused148?.sqlState == SQLState("23514") && refused148?.constraint == "lease_units_cover_lease", "\(String(describing: refused148))")
        let held = try staff.cli.db.connection.query("""
            SELECT count(*) FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
            WHERE l.number = \(lease) AND NOT lu.cancelled AND upper(lu.during) = upper(l.term)
            """).rows[0].decode(0, as: Int.self)
        #expect(held == 2, "two units still held to the end")
    }

    /// `db check` finds a lease left without a unit on some days (by a repair with the
    /// rule switched off, or an older version), and says how to resolve it.
    @Test func dbCheckFindsDaysWithoutAUnit() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        #expect(try cli.run(["db", "check"]).status == 0)
        try cli.db.connection.simpleQuery("""
            ALTER TABLE lease_unit DISABLE TRIGGER lease_units_cover_lease;
            UPDATE lease_unit lu SET agreed = daterange(NULL, lower(l.term) + 30),
                   during = lease_unit_during(lease_occupancy(l.term, l.terminated_on), daterange(NULL, lower(l.term) + 30)),
                   cancelled = false
            FROM lease l WHERE l.id = lu.lease_id AND l.number = 'L-2026-000005';
            ALTER TABLE lease_unit ENABLE TRIGGER lease_units_cover_lease;
            """)
        // The demo's days follow today: the gap runs from the 31st day to the lease's last.
        let days = try cli.db.connection.query(
            "SELECT lower(term) + 30, upper(lease_occupancy(term, terminated_on)) - 1 FROM lease WHERE number = 'L-2026-000005'").rows[0]
        let (start, last) = (try days.decode(0, as: CalendarDate.self), try days.decode(1, as: CalendarDate.self))
        let check = try cli.run(["db", "check"])
        #expect(check.status == 65, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("lease L-2026-000005 holds no unit from \(start) to \(last)"), "\(check.stdout)")
    }

    /// The attacks: a login of another park, a viewer, and leasing staff writing the
    /// amendments table directly to forge, rewrite or erase one.
    @Test func amendmentsAreTheirParksAndAppendOnly() throws {
        let staff = try StaffScopeTests.Staff()
        let cli = staff.cli
        let (number, start) = try bosiLease(cli)
        let later = start.adding(days: 40).description
        let ec = try staff.add("ec_leasing", role: "leasing", parks: "EC")
        let viewer = try staff.add("sw_viewer", role: "viewer", parks: "SW")
        let sw = try staff.add("sw_leasing", role: "leasing", parks: "SW")
        try staff.refused(ec, ["lease", "amend", number, "--from", later, "--rent", "1"], status: 65, saying: "lease '\(number)' not found")
        try staff.refused(viewer, ["lease", "amend", number, "--from", later, "--rent", "1"], status: 77, saying: "not allowed")
        #expect(try staff.ok(sw, ["lease", "amend", number, "--from", later, "--rent", "39"]).hasPrefix("\(number)-A1 recorded"))

        let conn = try Connection(cli.db.conninfo + " user=\(sw) password='correct horse 1'")
        defer { conn.close() }
        let before = try cli.db.connection.tableChecksums()
        let attacks = [
            "UPDATE lease_amendment SET rent = 1",
            "DELETE FROM lease_amendment",
            "INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent, actor) SELECT park_id, id, '2026-01-01', lower(term), 1, 'boss' FROM lease WHERE number = '\(number)'",
            "INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent, number) SELECT park_id, id, '2026-01-01', lower(term), 1, 'X-1' FROM lease WHERE number = '\(number)'",
            "TRUNCATE lease_amendment",
        ]
        for attack in attacks {
            #expect(throws: PostgresError.self, "\(attack)") { try conn.execute(PostgresQuery(unsafeSQL: attack)) }
        }
        // Another park's lease, named by id, is no lease of the login's park.
        let ecLease: Int = try cli.db.connection.query("SELECT id FROM lease WHERE park_id = (SELECT id FROM park WHERE code = 'EC') LIMIT 1")
            .rows[0].decode(0)
        let swPark: Int = try cli.db.connection.query("SELECT id FROM park WHERE code = 'SW'").rows[0].decode(0)
        let refused210 = #expect(throws: PostgresError.self) {
            try conn.execute("INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent) VALUES (\(swPark), \(ecLease), '2026-01-01', '2026-06-01', 1)")
        }
        #expect(refused210?.sqlState == SQLState("23503"), "\(String(describing: refused210))")
        // Units leave a lease only through an amendment, which says what the lease holds.
        let lease = "(SELECT id FROM lease WHERE number = '\(number)')"
        let unitOnLease = "(SELECT min(unit_id) FROM lease_unit WHERE lease_id = \(lease))"
        let ecUnit = "(SELECT u.id FROM unit u JOIN park p ON p.id = u.park_id WHERE p.code = 'EC' LIMIT 1)"
        let notOnLease = "(SELECT u.id FROM unit u JOIN park p ON p.id = u.park_id WHERE p.code = 'SW' AND u.id NOT IN (SELECT unit_id FROM lease_unit WHERE lease_id = \(lease)) LIMIT 1)"
        let amendment = "INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, end_before, end_after, units_added, units_released, imported) SELECT park_id, id, "
        let forgeries = [
            "UPDATE lease_unit SET agreed = '[9000-01-01,9000-01-02)' WHERE lease_id = \(lease)",
            "UPDATE lease SET term = daterange(lower(term), upper(term) + 365) WHERE number = '\(number)'",
            "UPDATE lease SET rent = 0.01 WHERE number = '\(number)'",
            "UPDATE lease_unit SET agreed = '(,2026-01-01)', during = '[2026-11-12,2026-11-13)' WHERE lease_id = \(lease)",
            amendment + "lower(term), lower(term) + 40, '2000-01-01', '2039-01-01', '{}', '{}', false FROM lease WHERE number = '\(number)'",
            amendment + "lower(term), lower(term) + 40, NULL, NULL, ARRAY[\(ecUnit)], '{}', false FROM lease WHERE number = '\(number)'",
            amendment + "lower(term), lower(term) + 40, NULL, NULL, '{}', ARRAY[\(notOnLease)], false FROM lease WHERE number = '\(number)'",
            amendment + "lower(term), lower(term) + 40, NULL, NULL, ARRAY[\(notOnLease)], '{}', true FROM lease WHERE number = '\(number)'",
            amendment + "'2099-01-01', lower(term) + 40, NULL, NULL, '{}', ARRAY[\(unitOnLease)], false FROM lease WHERE number = '\(number)'",
            amendment + "'0001-01-01', lower(term) + 40, NULL, NULL, '{}', ARRAY[\(unitOnLease)], false FROM lease WHERE number = '\(number)'",
        ]
        let ended = "(SELECT id FROM lease WHERE status = 'terminated' AND park_id = (SELECT id FROM park WHERE code = 'SW') LIMIT 1)"
        let pastLease = "(SELECT id FROM lease WHERE number = 'L-2020-000001')"
        let secondReview = [
            // A terminated lease reopened, a unit slipped into a lease, odd days.
            "UPDATE lease SET status = 'signed', terminated_on = NULL WHERE id = \(ended)",
            "INSERT INTO lease_unit (park_id, lease_id, unit_id, during, cancelled, agreed) SELECT park_id, id, \(notOnLease), term, false, '(,)' FROM lease WHERE number = '\(number)'",
            "INSERT INTO lease_unit (park_id, lease_id, unit_id, during, cancelled, agreed) SELECT park_id, id, \(notOnLease), term, false, '[-infinity,infinity)' FROM lease WHERE number = '\(number)'",
            // Imported records by a scoped login, an ended lease's rent without a reason,
            // a unit both added and released, or named twice.
            amendment + "lower(term), lower(term) + 40, '2040-01-01', '2046-12-31', '{}', '{}', true FROM lease WHERE number = '\(number)'",
            "INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent) SELECT park_id, id, lower(term), lower(term) + 40, 1 FROM lease WHERE id = \(pastLease)",
            amendment + "lower(term), lower(term) + 40, NULL, NULL, ARRAY[\(unitOnLease)], ARRAY[\(unitOnLease)], false FROM lease WHERE number = '\(number)'",
            amendment + "lower(term), lower(term) + 40, NULL, NULL, '{}', ARRAY[\(unitOnLease), \(unitOnLease)], false FROM lease WHERE number = '\(number)'",
        ]
        for forgery in forgeries + secondReview {
            #expect(throws: PostgresError.self, "\(forgery)") { try conn.execute(PostgresQuery(unsafeSQL: forgery)) }
        }
        // Switching to the group role before COMMIT does not blind the check that a lease
        // holds a unit every day (it runs as the owner).
        try conn.simpleQuery("BEGIN")
        try conn.execute(PostgresQuery(unsafeSQL: """
            INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, units_released)
            SELECT park_id, id, lower(term), lower(term) + 40, ARRAY(SELECT unit_id FROM lease_unit WHERE lease_id = lease.id)
            FROM lease WHERE number = '\(number)'
            """))
        try conn.simpleQuery("SET ROLE parkctl_leasing")
        let refused257 = #expect(throws: PostgresError.self) { try conn.simpleQuery("COMMIT") }
        #expect(refused257?.sqlState == SQLState("23514") && refused257?.constraint == "lease_units_cover_lease", "\(String(describing: refused257))")
        if conn.isInTransaction { try conn.simpleQuery("ROLLBACK") }
        try conn.simpleQuery("RESET ROLE")
        #expect(try cli.db.connection.tableChecksums() == before, "an attack changed the database")
        // The recorded amendment is the login's, whatever it claims.
        #expect(try cli.db.connection.query("SELECT actor FROM lease_amendment").rows.map { try $0.decode(0, as: String.self) } == [sw])
    }
}
