import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 21, crash safety shown: the postmaster is killed with SIGKILL while a stream
/// of lease signings and payments commits. After the restart (crash recovery), every
/// commit that was acknowledged is there, each whole (a lease with its unit and its
/// audit rows, a payment with its audit row), the one in flight is there whole or not
/// at all, and `db check` finds the rules and the pages intact.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CrashSafetyTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var leases: [String] = []
        var payments: [String] = []
        var attempts = 0
        var error: (any Error)?
        var count: Int { lock.withLock { leases.count + payments.count } }
    }

    @Test func everyAcknowledgedCommitSurvivesAKilledPostmaster() throws {
        let pc = try PrivateCluster(label: "sigkill")
        defer { pc.destroy() }
        try FaultTests.park(pc)
        for args in [["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", FaultTests.tenant, "--industry", "software",
                      "--contact", "陈静", "--phone", "0591-87500103"],
                     ["tenant", "approve", FaultTests.tenant, "--park", "SW"]] {
            let out = try pc.parkctl(args)
            try #require(out.status == 0, "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        }
        let target = DatabaseTarget.embedded(pc.cluster)
        let units = 400
        do {
            let session = try target.session(actor: "crash-tester")
            defer { session.close() }
            let portfolio = PortfolioService(session)
            for n in 1...units {
                _ = try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: String(format: "U%03d", n)), floor: 1 + n % 12,
                                          areaM2: 100, kind: .office, listRent: 38)
            }
        }

        // The stream: a lease for the next unit, then a payment, one commit each, until the server dies.
        let log = Log()
        let writer = Thread {
            do {
                let session = try target.session(actor: "crash-tester")
                defer { session.close() }
                let leases = LeaseService(session)
                let payments = PaymentService(session)
                for n in 1...units {
                    log.lock.withLock { log.attempts += 1 }
                    let lease = try leases.sign(.init(tenantCreditCode: FaultTests.tenant,
                                                      units: [UnitAddress(park: "SW", building: "B1", unit: String(format: "U%03d", n))],
                                                      start: CalendarDate(year: 2026, month: 12, day: 1)!, end: CalendarDate(year: 2028, month: 11, day: 30)!,
                                                      rent: 35))
                    log.lock.withLock { log.leases.append(lease.number) }
                    log.lock.withLock { log.attempts += 1 }
                    let receipt = try payments.record(tenant: FaultTests.tenant, park: "SW", amount: Decimal(n), on: CalendarDate(year: 2026, month: 12, day: 1)!,
                                                      reference: "K-\(n)")
                    log.lock.withLock { log.payments.append(receipt.payment.number) }
                }
            } catch {
                log.lock.withLock { log.error = error }
            }
        }
        writer.start()
        _ = try waitFor(seconds: 120, "the stream to commit 40 writes") { () -> Bool? in
            if let error = log.lock.withLock({ log.error }) { throw SpawnError("the stream failed before the kill: \(error)") }
            return log.count >= 40 ? true : nil
        }
        let pidText = try String(contentsOfFile: pc.cluster.dataDirectory + "/postmaster.pid", encoding: .utf8)
        let postmaster = try #require(pidText.split(separator: "\n").first.flatMap { pid_t($0) })
        #expect(kill(postmaster, SIGKILL) == 0)
        _ = try waitFor(seconds: 60, "the stream to fail") { log.lock.withLock { log.error } != nil ? true : nil }
        let (acknowledgedLeases, acknowledgedPayments, attempts) = log.lock.withLock { (log.leases, log.payments, log.attempts) }
        #expect(acknowledgedLeases.count + acknowledgedPayments.count < units * 2, "the stream ended before the kill")

        // The killed server's backends leave once they notice; then it starts, recovering.
        let started = try waitFor(seconds: 60, "the cluster to start again") { () -> ProcessRunner.Output? in
            let out = try pc.parkctl(["db", "start"])
            return out.status == 0 ? out : nil
        }
        #expect(started.stdout.contains("started the embedded cluster"), "\(started.output)")
        #expect(pc.serverLog.contains("database system was interrupted") || pc.serverLog.contains("was not properly shut down"),
                "no crash recovery in the log:\n\(pc.serverLog)")

        let conn = try pc.connect(applicationName: "crash-check")
        defer { conn.close() }
        let leases: [String] = try conn.query("SELECT number FROM lease ORDER BY id").rows.map { try $0.decode(0) }
        let payments: [String] = try conn.query("SELECT number FROM payment ORDER BY id").rows.map { try $0.decode(0) }
        // Every acknowledged commit is there, in order; at most the one in flight is more.
        #expect(Array(leases.prefix(acknowledgedLeases.count)) == acknowledgedLeases)
        #expect(Array(payments.prefix(acknowledgedPayments.count)) == acknowledgedPayments)
        #expect(leases.count + payments.count - acknowledgedLeases.count - acknowledgedPayments.count <= 1,
                "\(leases.count) leases and \(payments.count) payments for \(attempts) attempts")
        // Nothing half-written: each lease holds its unit and has its audit rows; each payment its own.
        let halfLeases: Int = try conn.query("""
            SELECT count(*)::int FROM lease l
            WHERE NOT EXISTS (SELECT 1 FROM lease_unit lu WHERE lu.lease_id = l.id)
               OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'lease' AND a.row_key = l.id::text)
            """).rows[0].decode(0)
        let halfPayments: Int = try conn.query("""
            SELECT count(*)::int FROM payment p WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'payment' AND a.row_key = p.id::text)
            """).rows[0].decode(0)
        #expect(halfLeases == 0 && halfPayments == 0)
        let paid: Decimal = try conn.query("SELECT coalesce(sum(amount), 0) FROM payment").rows[0].decode(0)
        #expect(paid == Decimal(payments.count * (payments.count + 1) / 2), "payments 1 + 2 + … + \(payments.count) 元")
        let check = try pc.parkctl(["db", "check"])
        #expect(check.status == 0 && check.stdout.contains("no damage found"), "\(check.output)")
    }
}
