import Postgres
import Testing
import TestSupport

struct Boom: Error {}

@Suite struct TransactionTests {
    @Test func commitsOnReturnAndRollsBackOnThrow() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (v text)")
        _ = try conn.transaction { try $0.execute("INSERT INTO t VALUES (\("kept"))") }
        #expect(throws: Boom.self) {
            try conn.transaction { conn in
                try conn.execute("INSERT INTO t VALUES (\("lost"))")
                throw Boom()
            }
        }
        let refused19 = #expect(throws: PostgresError.self) {
            try conn.transaction { conn in
                try conn.execute("INSERT INTO t VALUES (\("lost too"))")
                try conn.execute("INSERT INTO t VALUES (1/0)")
            }
        }
        #expect(refused19?.sqlState == SQLState("22012"), "\(String(describing: refused19))")
        #expect(!conn.isInTransaction)
        let rows = try conn.query("SELECT v FROM t ORDER BY v").rows.map { try $0.decode(0, as: String.self) }
        #expect(rows == ["kept"])
    }

    /// A failed statement inside a savepoint undoes what the savepoint did and no more:
    /// the transaction goes on, keeps what came before, and commits.
    @Test func aSavepointUndoesItsOwnWorkAndTheTransactionGoesOn() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (v text UNIQUE)")
        let refused36 = #expect(throws: PostgresError.self) { try conn.inSavepoint { _ in 0 } }
        #expect(refused36?.message == "a savepoint needs an open transaction", "\(String(describing: refused36))")   // no transaction open
        try conn.transaction { conn in
            try conn.execute("INSERT INTO t VALUES (\("before"))")
            let error = #expect(throws: PostgresError.self) {
                try conn.inSavepoint { conn in
                    try conn.execute("INSERT INTO t VALUES (\("inside"))")
                    _ = try conn.inSavepoint { conn in try conn.execute("INSERT INTO t VALUES (\("nested"))") }
                    return try conn.execute("INSERT INTO t VALUES (\("before"))")   // unique violation
                }
            }
            #expect(error?.isUniqueViolation == true)
            // Nested savepoints that succeed are kept.
            let inserted = try conn.inSavepoint { conn in
                try conn.inSavepoint { conn in try conn.execute("INSERT INTO t VALUES (\("after"))") }
            }
            #expect(inserted == 1)
        }
        let rows = try conn.query("SELECT v FROM t ORDER BY v").rows.map { try $0.decode(0, as: String.self) }
        #expect(rows == ["after", "before"])
        #expect(!conn.isInTransaction)
    }

    @Test func retriesSerializationFailuresABoundedNumberOfTimes() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (attempt int)")
        var attempts = 0
        try conn.transaction(isolation: .serializable) { conn in
            attempts += 1
            try conn.execute("INSERT INTO t VALUES (\(attempts))")
            if attempts < 3 {
                try conn.simpleQuery("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
            }
        }
        #expect(attempts == 3)
        #expect(try conn.query("SELECT attempt FROM t").rows.map { try $0.decode(0, as: Int.self) } == [3])

        attempts = 0
        let error = #expect(throws: PostgresError.self) {
            try conn.transaction(maxRetries: 2) { conn in
                attempts += 1
                try conn.simpleQuery("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
            }
        }
        #expect(error?.isDeadlock == true)
        #expect(attempts == 3)
    }

    @Test func isolationLevelIsApplied() throws {
        let db = try TestDatabase()
        let level = try db.connection.transaction(isolation: .repeatableRead, readOnly: true) { conn in
            try conn.query("SHOW transaction_isolation").rows[0].decode(0, as: String.self)
        }
        #expect(level == "repeatable read")
    }
}
