import Foundation
import ParkCore
import Testing
import TestSupport

/// The test runner itself (issue 20): a child that would hang is stopped, and parkctl runs
/// with none of the developer's settings.
@Suite struct RunnerTests {
    @Test(.timeLimit(.minutes(1))) func aRunThatWouldHangIsStopped() throws {
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
}
