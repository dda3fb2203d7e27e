import Foundation
import ParkCore
import Testing
import TestSupport

/// A short soak: `parkctl-bench soak` with 16 clients for 10 seconds against a fresh
/// database (which it seeds with the demo portfolio), as bench/soak.sh runs it for
/// longer. Every invariant holds, no client saw an unexpected error, and every kind
/// of operation happened.
@Suite struct SoakTests {
    /// The `parkctl-bench` built beside the test bundle (and beside `parkctl`).
    static var bench: String {
        URL(fileURLWithPath: Parkctl.executable).deletingLastPathComponent().appendingPathComponent("parkctl-bench").path
    }

    static let kinds = ["ticket.open", "ticket.assign", "ticket.start", "ticket.resolve", "ticket.close", "lease.sign",
                        "lease.terminate", "report.occupancy", "report.vacancy", "report.expiring", "report.tickets"]
    static let invariants = ["lease-no-overlap", "lease-unit-in-step", "ticket-status-from-timeline", "ticket-timeline-is-a-path",
                             "audit-insert-rows", "audit-latest-image-is-the-row", "audit-ticket-status-changes",
                             "audit-replaced-versions", "no-unexpected-errors"]

    @Test func sixteenClientsForTenSecondsKeepEveryInvariant() throws {
        let db = try TestDatabase()
        db.connection.close()
        let out = try ProcessRunner.run(Self.bench, ["soak", db.conninfo, "16", "10"])
        let report = out.output
        #expect(out.status == 0, "\(report)")
        let lines = report.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("seeded the demo portfolio") == true, "\(report)")
        #expect(lines.contains("unexpected errors: 0"), "\(report)")
        #expect(lines.contains("result: PASS"), "\(report)")

        // Each invariant was checked and holds.
        for name in Self.invariants {
            #expect(lines.contains("invariant \(name): ok"), "\(name): \(report)")
        }
        // Every kind of operation succeeded at least once: "KIND OK CONFLICTS OPS/S P50 P99".
        for kind in Self.kinds {
            let row = lines.first { $0.hasPrefix(kind + " ") }?.split(separator: " ")
            let ok = row.flatMap { $0.count == 6 ? Int($0[1]) : nil }
            #expect((ok ?? 0) > 0, "\(kind): \(report)")
        }
        // Overlapping random leases are refused, as expected conflicts, not errors.
        let conflicts = lines.first { $0.hasPrefix("conflicts: ") }.flatMap { Int($0.dropFirst("conflicts: ".count)) }
        #expect(conflicts != nil, "\(report)")
    }
}
