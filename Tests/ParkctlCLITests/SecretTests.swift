import Foundation
import Testing
import TestSupport

/// No password in the clear: not in messages, not in the statement trace, not sent to
/// the server (staff passwords travel as SCRAM verifiers).
@Suite struct SecretTests {
    @Test func aPasswordInTheURLOrTheEnvironmentIsNeverPrinted() throws {
        let secret = "Sx9-secret-\(UInt32.random(in: 0...UInt32.max))"
        for url in ["postgresql://ops:\(secret)@127.0.0.1:1/parkctl?connect_timeout=2",
                    "host=127.0.0.1 port=1 user=ops password=\(secret) dbname=parkctl connect_timeout=2"] {
            let byFlag = try Parkctl.run(["park", "list", "--database-url", url])
            #expect(byFlag.status == 69, "\(byFlag.stderr)")
            #expect(!byFlag.stderr.contains(secret) && !byFlag.stdout.contains(secret), "\(byFlag.stderr)")
            let byEnv = try Parkctl.run(["db", "status"], environment: ["PARKCTL_DATABASE_URL": url])
            #expect(byEnv.status == 69, "\(byEnv.stderr)")
            #expect(!byEnv.stderr.contains(secret) && !byEnv.stdout.contains(secret), "\(byEnv.stderr)")
            #expect(!byEnv.stderr.contains("password=") || byEnv.stderr.contains("password=***"), "\(byEnv.stderr)")
        }
    }

    @Test func aStaffPasswordReachesNeitherTheTraceNorTheServer() throws {
        let cli = try CLI()
        let secret = "horse-\(UInt32.random(in: 0...UInt32.max))-battery"
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let name = "pw_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let out = try cli.run(["staff", "add", name, "--role", "viewer", "--all-parks", "--password-stdin"],
                              environment: ["PARKCTL_TRACE": trace], input: secret + "\n")
        #expect(out.status == 0, "\(out.stderr)")
        let traced = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(traced.contains("parkctl_staff_add"))
        #expect(traced.contains("SCRAM-SHA-256$"))
        #expect(!traced.contains(secret))
        // The server keeps a verifier (pg_authid is readable by the test cluster's superuser).
        let stored: String? = try cli.db.connection.query("SELECT rolpassword FROM pg_authid WHERE rolname = \(name)").rows[0].decode(0)
        #expect(stored?.hasPrefix("SCRAM-SHA-256$") == true)
        #expect(stored?.contains(secret) == false)
    }
}
