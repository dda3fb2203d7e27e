import ArgumentParser
import Foundation
import ParkCore

/// Options every command that touches the database takes.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("PostgreSQL URL or conninfo (default: PARKCTL_DATABASE_URL, else the embedded cluster).",
                               valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("Give up a statement (a long report, say) after this many seconds.", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("Give up waiting for a row another session has locked after this many seconds.", valueName: "seconds"))
    var lockTimeout: Int = 10

    @Option(help: ArgumentHelp("Log in as this PostgreSQL role, a member of staff (default: PARKCTL_USER, else the URL's user or the embedded cluster's owner).",
                               valueName: "role"))
    var user: String?

    var resolvedUser: String? {
        if let user { return user }
        if let env = ProcessInfo.processInfo.environment["PARKCTL_USER"], !env.isEmpty { return env }
        return nil
    }

    var target: DatabaseTarget { DatabaseTarget.resolve(url: databaseURL) }

    func validate() throws {
        if let timeout, !(1...86_400).contains(timeout) { throw ValidationError("--timeout must be 1-86400 seconds") }
        if !(1...3_600).contains(lockTimeout) { throw ValidationError("--lock-timeout must be 1-3600 seconds") }
        if let user = resolvedUser, !Validate.isStaffName(user) {
            throw ValidationError("--user must be a staff name: 1-63 lower-case letters, digits or _, starting with a letter")
        }
    }

    /// Connects, setting up the embedded cluster if that is the target. `repairing`:
    /// see ``DatabaseTarget/connect(requireCurrentSchema:lockTimeout:statementTimeout:user:repairing:)``.
    /// `actor` is who the audit trail names for what the session changes.
    func session(actor: String = "parkctl", requireCurrentSchema: Bool = true, repairing: Bool = false) throws -> ParkSession {
        let warning = target.transportWarning()
        if let warning { FileHandle.standardError.write(Data("parkctl: \(Failure.printable(warning))\n".utf8)) }
        let session = try target.session(actor: actor, requireCurrentSchema: requireCurrentSchema, lockTimeout: lockTimeout,
                                          statementTimeout: timeout, user: resolvedUser, repairing: repairing)
        // What libpq actually used (a service file may name the host).
        if warning == nil, let late = target.transportWarning(session) {
            FileHandle.standardError.write(Data("parkctl: \(Failure.printable(late))\n".utf8))
        }
        return session
    }
}
