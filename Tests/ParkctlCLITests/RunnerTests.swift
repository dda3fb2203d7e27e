import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// The test runner itself (issue 20): a child that would hang is stopped, and parkctl runs
/// with none of the developer's settings.
@Suite struct RunnerTests {
    // The limit bounds a hang; the elapsed time below is what shows the timeout works (a
    // busy run of the whole suite can keep this test waiting for a thread for a minute).
    @Test(.timeLimit(.minutes(5))) func aRunThatWouldHangIsStopped() throws {
        let started = Date()
        let stopped = #expect(throws: ParkError.self) { try ProcessRunner.run("/bin/sleep", ["60"], timeout: 0.5) }
        #expect(stopped?.kind == .unavailable && stopped?.message.contains("/bin/sleep 60 did not finish in 0.5 s") == true,
                "\(String(describing: stopped))")
        #expect(Date().timeIntervalSince(started) < 10)
        // One that ends in time gives its status and output.
        let quick = try ProcessRunner.run("/bin/sh", ["-c", "echo 早; exit 3"], timeout: 30)
        #expect(quick.status == 3 && quick.stdout == "早\n")
    }

    @Test func aDevelopersEnvironmentChangesNothing() throws {
        let cli = try CLI()
        try cli.portfolio()
        var developer = ProcessInfo.processInfo.environment
        developer["PARKCTL_USER"] = "mallory"
        developer["PARKCTL_TRACE"] = "1"
        developer["PGOPTIONS"] = "-c statement_timeout=1"
        developer["PARKCTL_LANG"] = "zh"
        let args = ["unit", "list", "--park", "SW", "--format", "csv", "--database-url", cli.db.conninfo]
        // Passed through, these settings change what parkctl does: the fixture is hostile.
        let raw = try ProcessRunner.run(Parkctl.executable, args, environment: developer, timeout: 120)
        #expect(raw.status != 0, "\(raw.stdout)\(raw.stderr)")
        // The runner's environment drops them: the units, in English, and no trace.
        let clean = try ProcessRunner.run(Parkctl.executable, args, environment: Parkctl.environment([:], inheriting: developer), timeout: 120)
        #expect(clean.status == 0 && clean.stderr.isEmpty, "\(clean.stderr)")
        #expect(clean.stdout.hasPrefix("code,park,building,floor,area_m2"), "\(clean.stdout)")
        #expect(Parkctl.environment(["PARKCTL_ACTOR": "t"], inheriting: developer).keys.sorted()
                == (["LANG", "NO_COLOR", "PARKCTL_ACTOR", "PARKCTL_LANG", "PATH"] + ["HOME", "USER", "LOGNAME", "TMPDIR"].filter { developer[$0] != nil })
                    .sorted())
    }

    /// With no connection slot free, a test waits for one: here a login limited to one
    /// connection, which another holds for half a second (then its backend is ended).
    @Test func aTestWaitsForAConnectionSlot() throws {
        let db = try TestDatabase()
        let login = "slot_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try db.connection.execute("SELECT parkctl_staff_add(\(login), 'viewer', NULL, NULL)")
        try db.connection.simpleQuery("ALTER ROLE \(login) CONNECTION LIMIT 1")
        let conninfo = try ConnectionString.replacing(["user": login], in: db.conninfo)
        let holder = try Connection(conninfo)
        let full = #expect(throws: PostgresError.self) { try Connection(conninfo) }
        #expect(full?.message.contains("too many connections for role") == true, "\(String(describing: full))")
        let started = Date()
        let holderPID = holder.backendPID, adminConninfo = db.conninfo
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            _ = try? Connection(adminConninfo).query("SELECT pg_terminate_backend(\(holderPID))")
        }
        let patient = try TestServer.connect(conninfo, patience: 30)
        defer { patient.close() }
        #expect(Date().timeIntervalSince(started) >= 0.4)
        #expect(try patient.query("SELECT current_user").rows[0].decode(0, as: String.self) == login)
    }
}
