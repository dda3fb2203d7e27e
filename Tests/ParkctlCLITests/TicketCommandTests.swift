import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct TicketCommandTests {
    func tenant(_ cli: CLI) throws {
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
    }

    @Test func openShowAndMoveATicket() throws {
        let cli = try CLI()
        try tenant(cli)
        let opened = try cli.ok(["ticket", "open", "--tenant", "91350100M000100Y43", "--unit", "SW/B1/0301", "--category", "repair",
                                 "--priority", "high", "--title", "空调漏水", "--opened-at", "2026-11-20 17:30"])
        let number = String(opened.split(separator: "\n")[0])
        #expect(number.hasPrefix("T-2026-"))
        #expect(opened.contains("response due:   2026-11-23 10:00"))
        #expect(opened.contains("resolution due: 2026-11-23 17:30"))
        try cli.ok(["ticket", "assign", number, "--to", "张工", "--at", "2026-11-20 17:45"])
        try cli.ok(["ticket", "start", number, "--at", "2026-11-23 08:40"])
        try cli.ok(["ticket", "comment", number, "--text", "已联系厂家", "--at", "2026-11-23 09:00"])
        try cli.ok(["ticket", "resolve", number, "--note", "更换排水管", "--at", "2026-11-23 11:00"])
        let show = try #require(try cli.json(["ticket", "show", number]) as? [String: Any])
        #expect(show["number"] as? String == number)
        #expect(show["status"] as? String == "resolved")
        #expect(show["opened_at"] as? String == "2026-11-20T17:30:00+08:00")
        #expect(show["response_due_at"] as? String == "2026-11-23T10:00:00+08:00")
        #expect(show["resolution_due_at"] as? String == "2026-11-23T17:30:00+08:00")
        #expect(show["breached"] as? Bool == false)
        let events = try #require(show["events"] as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["created", "assigned", "status", "comment", "status"])
        #expect(events[1]["at"] as? String == "2026-11-20T17:45:00+08:00")

        let closeOpen = try cli.run(["ticket", "reopen", number])
        #expect(closeOpen.status == 64)   // --reason is required
        try cli.ok(["ticket", "close", number])
        let cancel = try cli.run(["ticket", "cancel", number, "--reason", "x"])
        #expect(cancel.status == 65)
        #expect(cancel.stderr.contains("is closed; it cannot be cancelled: reopen it first (parkctl ticket reopen"))
        let csv = try cli.ok(["ticket", "list", "--format", "csv"])
        #expect(csv.hasPrefix("number,park,tenant,credit_code,unit,category,priority,title,"))
        #expect(try cli.ok(["ticket", "list"]).contains("空调漏水"))
    }

    @Test func breachedAndBadInput() throws {
        let cli = try CLI()
        try tenant(cli)
        let late = String(try cli.ok(["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "network", "--priority", "urgent",
                                      "--title", "断网", "--opened-at", "2026-11-20 09:00"]).split(separator: "\n")[0])
        let breached = try #require(try cli.json(["ticket", "list", "--breached"]) as? [[String: Any]])
        #expect(breached.map { $0["number"] as? String } == [late])
        let cases: [([String], String)] = [
            (["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "repair", "--title", " "], "title must not be empty"),
            (["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "repair", "--title", "x", "--opened-at", "2099-01-01 09:00"],
             "lies in the future"),
            (["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "repair", "--title", "x", "--opened-at", "yesterday"],
             "opened-at 'yesterday'"),
            (["ticket", "start", "T-2026-999999"], "ticket 'T-2026-999999' not found"),
            (["sla", "set", "--category", "repair", "--priority", "normal", "--response", "4x"], "must end in m"),
            (["calendar", "add-holiday", "2026-02-30"], "date '2026-02-30'"),
        ]
        for (args, message) in cases {
            let out = try cli.run(args)
            #expect(out.status == 65, "\(args): \(out.stderr)")
            #expect(out.stderr.contains(message), "\(args): \(out.stderr)")
        }
        // A word outside a vocabulary is a usage error (issue 15, section 3: exit 64).
        let plumbing = try cli.run(["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "plumbing", "--title", "x"])
        #expect(plumbing.status == 64, "\(plumbing.stderr)")
        #expect(plumbing.stderr.contains("category 'plumbing'"), "\(plumbing.stderr)")
    }

    @Test func serviceLevelsAndCalendar() throws {
        let cli = try CLI()
        try tenant(cli)
        try cli.ok(["sla", "set", "--category", "repair", "--priority", "normal", "--response", "2h", "--resolution", "2d"])
        let levels = try #require(try cli.json(["sla", "list"]) as? [[String: Any]])
        let repairNormal = levels.first { $0["category"] as? String == "repair" && $0["priority"] as? String == "normal" }
        #expect(repairNormal?["response"] as? String == "2h" && repairNormal?["resolution"] as? String == "2d")
        #expect(try cli.ok(["calendar", "add-holiday", "2026-11-23", "--name", "测试"]).contains("holiday"))
        let file = NSTemporaryDirectory() + "/parkctl-cal-\(UUID().uuidString).csv"
        try "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,调休\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try cli.ok(["calendar", "import", file]).contains("read 2 days, 2 new or changed"))
        let days = try #require(try cli.json(["calendar", "list", "--year", "2027"]) as? [[String: Any]])
        #expect(days.map { $0["date"] as? String } == ["2027-01-01", "2027-02-06"])
        #expect(try cli.ok(["calendar", "list", "--year", "2026", "--format", "csv"]).contains("2026-11-23,holiday,测试,,\r\n"))
        let opened = try cli.ok(["ticket", "open", "--tenant", "91350100M000100Y43", "--category", "repair", "--priority", "normal",
                                 "--title", "x", "--opened-at", "2026-11-20 17:00"])
        // 2 working hours from Friday 17:00, with Monday a holiday: Tuesday 09:30.
        #expect(opened.contains("response due:   2026-11-24 09:30"))
    }

    /// A time in a message is the park's, as it was typed (it was shown in UTC).
    @Test func timesInMessagesAreTheParksAsTyped() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let future = try cli.run(["ticket", "open", "--tenant", "91430400MA40001014", "--park", "SW", "--category", "repair",
                                  "--title", "漏水", "--opened-at", "2099-12-09 10:00"])
        #expect(future.status == 65 && future.stderr.contains("opened-at 2099-12-09 10:00+08:00 lies in the future"), "\(future.stderr)")
    }

    /// Asking again for what is done already changes nothing and exits 0, as ticking a
    /// ticked item does (closing a closed ticket was an error).
    @Test func repeatedCommandsChangeNothingAndSaySo() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let opened = try cli.ok(["ticket", "open", "--tenant", "91430400MA40001014", "--park", "SW", "--category", "repair", "--title", "门锁"])
        let number = String(try #require(opened.firstMatch(of: /T-\d{4}-\d{6}/)).output)
        try cli.ok(["ticket", "assign", number, "--to", "张工"])
        for (args, said) in [(["ticket", "assign", number, "--to", "张工"], "assigned to 张工 already"),
                             (["ticket", "start", number], nil), (["ticket", "start", number], "in progress already"),
                             (["ticket", "resolve", number, "--note", "换锁"], nil), (["ticket", "resolve", number, "--note", "换锁"], "resolved already"),
                             (["ticket", "close", number], nil), (["ticket", "close", number], "closed already")] as [([String], String?)] {
            let before = try cli.db.connection.tableChecksums()
            let out = try cli.run(args)
            #expect(out.status == 0, "\(args): \(out.stderr)")
            if let said {
                #expect(out.stdout.contains(said) && out.stdout.contains("nothing changed"), "\(args): \(out.stdout)")
                #expect(try cli.db.connection.tableChecksums() == before, "\(args) changed the database")
            }
        }
        // A real change still refuses what cannot be: a closed ticket is not started.
        #expect(try cli.run(["ticket", "start", number]).status == 65)
        try cli.ok(["ticket", "reopen", number, "--reason", "又坏了"])
        let again = try cli.run(["ticket", "reopen", number, "--reason", "又坏了"])
        #expect(again.status == 0 && again.stdout.contains("in progress already; nothing changed"), "\(again.stdout)\(again.stderr)")
    }
}
