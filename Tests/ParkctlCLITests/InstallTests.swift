import Foundation
import ParkCore
import Testing
import TestSupport

/// `parkctl --version` and `scripts/install.sh` (issue 14, section 4).
@Suite struct InstallTests {
    /// The checkout this test file belongs to.
    static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func versionNamesTheCommitAndTheSchema() throws {
        let head = try ProcessRunner.run("/usr/bin/env", ["git", "-C", Self.packageDirectory.path, "rev-parse", "HEAD"], timeout: 600)
        try #require(head.status == 0, "git rev-parse: \(head.stderr)")
        let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let out = try Parkctl.run(["--version"])
        #expect(out.status == 0)
        let newest = try #require(Migration.embedded.last).name.replacingOccurrences(of: ".sql", with: "")
        #expect(out.stdout == "parkctl 0.2.0 (commit \(commit.prefix(12)), schema \(newest))\n")
    }

    @Test func theInstallScriptPutsTheBinaryAndCompletionsUnderThePrefix() throws {
        let prefix = FileManager.default.temporaryDirectory.appending(path: "parkctl-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        // PARKCTL_BINARY: the binary the tests built, instead of a release build of its own.
        let out = try ProcessRunner.run(Self.packageDirectory.appending(path: "scripts/install.sh").path, [],
                                        environment: ProcessInfo.processInfo.environment.merging(
                                            ["PREFIX": prefix.path, "PARKCTL_BINARY": Parkctl.executable]) { $1 }, timeout: 600)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("installed parkctl 0.2.0 (commit "))
        #expect(out.stdout.contains("note: \(prefix.path)/bin is not on your PATH"))

        let installed = try ProcessRunner.run(prefix.appending(path: "bin/parkctl").path, ["--version"], timeout: 600)
        #expect(installed.stdout == (try Parkctl.run(["--version"])).stdout)

        let bash = try String(contentsOf: prefix.appending(path: "share/bash-completion/completions/parkctl"), encoding: .utf8)
        let zsh = try String(contentsOf: prefix.appending(path: "share/zsh/site-functions/_parkctl"), encoding: .utf8)
        let fish = try String(contentsOf: prefix.appending(path: "share/fish/vendor_completions.d/parkctl.fish"), encoding: .utf8)
        #expect(zsh.hasPrefix("#compdef parkctl"))
        #expect(fish.contains("complete -c 'parkctl'"))
        // The completions know the nested commands and the values of typed options.
        for text in [bash, zsh, fish] {
            #expect(text.contains("occupancy") && text.contains("move-in"))
            #expect(text.contains("quarterly"))
        }
        let syntax = try ProcessRunner.run("/bin/bash", ["-n", prefix.appending(path: "share/bash-completion/completions/parkctl").path], timeout: 600)
        #expect(syntax.status == 0, "\(syntax.stderr)")
    }
}
