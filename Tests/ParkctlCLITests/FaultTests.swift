import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Faults: the server stopped in the middle of a command, and conflicts that never
/// clear. The server stops run on a private embedded cluster per test (the shared
/// test server must not be stopped), reached with PARKCTL_HOME like a user's.
///
/// Serialized: each of these starts a whole cluster, and the machine is small.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FaultTests {
    static let tenant = "91350100M000100Y43"
    static let signArgs = ["lease", "sign", "--tenant", tenant, "--units", "SW/B1/0301", "--start", "2026-12-01",
                           "--end", "2029-11-30", "--rent", "35.00", "--deposit-months", "2"]

    /// A park SW with building B1 (12 floors), on the private cluster.
    static func park(_ pc: PrivateCluster) throws {
        for args in [["park", "add", "--code", "SW", "--name", "湘南湘西软件产业园", "--kind", "software", "--industries", "software"],
                     ["building", "add", "SW/B1", "--name", "1号楼", "--floors", "12", "--delivered", "2020-10-28"]] {
            let out = try pc.parkctl(args)
            try #require(out.status == 0, "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        }
    }

    /// What a half-done command could leave behind, counted.
    struct Footprint: Equatable, CustomStringConvertible {
        var leases = 0, leaseUnits = 0, leaseHistory = 0, leaseUnitHistory = 0, units = 0
        var auditRows = 0, leaseAuditRows = 0, unitAuditRows = 0, onboardingSteps = 0
        var stages = ""
        var description: String {
            "leases \(leases), lease_unit \(leaseUnits), history \(leaseHistory)/\(leaseUnitHistory), units \(units), "
                + "audit \(auditRows) (lease \(leaseAuditRows), unit \(unitAuditRows)), steps \(onboardingSteps), stages \(stages)"
        }
    }

    static func footprint(_ pc: PrivateCluster) throws -> Footprint {
        let conn = try pc.connect(applicationName: "fault-check")
        defer { conn.close() }
        let row = try conn.query("""
            SELECT (SELECT count(*) FROM lease)::int, (SELECT count(*) FROM lease_unit)::int,
                   (SELECT count(*) FROM lease_history)::int, (SELECT count(*) FROM lease_unit_history)::int,
                   (SELECT count(*) FROM unit)::int, (SELECT count(*) FROM audit_log)::int,
                   (SELECT count(*) FROM audit_log WHERE table_name IN ('lease', 'lease_unit'))::int,
                   (SELECT count(*) FROM audit_log WHERE table_name = 'unit')::int,
                   (SELECT count(*) FROM onboarding_step)::int,
                   coalesce((SELECT string_agg(stage, ',' ORDER BY id) FROM onboarding), '')
            """).rows[0]
        return Footprint(leases: try row.decode(0), leaseUnits: try row.decode(1), leaseHistory: try row.decode(2),
                         leaseUnitHistory: try row.decode(3), units: try row.decode(4), auditRows: try row.decode(5),
                         leaseAuditRows: try row.decode(6), unitAuditRows: try row.decode(7), onboardingSteps: try row.decode(8),
                         stages: try row.decode(9))
    }

    /// The message of a broken connection: exit 69, a plain message, no dump of
    /// the statement, no crash.
    static func expectConnectionLost(_ out: SpawnedProcess.Finished, _ what: String) {
        #expect(out.status == 69, "\(what): exit \(out.status), stderr: \(out.stderr)")
        #expect(out.stderr.hasPrefix("parkctl: connection to PostgreSQL lost"), "\(what): \(out.stderr)")
        #expect(!out.stderr.contains("sql:") && !out.stderr.contains("severity:"), "\(what) dumps the statement: \(out.stderr)")
        #expect(!out.stderr.contains("Fatal error"), "\(what) crashed: \(out.stderr)")
        // libpq's text for it has tabs and line breaks: they must reach the reader as
        // layout (or be folded into one line), not as escapes such as \u{9}.
        #expect(!out.stderr.contains("\\u{"), "\(what) prints escaped control characters: \(out.stderr)")
        #expect(out.stdout.isEmpty, "\(what): \(out.stdout)")
    }

    /// `pg_ctl stop -m immediate` while `lease sign` waits for the tenant's onboarding
    /// row, locked by another session. By then the signing has written the lease, its
    /// unit and their audit rows, uncommitted: after the restart none of it is there,
    /// and the same command signs the lease.
    @Test func serverStoppedInTheMiddleOfSigningALease() throws {
        let pc = try PrivateCluster(label: "fault-sign")
        defer { pc.destroy() }
        let started = try pc.parkctl(["db", "start"])
        try #require(started.status == 0, "db start: \(started.output)")
        try Self.park(pc)
        for args in [["unit", "add", "SW/B1/0301", "--floor", "3", "--area", "256.50", "--kind", "office", "--list-rent", "38.00"],
                     ["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", Self.tenant, "--industry", "software",
                      "--contact", "陈静", "--phone", "0591-87500103"],
                     ["tenant", "approve", Self.tenant, "--park", "SW"]] {
            let out = try pc.parkctl(args)
            try #require(out.status == 0, "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        }
        let before = try Self.footprint(pc)
        #expect(before.leases == 0 && before.stages == "approved")

        // Another session holds the onboarding row, which signing locks (FOR UPDATE)
        // to move the tenant to lease_signed, after inserting the lease.
        let holder = try pc.connect(applicationName: "fault-holder")
        defer { holder.close() }
        try holder.simpleQuery("BEGIN")
        try holder.query("SELECT 1 FROM onboarding FOR UPDATE").clear()
        let observer = try pc.connect(applicationName: "fault-observer")
        defer { observer.close() }

        let sign = try pc.spawnParkctl(Self.signArgs + ["--lock-timeout", "600"])
        defer { sign.kill() }
        sign.closeInput()
        let backend = try waitFor(seconds: 60, "lease sign to wait for the onboarding lock") { () -> Int32? in
            if let done = sign.wait(seconds: 0) {
                throw SpawnError("lease sign ended before it waited: \(done.status) \(done.stderr)")
            }
            return try observer.query("""
                SELECT pid FROM pg_stat_activity
                WHERE application_name = 'parkctl' AND wait_event_type = 'Lock'
                  AND \(holder.backendPID) = ANY (pg_blocking_pids(pid))
                """).rows.first?.decode(0, as: Int32.self)
        }
        // In the middle indeed: it has written to lease, lease_unit and audit_log.
        let written = try observer.query("""
            SELECT c.relname::text FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = \(backend) AND l.mode = 'RowExclusiveLock' AND l.granted ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) }
        #expect(Set(["lease", "lease_unit", "audit_log"]).isSubset(of: Set(written)), "tables written so far: \(written)")
        observer.close()

        let stop = try pc.stopImmediately()
        try #require(stop.status == 0, "pg_ctl stop -m immediate: \(stop.output)")
        let failed = try #require(sign.wait(seconds: 60), "lease sign still running 60 s after the server stopped")
        Self.expectConnectionLost(failed, "lease sign")
        holder.close()

        let restarted = try pc.parkctl(["db", "start"])
        #expect(restarted.status == 0, "db start: \(restarted.output)")
        #expect(restarted.stdout.contains("started the embedded cluster"), "\(restarted.stdout)")
        #expect(pc.serverLog.contains("automatic recovery in progress"), "no crash recovery in the log:\n\(pc.serverLog)")
        #expect(try Self.footprint(pc) == before)

        let again = try pc.parkctl(Self.signArgs)
        #expect(again.status == 0, "lease sign again: \(again.stderr)")
        let number = again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(number.hasPrefix("L-2026-"), "\(again.stdout)")
        let after = try Self.footprint(pc)
        #expect(after.leases == 1 && after.leaseUnits == 1, "\(after)")
        #expect(after.leaseAuditRows >= 2, "\(after)")
        #expect(after.stages == "lease_signed" && after.onboardingSteps == before.onboardingSteps + 1, "\(after)")
        let show = try pc.parkctl(["lease", "show", number, "--format", "json"])
        #expect(show.status == 0 && show.stdout.contains("SW/B1/0301"), "\(show.output)")
    }

    /// `pg_ctl stop -m immediate` while `import units -` is streaming rows into COPY
    /// (the test feeds standard input and stops the server once the server has taken
    /// rows); after the restart no unit is there, and the same import succeeds.
    @Test func serverStoppedInTheMiddleOfAnImport() throws {
        let pc = try PrivateCluster(label: "fault-import")
        defer { pc.destroy() }
        let started = try pc.parkctl(["db", "start"])
        try #require(started.status == 0, "db start: \(started.output)")
        try Self.park(pc)
        let before = try Self.footprint(pc)

        let count = 30_000
        let header = "park,building,unit,floor,area_m2,kind,list_rent,off_market_reason\n"
        let rows = (1...count).map { "SW,B1,U\(String(format: "%05d", $0)),\(1 + $0 % 12),\(50 + $0 % 900).50,office,30.00,\n" }
        let firstHalf = header + rows[..<(count / 2)].joined()
        let secondHalf = rows[(count / 2)...].joined()

        let observer = try pc.connect(applicationName: "fault-observer")
        defer { observer.close() }
        let importer = try pc.spawnParkctl(["import", "units", "-"])
        defer { importer.kill() }
        #expect(importer.write(firstHalf))
        // The COPY runs and the server has taken rows; parkctl now waits for more input.
        let progress = try waitFor(seconds: 60, "the import's COPY to receive rows") { () -> Int? in
            if let done = importer.wait(seconds: 0) {
                throw SpawnError("import ended before its COPY was seen: \(done.status) \(done.stderr)")
            }
            return try observer.query("""
                SELECT p.tuples_processed FROM pg_stat_progress_copy p JOIN pg_stat_activity a ON a.pid = p.pid
                WHERE a.application_name = 'parkctl' AND p.command = 'COPY FROM' AND p.tuples_processed > 0
                """).rows.first?.decode(0, as: Int.self)
        }
        #expect(progress > 0 && progress < count)
        observer.close()

        let stop = try pc.stopImmediately()
        try #require(stop.status == 0, "pg_ctl stop -m immediate: \(stop.output)")
        // The rest of the file arrives (parkctl may stop reading it once it sees the
        // connection is gone), then its end.
        importer.write(secondHalf)
        importer.closeInput()
        let failed = try #require(importer.wait(seconds: 60), "import still running 60 s after the server stopped")
        Self.expectConnectionLost(failed, "import units")

        let restarted = try pc.parkctl(["db", "start"])
        #expect(restarted.status == 0, "db start: \(restarted.output)")
        #expect(pc.serverLog.contains("automatic recovery in progress"), "no crash recovery in the log:\n\(pc.serverLog)")
        #expect(try Self.footprint(pc) == before)

        let again = try pc.parkctl(["import", "units", "-"], input: firstHalf + secondHalf)
        #expect(again.status == 0, "import again: \(again.stderr)")
        #expect(again.stdout.contains("read \(count) rows, imported \(count), rejected 0"), "\(again.stdout)")
        let after = try Self.footprint(pc)
        #expect(after.units == count && after.unitAuditRows == count, "\(after)")
    }

    /// A change that keeps hitting a serialization failure (40001) or a deadlock
    /// (40P01) is tried 1 + 3 times (the transaction's retries), then reported as a
    /// busy database (exit 69, like a lock timeout): one line saying to try again,
    /// not an internal error with the statement dumped; nothing is changed.
    @Test(arguments: ["40001", "40P01"])
    func aConflictThatNeverClearsIsRetriedThenReported(code: String) throws {
        let cli = try CLI()
        // Every insert into park conflicts; the sequence (not rolled back) counts the tries.
        try cli.db.connection.simpleQuery("""
            CREATE SEQUENCE fault_attempts;
            CREATE FUNCTION fault_always_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM nextval('fault_attempts');
                RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '\(code)';
            END $$;
            CREATE TRIGGER fault_always_conflict BEFORE INSERT ON park FOR EACH ROW EXECUTE FUNCTION fault_always_conflict();
            """)
        let out = try cli.run(["park", "add", "--code", "SW", "--name", "湘南湘西软件产业园", "--kind", "software"])
        let attempts = try cli.db.connection.query("SELECT last_value FROM fault_attempts").rows[0].decode(0, as: Int.self)
        #expect(attempts == 4, "tries of the transaction")

        #expect(out.status == 69, "exit \(out.status), stderr:\n\(out.stderr)")
        let lines = out.stderr.split(separator: "\n")
        #expect(lines.count == 1 && out.stderr.hasPrefix("parkctl: "), "\(out.stderr)")
        #expect(!out.stderr.contains("sql:") && !out.stderr.contains("INSERT INTO"), "the statement is dumped:\n\(out.stderr)")
        #expect(out.stderr.contains("try again"), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(try cli.db.connection.query("SELECT count(*) FROM park").rows[0].decode(0, as: Int.self) == 0)
    }
}
