import Foundation
import Postgres
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(10))) struct DatabaseCommandTests {
    @Test func statusOnAServerListsMigrations() throws {
        let db = try TestDatabase()
        let out = try Parkctl.run(["db", "status", "--database-url", db.conninfo])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("0001_foundation.sql  applied"))
        #expect(out.stdout.contains("migrations: \(1) applied, 0 pending") || out.stdout.contains("applied, 0 pending"))
    }

    @Test func theEnvironmentVariableNamesTheServerToo() throws {
        let db = try TestDatabase()
        let out = try Parkctl.run(["db", "status"], environment: ["PARKCTL_DATABASE_URL": db.conninfo])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("database: server"))
    }

    @Test func migrateAppliesThenReportsUpToDate() throws {
        let conninfo = try TestServer.shared.get().makeEmptyDatabase()
        let first = try Parkctl.run(["db", "migrate", "--database-url", conninfo])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("applied 0001_foundation.sql"))
        let second = try Parkctl.run(["db", "migrate", "--database-url", conninfo])
        #expect(second.stdout.contains("up to date"))
    }

    @Test func aServerThatIsDownExits69NamingTheHost() throws {
        let out = try Parkctl.run(["db", "status", "--database-url", "postgresql://parkctl:secret@127.0.0.1:1/parkctl"])
        #expect(out.status == 69)
        #expect(out.stderr.contains("127.0.0.1:1"))
        #expect(!out.stderr.contains("secret"))
        #expect(out.stdout.isEmpty)
    }

    @Test func badUsageExits64() throws {
        let out = try Parkctl.run(["db", "status", "--no-such-flag"])
        #expect(out.status == 64)
        #expect(out.stderr.contains("no-such-flag"))
    }

    /// The newcomer's path: no URL at all, a cluster made on first use, two first
    /// runs at once, stop, start.
    @Test func embeddedClusterIsCreatedOnFirstUseAndManaged() throws {
        var template = Array((NSTemporaryDirectory() + "/parkctl-home-XXXXXX").utf8CString)
        #expect(mkdtemp(&template) != nil)
        let parent = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let home = parent + "/cluster"
        // As root the server runs as postgres: a 0700 folder of root's is closed to it, and parkctl says so.
        if geteuid() == 0 {
            let closed = try Parkctl.run(["db", "status"], environment: ["PARKCTL_HOME": home])
            #expect(closed.status == 69)
            #expect(closed.stderr.contains("not reachable by the postgres user"))
            chmod(parent, 0o755)
        }
        let env = ["PARKCTL_HOME": home]
        defer {
            _ = try? Parkctl.run(["db", "stop"], environment: env)
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: home).deletingLastPathComponent().path)
        }
        let firstRuns = runConcurrently(2) { _ in try Parkctl.run(["db", "status"], environment: env) }
        for outcome in firstRuns {
            let out = try outcome.get()
            #expect(out.status == 0, "\(out.stderr)")
            #expect(out.stdout.contains("embedded cluster at \(home)"))
            #expect(out.stdout.contains("0001_foundation.sql  applied"))
        }
        let conf = try String(contentsOfFile: home + "/data/postgresql.conf", encoding: .utf8)
        #expect(conf.contains("listen_addresses = ''"))
        let attributes = try FileManager.default.attributesOfItem(atPath: home + "/run")
        #expect((attributes[.posixPermissions] as? Int) == 0o700)

        let stop = try Parkctl.run(["db", "stop"], environment: env)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.contains("stopped"))
        #expect(!FileManager.default.fileExists(atPath: home + "/run/.s.PGSQL.5432"))
        // Status says so, and leaves it stopped.
        let stopped = try Parkctl.run(["db", "status"], environment: env)
        #expect(stopped.status == 0 && stopped.stdout.contains("server:  stopped (parkctl db start"), "\(stopped.stdout)")
        #expect(!FileManager.default.fileExists(atPath: home + "/run/.s.PGSQL.5432"))
        let start = try Parkctl.run(["db", "start"], environment: env)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("started"))
        let again = try Parkctl.run(["db", "start"], environment: env)
        #expect(again.stdout.contains("already running"))
    }

    @Test func startAndStopRefuseAServerTarget() throws {
        let out = try Parkctl.run(["db", "stop", "--database-url", "postgresql://127.0.0.1:1/x"])
        #expect(out.status == 65)
        #expect(out.stderr.contains("embedded cluster"))
    }
}
