import Postgres
import Testing
import TestSupport

@Suite struct PipelineTests {
    @Test func aBatchRunsInOneRoundTripAndReturnsEachResult() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (id int PRIMARY KEY, name text)")
        var queries: [PostgresQuery] = (1...2000).map { "INSERT INTO t VALUES (\($0), \("租户 \($0)"))" }
        queries.append("SELECT count(*) AS n FROM t")
        let outcomes = try conn.pipeline(queries)
        #expect(outcomes.count == 2001)
        let last = try outcomes[2000].get()
        #expect(try last.rows[0].decode("n", as: Int.self) == 2000)
        #expect(outcomes.dropLast().allSatisfyAndNonEmpty { (try? $0.get().affectedRows) == 1 })
    }

    @Test func aFailureSkipsTheRestAndCommitsNothing() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (id int PRIMARY KEY)")
        let outcomes = try conn.pipeline(["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"])
        guard case .success = outcomes[0], case .failure(let dup) = outcomes[1], case .failure(let skipped) = outcomes[2] else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(dup.isUniqueViolation)
        #expect(skipped.sqlState == SQLState("25P02"))
        #expect(try conn.query("SELECT count(*) FROM t").rows[0].decode(0, as: Int.self) == 0)
        // The connection is back in normal mode.
        #expect(try conn.query("SELECT 1").rowCount == 1)
    }

    @Test func largeResultsDoNotDeadlock() throws {
        let db = try TestDatabase()
        // Each statement returns ~1 MB; the batch is far larger than the socket buffers.
        let queries: [PostgresQuery] = (1...40).map { _ in "SELECT repeat('x', 1000) FROM generate_series(1, 1000)" }
        let outcomes = try db.connection.pipeline(queries)
        #expect(try outcomes.map { try $0.get().rowCount } == Array(repeating: 1000, count: 40))
    }
}
