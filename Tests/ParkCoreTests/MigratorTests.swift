import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct MigratorTests {
    let first = Migration(name: "0001_a.sql", sql: "CREATE TABLE a (id int PRIMARY KEY);")
    let second = Migration(name: "0002_b.sql", sql: "CREATE TABLE b (id int REFERENCES a); INSERT INTO a VALUES (1);")

    @Test func appliesInOrderOnceAndRecordsChecksums() throws {
        let conn = try Connection(try TestServer.shared.get().makeEmptyDatabase())
        let migrator = Migrator(migrations: [second, first])
        #expect(try migrator.hasPending(conn))
        #expect(try migrator.status(conn).map(\.status) == [.pending, .pending])
        #expect(try migrator.migrate(conn) == ["0001_a.sql", "0002_b.sql"])
        #expect(try migrator.migrate(conn) == [])
        #expect(try !migrator.hasPending(conn))
        let states = try migrator.status(conn)
        #expect(states.map(\.status) == [.applied, .applied])
        #expect(states.allSatisfyAndNonEmpty { $0.appliedAt != nil })
        let checksum = try conn.query("SELECT checksum FROM schema_migrations WHERE name = '0001_a.sql'").rows[0].decode(0, as: String.self)
        #expect(checksum.count == 64)
    }

    @Test func aChangedAppliedFileStopsMigrate() throws {
        let conn = try Connection(try TestServer.shared.get().makeEmptyDatabase())
        try Migrator(migrations: [first]).migrate(conn)
        let edited = Migration(name: first.name, sql: first.sql + " -- edited")
        let third = Migration(name: "0003_c.sql", sql: "CREATE TABLE c ();")
        let migrator = Migrator(migrations: [edited, third])
        let error = #expect(throws: ParkError.self) { try migrator.migrate(conn) }
        #expect(error?.message.contains("0001_a.sql") == true)
        #expect(error?.message.contains("changed") == true)
        #expect(try migrator.status(conn).map(\.status) == [.changed, .pending])
        // Nothing after the refusal was applied.
        #expect(try conn.query("SELECT to_regclass('c') IS NULL").rows[0].decode(0, as: Bool.self))
    }

    @Test func aFailingMigrationLeavesNoTrace() throws {
        let conn = try Connection(try TestServer.shared.get().makeEmptyDatabase())
        let broken = Migration(name: "0002_broken.sql", sql: "CREATE TABLE half (id int); SELECT no_such_function();")
        let refused42 = #expect(throws: PostgresError.self) { try Migrator(migrations: [first, broken]).migrate(conn) }
        #expect(refused42?.sqlState == SQLState("42883"), "\(String(describing: refused42))")
        #expect(try Migrator(migrations: [first, broken]).status(conn).map(\.status) == [.applied, .pending])
        #expect(try conn.query("SELECT to_regclass('half') IS NULL").rows[0].decode(0, as: Bool.self))
    }

    @Test func twoConcurrentMigrationsApplyEachFileOnce() throws {
        let conninfo = try TestServer.shared.get().makeEmptyDatabase()
        let slow = Migration(name: "0002_slow.sql", sql: "SELECT pg_sleep(0.3); CREATE TABLE slow (id int);")
        let migrations = Migration.embedded + [slow]
        let outcomes = runConcurrently(2) { _ in
            try Migrator(migrations: migrations).migrate(try Connection(conninfo)).count
        }
        let counts = try outcomes.map { try $0.get() }
        #expect(counts.sorted() == [0, migrations.count])
        let conn = try Connection(conninfo)
        #expect(try conn.query("SELECT count(*) FROM schema_migrations").rows[0].decode(0, as: Int.self) == migrations.count)
    }

    @Test func theEmbeddedMigrationsEnableBtreeGist() throws {
        let db = try TestDatabase()
        #expect(!Migration.embedded.isEmpty)
        #expect(Migration.embedded.first?.name == "0001_foundation.sql")
        let has = try db.connection.query("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'").rows[0].decode(0, as: Int.self)
        #expect(has == 1)
        #expect(try !Migrator().hasPending(db.connection))
    }

    /// 0010 on a database that has staff and data already (the upgrade every park runs):
    /// existing staff keep their logins to it, and PUBLIC loses CONNECT.
    @Test func theSecurityMigrationKeepsExistingStaffIn() throws {
        let conninfo = try TestServer.shared.get().makeEmptyDatabase()
        let conn = try Connection(conninfo)
        let before = Migrator(migrations: Migration.embedded.filter { $0.name < "0010" })
        try before.migrate(conn)
        try conn.execute("INSERT INTO park (code, name, kind) VALUES ('SW', '软件园', 'software'), ('EC', '电商园', 'ecommerce')")
        let login = "up_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let sw: Int = try conn.query("SELECT id FROM park WHERE code = 'SW'").rows[0].decode(0)
        try conn.execute("SELECT parkctl_staff_add(\(login), 'viewer', ARRAY[\(sw)]::bigint[], NULL)")
        #expect(try Migrator().migrate(conn).contains("0010_security.sql"))
        let asStaff = try Connection(try ConnectionString.replacing(["user": login], in: conninfo))
        #expect(try asStaff.query("SELECT count(*) FROM park").rows[0].decode(0, as: Int.self) == 1)
        asStaff.close()
        #expect(try conn.query("SELECT has_database_privilege('public', current_database(), 'CONNECT')").rows[0].decode(0, as: Bool.self) == false)
    }
}
