import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ErrorTests {
    func schema(_ conn: Connection) throws {
        try conn.simpleQuery("""
            CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, area numeric CHECK (area > 0));
            CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id));
            CREATE TABLE booking (unit int, during daterange, EXCLUDE USING gist (unit WITH =, during WITH &&));
            INSERT INTO parent VALUES (1, 'SW', 10);
            """)
    }

    @Test func uniqueViolation() throws {
        let db = try TestDatabase()
        try schema(db.connection)
        let error = #expect(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO parent VALUES (\(2), \("SW"), \(Decimal(5)))")
        }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.constraint == "parent_code_key")
        #expect(error?.table == "parent")
        #expect(error?.sql?.contains("INSERT INTO parent") == true)
        // The generic description leaks no value; the debug one has the detail.
        #expect(error?.description.contains("SW") == false)
        #expect(error?.debugDescription.contains("(code)=(SW)") == true)
        if let state = error?.sqlState {
            #expect(SQLState.integrityConstraintViolation ~= state)
            #expect(!(SQLState.dataException ~= state))
        }
    }

    @Test func foreignKeyViolation() throws {
        let db = try TestDatabase()
        try schema(db.connection)
        let error = #expect(throws: PostgresError.self) { try db.connection.execute("INSERT INTO child VALUES (1, \(99))") }
        #expect(error?.isForeignKeyViolation == true)
        #expect(error?.constraint == "child_parent_id_fkey")
    }

    @Test func checkViolation() throws {
        let db = try TestDatabase()
        try schema(db.connection)
        let error = #expect(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO parent VALUES (3, 'EC', \(Decimal(string: "-0.01")!))")
        }
        #expect(error?.isCheckViolation == true)
        #expect(error?.constraint == "parent_area_check")
    }

    @Test func exclusionViolation() throws {
        let db = try TestDatabase()
        try schema(db.connection)
        try db.connection.execute("INSERT INTO booking VALUES (1, daterange(\(CalendarDate("2026-12-01")!), \(CalendarDate("2027-12-01")!)))")
        // Another unit, or the same unit from the day the first booking ends, is fine.
        try db.connection.execute("INSERT INTO booking VALUES (2, daterange('2026-12-01', '2027-12-01'))")
        try db.connection.execute("INSERT INTO booking VALUES (1, daterange('2027-12-01', '2028-12-01'))")
        let error = #expect(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO booking VALUES (1, daterange('2027-06-01', '2027-07-01'))")
        }
        #expect(error?.isExclusionViolation == true)
        #expect(error?.constraint == "booking_unit_during_excl")
    }

    @Test func serializationFailureOnWriteSkew() throws {
        let db = try TestDatabase()
        try db.connection.simpleQuery("CREATE TABLE duty (doctor text, on_call bool); INSERT INTO duty VALUES ('a', true), ('b', true)")
        let other = try Connection(db.conninfo)
        for conn in [db.connection, other] {
            try conn.simpleQuery("BEGIN ISOLATION LEVEL SERIALIZABLE")
            #expect(try conn.query("SELECT count(*) FROM duty WHERE on_call").rows[0].decode(0, as: Int.self) == 2)
        }
        try db.connection.execute("UPDATE duty SET on_call = false WHERE doctor = 'a'")
        try other.execute("UPDATE duty SET on_call = false WHERE doctor = 'b'")
        try db.connection.simpleQuery("COMMIT")
        let error = #expect(throws: PostgresError.self) { try other.simpleQuery("COMMIT") }
        #expect(error?.isSerializationFailure == true)
        #expect(error?.isRetryable == true)
    }

    @Test func deadlockDetected() throws {
        let db = try TestDatabase()
        try db.connection.simpleQuery("CREATE TABLE acct (id int PRIMARY KEY, n int); INSERT INTO acct VALUES (1, 0), (2, 0)")
        let conninfo = db.conninfo
        let locked = [Signal(), Signal()]
        let outcomes = runConcurrently(2) { i in
            let conn = try Connection(conninfo)
            try conn.simpleQuery("BEGIN")
            try conn.execute("UPDATE acct SET n = n + 1 WHERE id = \(i + 1)")
            locked[i].fire()
            _ = locked[1 - i].wait()
            try conn.execute("UPDATE acct SET n = n + 1 WHERE id = \(2 - i)")
            try conn.simpleQuery("COMMIT")
        }
        let errors = outcomes.compactMap { outcome -> PostgresError? in
            if case .failure(let e) = outcome { return e as? PostgresError }
            return nil
        }
        #expect(errors.count == 1)
        #expect(errors.first?.isDeadlock == true)
        #expect(errors.first?.isRetryable == true)
    }

    @Test func sqlStateClassMatching() {
        #expect(SQLState.integrityConstraintViolation ~= SQLState.uniqueViolation)
        #expect(SQLState.transactionRollback ~= SQLState.deadlockDetected)
        #expect(!(SQLState.uniqueViolation ~= SQLState.checkViolation))
        #expect(SQLState.uniqueViolation.codeClass == .integrityConstraintViolation)
        switch SQLState("23P01") as SQLState? {
        case .uniqueViolation?: Issue.record("23P01 is not 23505")
        case .integrityConstraintViolation?: break
        default: Issue.record("23P01 belongs to class 23")
        }
    }

    @Test func syntaxErrorKeepsTheConnectionUsable() throws {
        let db = try TestDatabase()
        let error = #expect(throws: PostgresError.self) { try db.connection.query("SELEC 1") }
        #expect(error?.kind == .server)
        #expect(error?.sqlState == SQLState("42601"))
        #expect(try db.connection.query("SELECT 1").rowCount == 1)
    }
}
