import Postgres

/// One numbered schema change from `sql/`, e.g. `0001_foundation.sql`.
public struct Migration: Sendable, Equatable {
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// The migrations built into this parkctl, in order.
    public static let embedded: [Migration] = EmbeddedMigrations.files
        .map { Migration(name: $0.name, sql: $0.sql) }
        .sorted { $0.name < $1.name }
}

/// What the database holds of one migration.
public struct MigrationState: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Applied, and the file is unchanged since.
        case applied
        /// Not yet applied.
        case pending
        /// Applied, but the file has changed since: refused.
        case changed
        /// Applied, but this parkctl does not know it (the database is newer).
        case unknown
    }

    public var name: String
    public var status: Status
    /// When it was applied (ISO 8601, the server's rendering), if it was.
    public var appliedAt: String?
}

/// Applies the migrations in order, each in its own transaction, and records them
/// with a checksum in `schema_migrations`.
///
/// Runs are serialised by an advisory lock, so two `parkctl db migrate` at once
/// apply each file once. An applied file that changed later stops the run.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// Key of the session-level advisory lock held while migrating ("parkctl" in ASCII).
    static let lockKey: Int64 = 0x7061_726B_6374_6C00

    public init(migrations: [Migration] = Migration.embedded) {
        self.migrations = migrations.sorted { $0.name < $1.name }
    }

    /// The state of every migration, known or recorded.
    /// The session's side of ``status(_:)-(Connection)`` and ``migrate(_:)-(Connection)``, for the CLI.
    public func status(_ session: ParkSession) throws -> [MigrationState] { try status(session.connection) }
    @discardableResult
    public func migrate(_ session: ParkSession) throws -> [String] { try migrate(session.connection) }

    public func status(_ conn: Connection) throws -> [MigrationState] {
        if try !tableExists(conn) {
            return migrations.map { MigrationState(name: $0.name, status: .pending, appliedAt: nil) }
        }
        // The checksum is computed by the server: sha256 of the file's UTF-8 text.
        let result = try conn.query("""
            SELECT coalesce(f.name, m.name) AS name,
                   encode(sha256(convert_to(f.sql, 'UTF8')), 'hex') AS file_checksum,
                   m.checksum AS applied_checksum,
                   to_char(m.applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at
            FROM unnest(\(migrations.map(\.name))::text[], \(migrations.map(\.sql))::text[]) AS f(name, sql)
            FULL JOIN schema_migrations m ON m.name = f.name
            ORDER BY 1
            """)
        return try result.rows.map { row in
            let fileChecksum = try row.decode("file_checksum", as: String?.self)
            let appliedChecksum = try row.decode("applied_checksum", as: String?.self)
            let status: MigrationState.Status = switch (fileChecksum, appliedChecksum) {
            case (_?, nil): .pending
            case (nil, _?): .unknown
            case let (f?, a?): f == a ? .applied : .changed
            case (nil, nil): .unknown
            }
            return MigrationState(name: try row.decode("name"), status: status,
                                  appliedAt: try row.decode("applied_at", as: String?.self))
        }
    }

    /// Whether any migration is pending (one cheap query, for every command's start).
    public func hasPending(_ conn: Connection) throws -> Bool {
        guard try tableExists(conn) else { return !migrations.isEmpty }
        let applied = try conn.query("""
            SELECT count(*) FROM schema_migrations WHERE name = ANY(\(migrations.map(\.name))::text[])
            """).rows[0].decode(0, as: Int.self)
        return applied < migrations.count
    }

    private func tableExists(_ conn: Connection) throws -> Bool {
        try conn.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL").rows[0].decode(0, as: Bool.self)
    }

    /// Applies every pending migration; returns the names applied.
    @discardableResult
    public func migrate(_ conn: Connection) throws -> [String] {
        try conn.query("SELECT pg_advisory_lock(\(Self.lockKey))").clear()
        defer { _ = try? conn.query("SELECT pg_advisory_unlock(\(Self.lockKey))") }
        try conn.simpleQuery("""
            SET client_min_messages = warning;
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name        text PRIMARY KEY,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                applied_by  text NOT NULL DEFAULT current_user
            );
            RESET client_min_messages;
            """)
        let states = try status(conn)
        if let changed = states.first(where: { $0.status == .changed }) {
            throw ParkError.invalid("""
                migration \(changed.name) was applied (at \(changed.appliedAt ?? "?")) and its file has changed since; \
                applied migrations must never be edited: restore the file and put the change in a new migration
                """)
        }
        var applied: [String] = []
        for migration in migrations where states.first(where: { $0.name == migration.name })?.status == .pending {
            do {
                try conn.transaction { conn in
                    try conn.simpleQuery(migration.sql)
                    try conn.execute("""
                        INSERT INTO schema_migrations (name, checksum)
                        VALUES (\(migration.name), encode(sha256(convert_to(\(migration.sql)::text, 'UTF8')), 'hex'))
                        """)
                }
            } catch let error as PostgresError where error.sqlState?.codeClass == .integrityConstraintViolation {
                // The data this database holds stops the migration: say what, and what to do.
                throw MigrationBlocked(migration: migration.name, error: error)
            }
            applied.append(migration.name)
        }
        try grantDatabaseAccess(conn)
        return applied
    }

    /// Whether the lease commands and `db check` may run although a later migration is
    /// blocked by the data: every migration up to the integrity check's is applied.
    public func canRepair(_ conn: Connection) throws -> Bool {
        let needed = migrations.map(\.name).filter { $0 <= Self.integrityCheckMigration }
        let applied = try conn.query("""
            SELECT count(*) FROM schema_migrations WHERE name = ANY(\(needed)::text[])
            """).rows[0].decode(0, as: Int.self)
        return applied == needed.count
    }

    /// The migration that brings `parkctl_index_completeness` and `parkctl_overlapping_leases`.
    static let integrityCheckMigration = "0011_integrity_check.sql"

    /// CONNECT and TEMPORARY on this database for its staff, not for PUBLIC (0010).
    /// Database grants are not copied by `CREATE DATABASE … TEMPLATE`, so every
    /// migrate sets them again; it is idempotent.
    public func grantDatabaseAccess(_ conn: Connection) throws {
        guard try conn.query("SELECT to_regprocedure('parkctl_grant_database_access()') IS NOT NULL").rows[0].decode(0, as: Bool.self)
        else { return }
        try conn.execute("SELECT parkctl_grant_database_access()")
    }
}

/// A migration that the data of this database stops (two leases that overlap stop
/// the one that rebuilds the exclusion constraint): the migration's own message and
/// its hint, which says what to do.
public struct MigrationBlocked: Error, Sendable, CustomStringConvertible {
    public var migration: String
    public var error: PostgresError

    public var description: String {
        "migration \(migration) cannot be applied to the data this database holds: \(error.message)"
            + (error.detail.map { " (\($0))" } ?? "")
            + (error.hint.map { "\nwhat to do: \($0)" } ?? "")
    }
}
