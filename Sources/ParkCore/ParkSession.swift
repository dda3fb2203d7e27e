import Postgres

/// A connection used for park work by one member of staff (the actor).
///
/// `write` runs one command as one transaction, tells the audit trigger who is
/// acting (`parkctl.actor`, local to the transaction), and turns the database's
/// refusals (constraints, triggers) into ``ParkError``s that name the rule.
public final class ParkSession {
    public let connection: Connection
    public let actor: String

    public init(connection: Connection, actor: String) {
        self.connection = connection
        self.actor = actor
    }

    /// Runs `body` in one transaction, committed when it returns, rolled back when it throws.
    /// Inside another `write` it joins that transaction, so that a command made of
    /// several service calls (the demo) is still all or nothing.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        if connection.isInTransaction { return try body(connection) }
        return try ConstraintMessages.translating {
            try connection.transaction(setUp: ["SELECT set_config('parkctl.actor', \(actor), true)"]) { conn in
                try body(conn)
            }
        }
    }

    /// Runs read-only work whose plans probe lease_unit once per unit (the status of
    /// every unit, vacancy since, ...), with plain index scans turned off for it.
    ///
    /// Why: PostgreSQL 15's GiST keeps the "killed items" of a plain index scan across
    /// a rescan (gistrescan does not reset them), and a later page can then get live
    /// entries marked dead and pruned. Under load the exclusion constraint on
    /// lease_unit lost entries and let two leases overlap (found by bench/soak.sh).
    /// Bitmap scans never mark items, so these queries use them instead.
    public func readWithoutPlainIndexScans<T>(_ body: (Connection) throws -> T) throws -> T {
        try ConstraintMessages.translating {
            if connection.isInTransaction {
                try Self.turnOffPlainIndexScans(connection)
                return try body(connection)
            }
            return try connection.transaction(readOnly: true, maxRetries: 0, setUp: Self.noPlainIndexScans) { conn in
                try body(conn)
            }
        }
    }

    /// For the rest of the current transaction (see ``readWithoutPlainIndexScans(_:)``).
    static func turnOffPlainIndexScans(_ conn: Connection) throws {
        for statement in noPlainIndexScans { try conn.execute(statement) }
    }

    static let noPlainIndexScans: [PostgresQuery] = ["SET LOCAL enable_indexscan = off", "SET LOCAL enable_indexonlyscan = off"]

    /// Runs read-only work; a database refusal is translated like in `write`.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        try ConstraintMessages.translating { try body(connection) }
    }
}

@available(*, unavailable)
extension ParkSession: Sendable {}
