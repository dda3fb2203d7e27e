import Postgres

/// `parkctl db check`: whether the database still holds what it promises.
///
/// Every GiST index (the exclusion constraint that keeps a unit from being leased
/// twice is one) is compared with its table: the rows reached through the index
/// against the rows in the heap. A PostgreSQL bug once made such an index lose
/// entries (docs/postgresql-gist-killed-items.md), and a lost entry is a lease the
/// constraint no longer sees. Then the leases themselves are compared, in the heap:
/// no two may hold the same unit on the same day.
///
/// It reads one REPEATABLE READ snapshot, read-only: no lock beyond what a report
/// takes, so the parks go on working while it runs.
///
/// ```swift
/// let report = try IntegrityCheck(connection).run()
/// if !report.isClean { try IntegrityCheck(connection).repair(report) }
/// ```
public struct IntegrityCheck {
    let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }
    public init(_ session: ParkSession) { self.connection = session.connection }

    /// One index against its table.
    public struct IndexResult: Sendable, Equatable {
        public var index: String
        public var table: String
        /// Rows reached through the index.
        public var throughIndex: Int
        /// Rows in the table (under the index's own condition).
        public var inTable: Int
        /// False when the index could not be scanned as asked (then nothing is known).
        public var checked: Bool

        public var isComplete: Bool { checked && throughIndex == inTable }
    }

    /// Two leases that hold the same unit on the same days.
    public struct Overlap: Sendable, Equatable {
        public var unit: String
        public var first: String
        public var firstDays: DateRange
        public var second: String
        public var secondDays: DateRange
    }

    /// A lease unit whose copy of its lease's days or state disagrees with the lease.
    public struct OutOfStep: Sendable, Equatable {
        public var lease: String
        public var unit: String
        public var storedDays: DateRange?
        public var storedCancelled: Bool
        public var leaseDays: DateRange?
        public var leaseStatus: String
    }

    /// Days of a lease on which it holds no unit.
    public struct Gap: Sendable, Equatable {
        public var lease: String
        public var days: DateRange
    }

    public struct Report: Sendable, Equatable {
        public var indexes: [IndexResult]
        public var overlaps: [Overlap]
        public var outOfStep: [OutOfStep]
        public var gaps: [Gap] = []
        /// Nothing wrong was found.
        public var isClean: Bool {
            overlaps.isEmpty && outOfStep.isEmpty && gaps.isEmpty && indexes.allSatisfy { !$0.checked || $0.isComplete }
        }
        /// Every index could be read (an index built after the oldest transaction still
        /// open cannot be, until that transaction ends).
        public var isChecked: Bool { indexes.allSatisfy(\.checked) }
    }

    public func run() throws -> Report {
        try ParkError.translatingRefusals {
            try connection.transaction(isolation: .repeatableRead, readOnly: true, maxRetries: 0) { conn in
                let indexes = try conn.query("""
                    SELECT index_name, table_name, through_index, in_table, checked FROM parkctl_index_completeness()
                    """).rows.map { row in
                    IndexResult(index: try row.decode("index_name"), table: try row.decode("table_name"),
                                throughIndex: try row.decode("through_index"), inTable: try row.decode("in_table"),
                                checked: try row.decode("checked"))
                }
                let overlaps = try conn.query("""
                    SELECT unit, first_lease, first_days, second_lease, second_days FROM parkctl_overlapping_leases()
                    """).rows.map { row in
                    Overlap(unit: try row.decode("unit"), first: try row.decode("first_lease"), firstDays: try row.decode("first_days"),
                            second: try row.decode("second_lease"), secondDays: try row.decode("second_days"))
                }
                let outOfStep = try conn.query("""
                    SELECT lease, unit, stored_days, stored_cancelled, lease_days, lease_status FROM parkctl_lease_units_out_of_step()
                    """).rows.map { row in
                    OutOfStep(lease: try row.decode("lease"), unit: try row.decode("unit"), storedDays: try row.decode("stored_days"),
                              storedCancelled: try row.decode("stored_cancelled"), leaseDays: try row.decode("lease_days"),
                              leaseStatus: try row.decode("lease_status"))
                }
                // Checked from 0019 on (the lease commands that resolve a blocked migration
                // run db check on older schemas too).
                let gaps = try conn.query("SELECT to_regprocedure('parkctl_leases_without_units()') IS NOT NULL").rows[0].decode(0, as: Bool.self)
                    ? try conn.query("SELECT lease, first_day, last_day FROM parkctl_leases_without_units()").rows.map { row in
                        Gap(lease: try row.decode("lease"),
                            days: DateRange(first: try row.decode("first_day"), last: try row.decode("last_day"))!)
                    }
                    : []
                return Report(indexes: indexes, overlaps: overlaps, outOfStep: outOfStep, gaps: gaps)
            }
        }
    }

    /// Rebuilds every incomplete index and returns their names: `REINDEX INDEX
    /// CONCURRENTLY` where PostgreSQL can (writes go on meanwhile); an exclusion
    /// constraint's index it cannot rebuild so, and a plain `REINDEX` holds up writes to
    /// its table (not reads: no query reads through it) for the time it takes.
    /// Overlapping leases are not touched: an exclusion index cannot be rebuilt while
    /// they exist, and which lease of a pair is wrong is for people to say.
    /// Lease units out of step with their lease are set to their lease's days and state
    /// first (in one statement, refused as a whole if that would make two leases
    /// overlap).
    @discardableResult
    public func repair(_ report: Report) throws -> [String] {
        guard report.overlaps.isEmpty else { return [] }
        var rebuilt: [String] = []
        if !report.outOfStep.isEmpty {
            try ParkError.translatingRefusals {
                _ = try connection.execute("""
                    UPDATE lease_unit lu
                    SET during = lease_unit_during(lease_occupancy(l.term, l.terminated_on), lu.agreed),
                        cancelled = lease_unit_cancelled(l.status, lease_occupancy(l.term, l.terminated_on), lu.agreed)
                    FROM lease l
                    WHERE l.id = lu.lease_id
                      AND (lu.during IS DISTINCT FROM lease_unit_during(lease_occupancy(l.term, l.terminated_on), lu.agreed)
                           OR lu.cancelled IS DISTINCT FROM lease_unit_cancelled(l.status, lease_occupancy(l.term, l.terminated_on), lu.agreed))
                    """)
            }
            rebuilt.append("lease units (\(report.outOfStep.count) set to their lease's days)")
        }
        for index in report.indexes where index.checked && !index.isComplete {
            // REINDEX takes no parameters; the name comes from the catalogue, quoted.
            let name = "public.\"\(index.index.replacingOccurrences(of: "\"", with: "\"\""))\""
            do {
                try connection.simpleQuery("REINDEX INDEX CONCURRENTLY \(name)")
            } catch let error as PostgresError where error.sqlState == SQLState("0A000") {
                try connection.simpleQuery("REINDEX INDEX \(name)")
            }
            rebuilt.append(index.index)
        }
        return rebuilt
    }
}
