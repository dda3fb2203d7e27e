import Foundation
import ParkCore
import Testing
import TestSupport

/// A short soak: `parkctl-bench soak` with 16 clients for 10 seconds against a fresh
/// database (which it seeds with the demo portfolio), as bench/soak.sh runs it for
/// longer. Every invariant holds, no client saw an unexpected error, and every kind
/// of operation happened.
@Suite(.timeLimit(.minutes(20))) struct SoakTests {
    /// The `parkctl-bench` built beside the test bundle (and beside `parkctl`).
    static var bench: String {
        URL(fileURLWithPath: Parkctl.executable).deletingLastPathComponent().appendingPathComponent("parkctl-bench").path
    }

    static let kinds = ["ticket.open", "ticket.assign", "ticket.start", "ticket.resolve", "ticket.close", "lease.sign",
                        "lease.terminate", "report.occupancy", "report.vacancy", "report.expiring", "report.tickets"]
    static let invariants = ["lease-no-overlap", "lease-unit-in-step", "ticket-status-from-timeline", "ticket-timeline-is-a-path",
                             "audit-insert-rows", "audit-latest-image-is-the-row", "audit-ticket-status-changes",
                             "audit-replaced-versions", "index-complete lease_unit_no_overlap", "db-check-no-overlap",
                             "no-unexpected-errors"]

    @Test func sixteenClientsForTenSecondsKeepEveryInvariant() throws {
        let db = try TestDatabase()
        db.connection.close()
        let out = try ProcessRunner.run(Self.bench, ["soak", db.conninfo, "16", "10"], timeout: 1800)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        // The whole report once, when anything is wrong.
        #expect(out.status == 0, "parkctl-bench soak exited \(out.status):\n\(out.output)")
        if out.status != 0 { return }

        let seeded = lines.first?.contains("seeded the demo portfolio") == true
        #expect(seeded, "the soak did not seed the empty database")
        // Each invariant was checked and holds.
        let broken = Self.invariants.filter { !lines.contains("invariant \($0): ok") }
        #expect(broken.isEmpty, "invariants not reported as holding: \(broken)")
        #expect(lines.contains("unexpected errors: 0") && lines.contains("result: PASS"))
        // Every kind of operation succeeded at least once: "KIND OK CONFLICTS OPS/S P50 P99".
        let idle = Self.kinds.filter { kind in
            let row = lines.first { $0.hasPrefix(kind + " ") }?.split(separator: " ")
            return (row.flatMap { $0.count == 6 ? Int($0[1]) : nil } ?? 0) == 0
        }
        #expect(idle.isEmpty, "operations that never succeeded: \(idle)")
        // Refusals are counted as conflicts (overlapping leases, lost races), not errors; but
        // the pure reads meet none: a read that waited for a lock or deadlocked is a bug.
        let conflicts = lines.first { $0.hasPrefix("conflicts: ") }.flatMap { Int($0.dropFirst("conflicts: ".count)) }
        #expect(conflicts != nil, "no conflict count in the report")
        for kind in ["report.occupancy", "report.vacancy", "report.expiring", "report.receivables"] {
            let row = lines.first { $0.hasPrefix(kind + " ") }?.split(separator: " ")
            #expect(row?.count == 6 && row?[2] == "0", "\(kind) met conflicts: \(row ?? [])")
        }
    }
}
