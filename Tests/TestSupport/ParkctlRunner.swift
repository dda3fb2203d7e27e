import Foundation
import ParkCore

/// Runs the built `parkctl` binary, as a user would, and captures what it says.
public enum Parkctl {
    /// The `parkctl` built beside the test bundle.
    public static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary lives inside an .xctest bundle on some platforms.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" || dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("parkctl").path
    }

    /// Runs `parkctl ARGS` with a clean environment (``environment(_:inheriting:)``) and
    /// returns its status and output; a run still going after `timeout` seconds is
    /// stopped and fails the test rather than hanging it.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:],
                           input: String = "", timeout: Double = 600) throws -> ProcessRunner.Output {
        try ProcessRunner.run(executable, arguments, environment: environment(extra), input: Array(input.utf8), timeout: timeout)
    }

    /// What parkctl runs with in a test: who and where the user is (PATH, HOME, USER,
    /// LOGNAME, TMPDIR), English and no colour, and `extra`; nothing else of ours, so a
    /// developer's PARKCTL_USER, PARKCTL_DATABASE_URL, PARKCTL_TRACE, PGOPTIONS or PGHOST
    /// changes nothing a test does.
    public static func environment(_ extra: [String: String],
                                   inheriting inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env = ["PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1", "PARKCTL_LANG": "en"]
        for key in ["HOME", "USER", "LOGNAME", "TMPDIR"] { env[key] = inherited[key] }
        for (k, v) in extra { env[k] = v }
        return env
    }
}
