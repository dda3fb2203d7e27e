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
    /// Inside another `write` it runs in a savepoint of that transaction, so that a
    /// command made of several service calls (the demo) is still all or nothing, and a
    /// caller that catches an inner failure goes on from where it was before it.
    ///
    /// `reason` (a correction's, e.g. `unit set … --reason`) is kept by the audit
    /// trigger beside every change the transaction makes.
    public func write<T>(reason: String? = nil, _ body: (Connection) throws -> T) throws -> T {
        if connection.isInTransaction {
            return try ParkError.translatingRefusals {
                try connection.inSavepoint { conn in
                    guard let reason else { return try body(conn) }
                    // The reason is the transaction's setting: the inner call's changes carry
                    // it, and the outer call's reason (or none) comes back after them.
                    let outer: String? = try conn.query("SELECT current_setting('parkctl.reason', true)").rows[0].decode(0)
                    try conn.execute("SELECT set_config('parkctl.reason', \(reason), true)")
                    let value = try body(conn)
                    try conn.execute("SELECT set_config('parkctl.reason', \(outer ?? ""), true)")
                    return value
                }
            }
        }
        var setUp: [PostgresQuery] = ["SELECT set_config('parkctl.actor', \(actor), true)"]
        if let reason { setUp.append("SELECT set_config('parkctl.reason', \(reason), true)") }
        return try ParkError.translatingRefusals {
            try connection.transaction(setUp: setUp) { conn in
                try body(conn)
            }
        }
    }

    /// Runs read-only work; a database refusal is translated like in `write`.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        try ParkError.translatingRefusals { try body(connection) }
    }

    /// The server, for `db status`: "PostgreSQL 15.4, /var/lib/parkctl/run:5432".
    public var serverDescription: String {
        let version = connection.serverVersion
        return "PostgreSQL \(version / 10000).\(version % 10000), \(connection.hostDescription)"
    }

    /// Ends the session; safe to call more than once.
    /// Refuses a staff login: `what` (a restore of the whole cluster, an upgrade) is the
    /// database owner's, or a superuser's.
    public func requireOwner(_ what: String) throws {
        let owner: Bool = try connection.query("SELECT parkctl_is_owner(session_user)").rows[0].decode(0)
        guard owner else {
            throw ParkError(.forbidden, "\(what) is the database owner's (the embedded cluster's operator): a staff login may not")
        }
    }

    /// Gathers the planner's statistics for every table (after pg_upgrade, which carries none over).
    public func analyze() throws { try connection.simpleQuery("ANALYZE") }

    public func close() { connection.close() }
}

@available(*, unavailable)
extension ParkSession: Sendable {}
