import ArgumentParser
import Foundation
import ParkCore

@main
struct Parkctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parkctl",
        abstract: "Industrial-park tenant and leasing manager.",
        discussion: """
            With no --database-url and no PARKCTL_DATABASE_URL, parkctl runs on its own \
            local PostgreSQL cluster, created and started on first use.
            """,
        version: Parkctl.version,
        subcommands: [DatabaseCommand.self, ParkCommand.self, BuildingCommand.self, UnitCommand.self,
                      TenantCommand.self, LeaseCommand.self, BillCommand.self, PaymentCommand.self, LateFeeCommand.self,
                      InvoiceCommand.self, StatementCommand.self, TicketCommand.self, ServiceLevelCommand.self,
                      CalendarCommand.self, ReportCommand.self, MeterCommand.self, TariffCommand.self, UtilityCommand.self, StatCommand.self, QualificationCommand.self, LeadCommand.self, ImportCommand.self, ExportCommand.self, AuditCommand.self, StaffCommand.self,
                      DemoCommand.self]
    )

    /// `parkctl --version`: the release, the commit it was built from and the newest
    /// migration it carries, e.g. `parkctl 0.2.0 (commit b373ad4c1f02, schema 0013_onboarding_follows_lease)`.
    static let version: String = {
        let schema = Migration.embedded.last.map { String($0.name.dropLast(4)) } ?? "none"
        return "parkctl 0.2.0 (commit \(BuildInfo.commit.prefix(12)), schema \(schema))"
    }()

    /// For a command name typed with a slip (`parkctl unit lst`): "no command 'unit
    /// lst'; did you mean parkctl unit list?", or nil when the words name commands.
    static func unknownCommandHint(_ arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Parkctl.self
        var path: [String] = []
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if let next = subcommands.first(where: { $0._commandName == word }) {
                command = next
                path.append(word)
                continue
            }
            let names = subcommands.map { $0._commandName }
            // Only the command: the rest of the line may hold a URL with a password.
            let near = Spelling.closest(to: word, among: names).map { (["parkctl"] + path + [$0]).joined(separator: " ") }
            let known = "the commands of parkctl\(path.isEmpty ? "" : " " + path.joined(separator: " ")) are \(names.joined(separator: ", "))"
            return "no command '\((path + [word]).joined(separator: " "))'"
                + (near.isEmpty ? "; \(known)" : "; did you mean \(near.joined(separator: " or "))?")
        }
        return nil
    }

    /// Runs the command and turns every failure into a message on standard error
    /// and a sysexits status: 64 usage, 65 data, 69 database unavailable, 70 internal.
    static func main() {
        // Swift would quietly repair bad bytes into U+FFFD and store that: refuse instead.
        for i in 1..<Int(CommandLine.argc) {
            if let raw = CommandLine.unsafeArgv[i], String(validatingCString: raw) == nil {
                FileHandle.standardError.write(Data("parkctl: argument \(i) is not valid UTF-8 text; nothing was changed\n".utf8))
                Foundation.exit(Failure.dataError)
            }
        }
        do {
            _ = try OutputLanguage.resolve(ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("parkctl: \(Failure.printable(fullMessage(for: error)))\n".utf8))
            Foundation.exit(Failure.usage)
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) != .success, let hint = unknownCommandHint(Array(CommandLine.arguments.dropFirst())) {
                FileHandle.standardError.write(Data("parkctl: \(Failure.printable(hint))\n".utf8))
                Foundation.exit(Failure.usage)
            }
            let status = exitCode(for: error)
            if status != .success {
                // A value that did not parse is echoed in the message (a typed option's,
                // such as --kind): shown with its control characters escaped and any
                // password hidden, as run()'s are, and starting `parkctl:` as they do.
                var message = fullMessage(for: error)
                if message.hasPrefix("Error: ") { message = "parkctl: " + message.dropFirst("Error: ".count) }
                FileHandle.standardError.write(Data("\(Failure.printable(message))\n".utf8))
                Foundation.exit(status.rawValue)   // usage errors: 64
            }
            exit(withError: error)   // help and version: 0
        }
        do {
            var command = command
            try command.run()
        } catch {
            // `parkctl lease sign --help` arrives here as a help request, not a failure.
            if exitCode(for: error) == .success { exit(withError: error) }
            let failure = Failure(error)
            FileHandle.standardError.write(Data("parkctl: \(Failure.printable(failure.message))\n".utf8))
            Foundation.exit(failure.status)
        }
    }
}
