import ArgumentParser
import Foundation
import ParkCore

/// Times on the command line: `2026-12-04 17:30` in the parks' zone (Asia/Shanghai),
/// or ISO 8601 with an offset.
func parseTime(_ text: String, field: String) throws -> Date {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.count <= 19, let local = localTime(t) { return local }
    if let instant = try? Date.decode(postgresText: t.replacingOccurrences(of: "Z", with: "+00"), type: .timestamptz) {
        return instant
    }
    throw ParkError.invalid("\(field) '\(text)' is not a time: write YYYY-MM-DD HH:MM (Asia/Shanghai) or ISO 8601 with an offset")
}

private func localTime(_ t: String) -> Date? {
    let withSeconds = t.count == 16 ? t + ":00" : t
    guard withSeconds.count == 19 else { return nil }
    return try? Date.decode(postgresText: withSeconds + "+08", type: .timestamptz)
}

/// `30m`, `4h`, `2d` of wall-clock time, in minutes.
func parseWallDuration(_ text: String, field: String) throws -> Int {
    guard let last = text.last, let n = Int(text.dropLast()), n >= 0, n <= 1_000_000 else {
        throw ParkError.invalid("\(field) '\(text)' must be a whole number and m, h or d, e.g. 4h")
    }
    switch last {
    case "m": return n
    case "h": return n * 60
    case "d": return n * 1440
    default: throw ParkError.invalid("\(field) '\(text)' must end in m, h or d")
    }
}

struct TicketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket", abstract: "Tenant service requests and their service levels.",
        subcommands: [Open.self, Assign.self, Start.self, Comment.self, Resolve.self, Close.self, Reopen.self, Cancel.self,
                      Correct.self, List.self, Show.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a ticket; prints its number and due times.",
            discussion: "Example: parkctl ticket open --tenant 91350100M000100Y43 --unit SW/B1/0301 --category repair --priority high --title 空调漏水")
        @OptionGroup var staff: StaffOptions
        @Option(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park (needed only for a tenant at several parks without --unit).") var park: String?
        @Option(help: "The unit concerned, PARK/BUILDING/UNIT.") var unit: String?
        @Option(choice: "Category") var category: TicketCategory
        @Option(choice: "Priority") var priority: TicketPriority = .normal
        @Option(parsing: .unconditional, help: "Title.") var title: String
        @Option(help: "Description.") var description: String?
        @Option(help: "Who reported it.") var reporter: String?
        @Option(help: "When it arrived, YYYY-MM-DD HH:MM (Asia/Shanghai); not in the future.") var openedAt: String?

        func run() throws {
            let request = TicketService.Request(
                tenantCreditCode: tenant, park: park, unit: try unit.map(UnitAddress.init(parsing:)),
                category: category, priority: priority, title: title,
                description: description, reporter: reporter, openedAt: try openedAt.map { try parseTime($0, field: "opened-at") })
            let t = try TicketService(staff.session()).open(request)
            say("\(t.number)\n  response due:   \(Timestamps.local(t.responseDueAt))\n  resolution due: \(Timestamps.local(t.resolutionDueAt))\n")
        }
    }

    struct TicketArgument: ParsableArguments {
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Ticket number, e.g. T-2026-000045.") var number: String
        @Option(help: "When it happened, YYYY-MM-DD HH:MM (default: now).") var at: String?
        var time: Date? { get throws { try at.map { try parseTime($0, field: "at") } } }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign a ticket to someone.")
        @OptionGroup var ticket: TicketArgument
        @Option(help: "Who: a login, a member of staff's display name (王芳), or anyone else by name.") var to: String
        func run() throws {
            let (changed, login) = try TicketService(try ticket.staff.session()).assignment(ticket.number, to: to, at: try ticket.time)
            let who = login == to ? to : "\(to) (\(login))"
            say(changed ? "\(ticket.number) assigned to \(who)\n" : "\(ticket.number) is assigned to \(who) already; nothing changed\n")
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start work on a ticket.")
        @OptionGroup var ticket: TicketArgument
        func run() throws {
            let changed = try TicketService(ticket.staff.session()).start(ticket.number, at: try ticket.time)
            say(changed ? "\(ticket.number) in progress\n" : "\(ticket.number) is in progress already; nothing changed\n")
        }
    }

    struct Comment: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a comment to the timeline.")
        @OptionGroup var ticket: TicketArgument
        @Option(help: "The comment.") var text: String
        func run() throws {
            try TicketService(ticket.staff.session()).comment(ticket.number, text: text, at: try ticket.time)
            say("comment added to \(ticket.number)\n")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct the time or note of an event recorded wrong; the timeline keeps both.",
            discussion: """
                The event is named by its number in `parkctl ticket show` (the no column). The correction is \
                appended to the timeline with the reason; the ticket's response, resolution and closing times and \
                its assignee follow the corrected timeline. A comment or assignment forgotten at the time is \
                recorded in its place instead: parkctl ticket comment T-… --text … --at "2026-12-01 09:30".
                Example: parkctl ticket correct T-2026-000045 --event 4 --at "2026-12-01 10:05" --reason 录入时间错误
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Ticket number, e.g. T-2026-000045.") var number: String
        @Option(help: "The number of the event to correct (ticket show's no column).") var event: Int
        @Option(help: "Its right time, YYYY-MM-DD HH:MM.") var at: String?
        @Option(help: "Its right note (for an assignment: the right assignee).") var note: String?
        @Option(help: "Why (required; kept in the timeline).") var reason: String
        func run() throws {
            try TicketService(staff.session()).correct(number, event: event, at: try at.map { try parseTime($0, field: "at") },
                                                       note: note, reason: reason)
            say("event #\(event) of \(number) corrected\n")
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a ticket.")
        @OptionGroup var ticket: TicketArgument
        @Option(help: "What was done.") var note: String
        func run() throws {
            let changed = try TicketService(ticket.staff.session()).resolve(ticket.number, note: note, at: try ticket.time)
            say(changed ? "\(ticket.number) resolved\n" : "\(ticket.number) is resolved already; nothing changed\n")
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a resolved ticket.")
        @OptionGroup var ticket: TicketArgument
        func run() throws {
            let changed = try TicketService(ticket.staff.session()).close(ticket.number, at: try ticket.time)
            say(changed ? "\(ticket.number) closed\n" : "\(ticket.number) is closed already; nothing changed\n")
        }
    }

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a resolved or closed ticket.")
        @OptionGroup var ticket: TicketArgument
        @Option(help: "Why.") var reason: String
        func run() throws {
            let changed = try TicketService(ticket.staff.session()).reopen(ticket.number, reason: reason, at: try ticket.time)
            say(changed ? "\(ticket.number) reopened\n" : "\(ticket.number) is in progress already; nothing changed\n")
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a ticket.")
        @OptionGroup var ticket: TicketArgument
        @Option(help: "Why.") var reason: String
        func run() throws {
            let changed = try TicketService(ticket.staff.session()).cancel(ticket.number, reason: reason, at: try ticket.time)
            say(changed ? "\(ticket.number) cancelled\n" : "\(ticket.number) is cancelled already; nothing changed\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tickets.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this tenant (credit code, registered name or short name).") var tenant: String?
        @Option(choice: "Only this status") var status: TicketStatus?
        @Option(help: "Only tickets assigned to this person.") var assignee: String?
        @Flag(help: "Only tickets past a due time.") var breached = false
        @Option(help: "Only unfinished tickets due within this time from now (30m, 4h, 2d).") var dueWithin: String?

        func run() throws {
            var filter = TicketService.Filter()
            filter.park = park
            filter.tenantCreditCode = tenant
            filter.status = status
            filter.assignee = assignee
            filter.breachedOnly = breached
            filter.dueWithinMinutes = try dueWithin.map { try parseWallDuration($0, field: "due-within") }
            let tickets = try TicketService(staff.session()).list(filter)
            try output.print(tickets.map(\.record), columns: output.format == .table
                                    ? ["number", "tenant", "category", "priority", "title", "status", "assignee", "resolution_due_at", "breached"] : nil)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a ticket: details, due times, timeline.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Ticket number.") var number: String

        func run() throws {
            let t = try TicketService(staff.session()).show(number)
            try output.printOne(t.detailRecord)
            if let warning = t.calendarWarning { warn(warning) }
        }
    }
}
