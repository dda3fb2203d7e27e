import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 14: `ticket correct` appends a correction (the timeline stays append-only),
/// and a comment or assignment forgotten at the time is recorded in its place.
@Suite struct TicketCorrectionTests {
    func refused(_ cli: CLI, _ args: [String], status: Int32 = 65, saying text: String) throws {
        let before = try cli.db.connection.tableChecksums()
        let out = try cli.run(args)
        #expect(out.status == status, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
        #expect(out.stderr.contains(text), "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    /// A ticket opened Tuesday 2026-12-01 09:00 (normal repair: response due 4 working
    /// hours later, 08:30-12:00 and 13:30-18:00: 09:00 + 3 h to 12:00, + 1 h from 13:30 = 14:30).
    func ticket(_ cli: CLI) throws -> String {
        try TicketCommandTests().tenant(cli)
        let opened = try cli.ok(["ticket", "open", "--tenant", "博思软件", "--category", "repair", "--title", "漏水",
                                 "--opened-at", "2026-12-01 09:00"])
        #expect(opened.contains("response due:   2026-12-01 14:30"))
        return String(opened.split(separator: "\n")[0])
    }

    @Test func aWrongTimeOrNoteIsCorrectedByAnAppendedEventAndTheTicketFollows() throws {
        let cli = try CLI()
        let t = try ticket(cli)
        try cli.ok(["ticket", "assign", t, "--to", "王工", "--at", "2026-12-01 09:20"])   // #2
        try cli.ok(["ticket", "start", t, "--at", "2026-12-01 09:40"])                   // #3
        try cli.ok(["ticket", "resolve", t, "--note", "修好", "--at", "2026-12-01 11:00"]) // #4
        // Forgotten at the time, recorded in its place: the first response becomes 09:10.
        try cli.ok(["ticket", "comment", t, "--text", "已电话联系", "--at", "2026-12-01 09:10"])  // #5
        #expect(try cli.ok(["ticket", "correct", t, "--event", "4", "--at", "2026-12-01 10:30", "--reason", "录入时间错误"])
                == "event #4 of \(t) corrected\n")                                            // #6
        try cli.ok(["ticket", "correct", t, "--event", "2", "--note", "李工", "--reason", "派错人"])     // #7

        let shown = try #require(try cli.json(["ticket", "show", t]) as? [String: Any])
        #expect(shown["first_response_at"] as? String == "2026-12-01T09:10:00+08:00")
        #expect(shown["resolved_at"] as? String == "2026-12-01T10:30:00+08:00")
        #expect(shown["assignee"] as? String == "李工")
        let events = try #require(shown["events"] as? [[String: Any]])
        // In time order; numbered in recording order; the corrected events are kept as recorded.
        #expect(events.map { ($0["no"] as? Int) ?? 0 } == [1, 5, 2, 3, 4, 6, 7])
        #expect(events[4]["at"] as? String == "2026-12-01T11:00:00+08:00" && events[4]["note"] as? String == "修好")
        #expect(events[5]["note"] as? String == "corrects #4: time → 2026-12-01 10:30 (录入时间错误)")
        #expect(events[6]["note"] as? String == "corrects #2: note → 李工 (派错人)")
        #expect(try cli.db.connection.query("SELECT count(*) FROM ticket_event").rows[0].decode(0, as: Int.self) == 7)

        // The order of statuses stays; times stay after the opening and not in the future.
        try refused(cli, ["ticket", "correct", t, "--event", "3", "--at", "2026-12-01 10:45", "--reason", "x"],
                    saying: "would put this status change out of order")
        try refused(cli, ["ticket", "correct", t, "--event", "5", "--at", "2026-12-01 08:00", "--reason", "x"],
                    saying: "before the ticket was opened")
        try refused(cli, ["ticket", "correct", t, "--event", "5", "--at", "2030-01-01 08:00", "--reason", "x"], saying: "cannot lie in the future")
        try refused(cli, ["ticket", "correct", t, "--event", "1", "--note", "x", "--reason", "x"],
                    saying: "a correction names an assignment, comment or status event")
        try refused(cli, ["ticket", "correct", t, "--event", "6", "--note", "x", "--reason", "x"],
                    saying: "a correction names an assignment, comment or status event")
        try refused(cli, ["ticket", "correct", t, "--event", "99", "--note", "x", "--reason", "x"],
                    saying: "ticket \(t) has events #1 to #7, not #99")
        try refused(cli, ["ticket", "correct", t, "--event", "2", "--reason", "x"], saying: "give the right time (--at) or note (--note)")
        try refused(cli, ["ticket", "correct", t, "--event", "2", "--note", "x", "--reason", " "], saying: "reason must not be empty")
        // A status change is still recorded in order.
        try refused(cli, ["ticket", "close", t, "--at", "2026-12-01 10:00"], saying: "before the ticket's last event")
        // The timeline itself cannot be rewritten.
        let refused68 = #expect(throws: PostgresError.self) { try cli.db.connection.execute("UPDATE ticket_event SET at = now() WHERE kind = 'status'") }
        #expect(refused68?.sqlState == SQLState("42501"), "\(String(describing: refused68))")
    }

    @Test func aBreachFollowsTheCorrectedTimesAndTheOneSeenStaysInTheTimeline() throws {
        let cli = try CLI()
        let t = try ticket(cli)
        try cli.ok(["ticket", "start", t, "--at", "2026-12-01 16:00"])   // after the 14:30 response due time
        #expect(try #require(try cli.json(["ticket", "show", t]) as? [String: Any])["response_breached"] as? Bool == true)
        try cli.ok(["ticket", "correct", t, "--event", "2", "--at", "2026-12-01 10:00", "--reason", "实际10点到场"])
        let shown = try #require(try cli.json(["ticket", "show", t]) as? [String: Any])
        #expect(shown["first_response_at"] as? String == "2026-12-01T10:00:00+08:00")
        #expect(shown["response_breached"] as? Bool == false)
        let kinds = try #require(shown["events"] as? [[String: Any]]).map { $0["kind"] as? String }
        #expect(kinds.contains("sla_breach"))   // what was seen then
    }

    @Test func staffCorrectOnlyWhatTheirRoleAndParksAllow() throws {
        let cli = try CLI()
        let t = try ticket(cli)
        try cli.ok(["ticket", "assign", t, "--to", "王工", "--at", "2026-12-01 09:20"])
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let viewer = "viewer_\(suffix)"
        let out = try cli.run(["staff", "add", viewer, "--role", "viewer", "--parks", "SW", "--password-stdin"], input: "correct horse 1")
        #expect(out.status == 0, "\(out.stderr)")
        let denied = try cli.run(["ticket", "correct", t, "--event", "2", "--note", "x", "--reason", "x", "--user", viewer],
                                 environment: ["PGPASSWORD": "correct horse 1"])
        #expect(denied.status == 77, "\(denied.stderr)")
    }
}
