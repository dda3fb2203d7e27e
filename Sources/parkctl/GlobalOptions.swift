import ArgumentParser
import ParkCore
import Postgres

/// Options every command that touches the database takes.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("PostgreSQL URL or conninfo (default: PARKCTL_DATABASE_URL, else the embedded cluster).",
                               valueName: "url"))
    var databaseURL: String?

    var target: DatabaseTarget { DatabaseTarget.resolve(url: databaseURL) }

    /// Connects, setting up the embedded cluster if that is the target.
    func connect(requireCurrentSchema: Bool = true) throws -> Connection {
        try target.connect(requireCurrentSchema: requireCurrentSchema)
    }
}
