import ArgumentParser
import Foundation
import ParkCore
import Postgres

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database: migrations and the embedded cluster.",
        subcommands: [Status.self, Migrate.self, Start.self, Stop.self]
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say where the database lives and which migrations are applied.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let target = database.target
            let conn = try database.connect(requireCurrentSchema: false)
            defer { conn.close() }
            say("database: \(target.displayName)\n")
            if case .embedded(let cluster) = target {
                say("  data:    \(cluster.dataDirectory)\n")
                say("  socket:  \(cluster.socketDirectory) (no TCP listener)\n")
                say("  log:     \(cluster.logFile)\n")
            }
            let version = conn.serverVersion
            say("  server:  PostgreSQL \(version / 10000).\(version % 10000), \(conn.hostDescription)\n")
            let states = try Migrator().status(conn)
            let count = { (s: MigrationState.Status) in states.filter { $0.status == s }.count }
            say("migrations: \(count(.applied)) applied, \(count(.pending)) pending"
                + (count(.changed) > 0 ? ", \(count(.changed)) CHANGED since applied" : "")
                + (count(.unknown) > 0 ? ", \(count(.unknown)) unknown to this parkctl" : "") + "\n")
            for state in states {
                say("  \(state.name)  \(state.status.rawValue)\(state.appliedAt.map { "  \($0)" } ?? "")\n")
            }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations from sql/ (built in).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let conn = try database.connect(requireCurrentSchema: false)
            defer { conn.close() }
            let applied = try Migrator().migrate(conn)
            if applied.isEmpty {
                say("schema is up to date (\(Migrator().migrations.count) migrations)\n")
            } else {
                for name in applied { say("applied \(name)\n") }
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded cluster (created on first use).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("db start manages the embedded cluster; parkctl is set to use \(database.target.displayName)")
            }
            let started = try cluster.ensureRunning()
            try database.connect().close()
            say((started ? "started the embedded cluster at \(cluster.root)" : "the embedded cluster at \(cluster.root) is already running") + "\n")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("db stop manages the embedded cluster; parkctl is set to use \(database.target.displayName)")
            }
            let wasRunning = cluster.isRunning
            try cluster.stop()
            say((wasRunning ? "stopped the embedded cluster at \(cluster.root)" : "the embedded cluster at \(cluster.root) was not running") + "\n")
        }
    }
}
