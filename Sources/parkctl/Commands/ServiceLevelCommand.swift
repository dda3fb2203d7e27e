import ArgumentParser
import ParkCore

struct ServiceLevelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla", abstract: "Service levels: response and resolution targets.", subcommands: [List.self, Set.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the targets.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        func run() throws {
            try output.print(try ServiceLevelService(staff.session()).list().map(\.record))
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the targets of a category and priority.",
            discussion: "m and h are working minutes and hours, d working days: parkctl sla set --category repair --priority normal --response 4h --resolution 3d")
        @OptionGroup var staff: StaffOptions
        @Option(choice: "Category") var category: TicketCategory
        @Option(choice: "Priority") var priority: TicketPriority
        @Option(help: "First-response target (30m, 2h, 1d).") var response: String?
        @Option(help: "Resolution target.") var resolution: String?
        @Option(choice: "Clock (working pauses outside working hours)") var clock: SLAClock?

        func validate() throws {
            if response == nil && resolution == nil && clock == nil {
                throw ValidationError("give --response, --resolution or --clock")
            }
        }

        func run() throws {
            try ServiceLevelService(staff.session()).set(
                category: category, priority: priority,
                response: try response.map { try SLATarget(parsing: $0, field: "response") },
                resolution: try resolution.map { try SLATarget(parsing: $0, field: "resolution") },
                clock: clock)
            say("service level \(category.rawValue)/\(priority.rawValue) changed\n")
        }
    }
}
