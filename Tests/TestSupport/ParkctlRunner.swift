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

    /// Runs `parkctl ARGS` with a controlled environment (no PARKCTL_DATABASE_URL
    /// unless given, English whatever the machine's locale unless PARKCTL_LANG is
    /// given) and returns its status and output.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:],
                           input: String = "") throws -> ProcessRunner.Output {
        var env = ProcessInfo.processInfo.environment
        env["PARKCTL_DATABASE_URL"] = nil
        env["NO_COLOR"] = "1"
        env["PARKCTL_LANG"] = "en"
        for (k, v) in extra { env[k] = v }
        return try ProcessRunner.run(executable, arguments, environment: env, input: Array(input.utf8))
    }
}
