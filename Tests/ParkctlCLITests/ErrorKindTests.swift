import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Whose fault a failure is decides the exit status: bad input is the user's (65), a
/// value in the database that the program does not know is the program's (70).
@Suite struct ErrorKindTests {
    /// A park kind stored behind the rule's back (the CHECK dropped by hand) is not
    /// blamed on the user who lists the parks: exit 70, naming the column and the value.
    @Test func aStoredValueTheProgramDoesNotKnowIsAnInternalError() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.db.connection.simpleQuery("""
            ALTER TABLE park DROP CONSTRAINT park_kind_valid;
            UPDATE park SET kind = 'spaceport' WHERE code = 'SW'
            """)
        let out = try cli.run(["park", "list"])
        #expect(out.status == 70, "\(out.stderr)")
        #expect(out.stderr.contains("internal error") && out.stderr.contains("kind") && out.stderr.contains("'spaceport' is not a value of ParkKind"),
                "\(out.stderr)")
        // The same word typed by a user is the user's mistake.
        let typed = try cli.run(["park", "add", "--code", "MG", "--name", "红树林", "--kind", "spaceport"])
        #expect(typed.status != 0 && typed.status != 70, "\(typed.stderr)")
    }

    /// The trace holds every statement sent: transaction control, a pipeline's
    /// settings and COPY, as well as the parameterised queries.
    @Test func theTraceHoldsEveryStatement() throws {
        let cli = try CLI()
        try cli.portfolio()
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        for args in [["unit", "set", "SW/B1/0301", "--list-rent", "40"], ["export", "units"]] {
            let out = try cli.run(args, environment: ["PARKCTL_TRACE": trace])
            #expect(out.status == 0, "\(args): \(out.stderr)")
        }
        let sql = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["sql"] as? String ?? ""
        }
        #expect(sql.contains { $0.hasPrefix("BEGIN ISOLATION LEVEL") })
        #expect(sql.contains { $0.contains("set_config('parkctl.actor'") })
        #expect(sql.contains { $0.contains("UPDATE") && $0.contains("list_rent") })
        #expect(sql.contains("COMMIT"))
        #expect(sql.contains { $0.hasPrefix("COPY (SELECT") })
    }
}
