import ArgumentParser
import Foundation
import ParkCore
#if canImport(Glibc)
import Glibc
#endif

/// The database and who is acting: every command that reads or changes park data.
struct StaffOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Who is acting, recorded in the audit trail (default: PARKCTL_ACTOR, else your login name).",
                               valueName: "name"))
    var actor: String?

    var resolvedActor: String {
        if let actor { return actor }
        if let env = ProcessInfo.processInfo.environment["PARKCTL_ACTOR"], !env.isEmpty { return env }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    /// `repairing`: for the commands that resolve overlapping leases, which run even
    /// when those leases block a migration (see `db check`).
    func session(repairing: Bool = false) throws -> ParkSession {
        let actor = try Validate.text(resolvedActor, field: "actor", max: 100)
        return try database.session(actor: actor, repairing: repairing)
    }
}

/// Prints to standard output as it is: tables, JSON and CSV, which escape or quote
/// what they hold.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Prints a message for people (a confirmation that names what changed): control
/// characters in a name from the database are written as \u{…}, never sent raw.
func say(_ text: String) {
    emit(Validate.escapingControlCharacters(text, keeping: ["\n"]))
}

/// Prints a warning for people on standard error ("parkctl: warning: …"), beside output
/// that stays machine-readable on standard output.
func warn(_ text: String) {
    FileHandle.standardError.write(Data("parkctl: warning: \(Failure.printable(text))\n".utf8))
}
