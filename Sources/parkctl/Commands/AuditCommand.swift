import ArgumentParser
import ParkCore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit trail: every change, who made it and when.")
    @OptionGroup var staff: StaffOptions
    @OptionGroup var output: FormatOptions
    @Option(help: ArgumentHelp("Only this entity: \(AuditService.entities.joined(separator: ", ")).", valueName: "entity"),
            completion: .list(AuditService.entities))
    var entity: String?
    @Option(help: "Only this park.") var park: String?
    @Option(help: "Only changes since this day, YYYY-MM-DD.") var since: String?
    @Option(help: "At most this many (the newest).") var limit: Int = 200

    func run() throws {
        let since = try since.map { try Day(option: $0, field: "since").date }
        let entries = try AuditService(staff.session()).entries(entity: entity, park: park, since: since, limit: limit)
        try output.print(entries.map(\.record), columns: output.format == .table ? ["at", "actor", "actor_name", "entity", "label", "action", "changes", "reason"] : nil)
    }
}
