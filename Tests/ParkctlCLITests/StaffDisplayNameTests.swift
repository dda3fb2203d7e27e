import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Issue 14: logins stay ASCII, and a display name (李雷) shows beside them in the
/// audit trail and the ticket timelines.
@Suite struct StaffDisplayNameTests {
    @Test func aDisplayNameShowsBesideTheLoginInTimelines() throws {
        let staff = try StaffScopeTests.Staff()
        let out = try staff.cli.run(["staff", "add", "li_lei_\(staff.suffix)", "--role", "service", "--parks", "SW",
                                     "--display-name", "李雷", "--password-stdin", "--format", "json"], input: "correct horse 1")
        #expect(out.status == 0, "\(out.stderr)")
        let li = "li_lei_\(staff.suffix)"
        #expect(out.stdout.contains("\"display_name\": \"李雷\""))
        // Chinese in the login itself is still refused, with the way out.
        let chinese = try staff.cli.run(["staff", "add", "李雷", "--role", "service", "--parks", "SW"])
        #expect(chinese.status == 65 && chinese.stderr.contains("1-63 lower-case letters"), "\(chinese.stderr)")

        let number = try staff.ok(li, ["ticket", "open", "--tenant", StaffScopeTests.swTenant, "--category", "repair",
                                       "--title", "空调不制冷"]).split(separator: "\n")[0]
        try staff.ok(li, ["ticket", "start", String(number)])
        let shown = try staff.ok(li, ["ticket", "show", String(number), "--format", "json"])
        // The actor stays the login; the display name stands beside it.
        #expect(shown.contains("\"actor\": \"\(li)\"") && shown.contains("\"actor_name\": \"李雷\""), "\(shown)")
        // The audit trail, read by someone else: the same.
        let audit = try staff.cli.ok(["audit", "--entity", "ticket_event", "--format", "csv"])
        #expect(audit.contains("\(li),李雷,ticket_event"), "\(audit)")

        // Renamed, then removed: the timelines follow; what was recorded is the login.
        try staff.cli.ok(["staff", "set", li, "--display-name", "李磊"])
        #expect(try staff.ok(li, ["ticket", "show", String(number), "--format", "json"]).contains("\"actor_name\": \"李磊\""))
        try staff.cli.ok(["staff", "set", li, "--display-name", ""])
        #expect(try staff.ok(li, ["ticket", "show", String(number), "--format", "json"]).contains("\"actor_name\": null"))
        #expect(try staff.cli.db.connection.query("SELECT DISTINCT actor FROM ticket_event WHERE actor LIKE 'li_lei%'")
            .rows.map { try $0.decode(0, as: String.self) } == [li])

        // A ticket is assigned by display name too: the login is recorded, the name shown;
        // `ticket list --assignee` takes either. Two staff of one name: say which logins.
        try staff.cli.ok(["staff", "set", li, "--display-name", "李雷"])
        #expect(try staff.ok(li, ["ticket", "assign", String(number), "--to", "李雷"]) == "\(number) assigned to 李雷 (\(li))\n")
        let assigned = try staff.ok(li, ["ticket", "show", String(number), "--format", "json"])
        #expect(assigned.contains("\"assignee\": \"\(li)\"") && assigned.contains("\"assignee_name\": \"李雷\""), "\(assigned)")
        #expect(try staff.ok(li, ["ticket", "list", "--assignee", "李雷", "--format", "csv"]).contains(String(number)))
        let twin = try staff.add("li_lei2", role: "service", parks: "SW")
        try staff.cli.ok(["staff", "set", twin, "--display-name", "李雷"])
        try staff.refused(li, ["ticket", "assign", String(number), "--to", "李雷"], status: 65,
                          saying: "several staff go by the name 李雷 (\([li, twin].sorted().joined(separator: ", ")))")
        #expect(try staff.ok(li, ["ticket", "assign", String(number), "--to", "物业维修班"]) == "\(number) assigned to 物业维修班\n")

        // Only admins name staff; a scoped admin only staff within its parks.
        try staff.refused(li, ["staff", "set", li, "--display-name", "老板"], status: 77, saying: "not allowed")
        let ec = try staff.add("ec_admin", role: "admin", parks: "EC")
        try staff.refused(ec, ["staff", "set", li, "--display-name", "x"], status: 65, saying: "no staff named \(li)")
        try staff.refused(ec, ["staff", "set", ec, "--display-name", "bad\u{202E}name"],
                          status: 65, saying: "display name")
    }
}
