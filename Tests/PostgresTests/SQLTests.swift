import Postgres
import Testing
import TestSupport

/// Composable SQL: pieces joined, nested and interpolated into queries are numbered
/// when rendered, values stay parameters, and the server agrees with the result.
@Suite struct SQLTests {
    @Test func piecesAreNumberedInOrderWhenRendered() throws {
        let park = "SW"
        let since = 3
        let a: SQL = "p.code = \(park)"
        let b: SQL = "u.floor >= \(since)"
        let both = [a, b].joined(separator: " AND ")
        #expect(both.query.sql == "p.code = $1 AND u.floor >= $2")
        #expect(both.query.binds == [PostgresBind(park), PostgresBind(since)])
        // Nested in a query after its own value: numbered after it.
        let query: PostgresQuery = "SELECT \(7) WHERE \(both)"
        #expect(query.sql == "SELECT $1 WHERE p.code = $2 AND u.floor >= $3")
        #expect(query.binds == [PostgresBind(7), PostgresBind(park), PostgresBind(since)])
        // A piece inside a piece.
        let outer: SQL = "(\(a)) OR (\(a))"
        #expect(outer.query.sql == "(p.code = $1) OR (p.code = $2)")
        #expect((SQL("x") + SQL.empty + "y").query.sql == "xy")
        #expect(SQL.whereAll([]).isEmpty && [SQL]().joined(separator: ", ").isEmpty)
        #expect(SQL.whereAll([a, b]).query.sql == "WHERE (p.code = $1) AND (u.floor >= $2)")
    }

    @Test func theServerRunsComposedQueriesAndValuesStayValues() throws {
        let db = try TestDatabase()
        let conn = db.connection
        let table = "odd \"name\""
        let quoted = #""odd ""name""""#
        #expect(SQL.quoted(identifier: table) == quoted)
        try conn.simpleQuery("CREATE TABLE \(quoted) (id int, label text); "
                             + "INSERT INTO \(quoted) VALUES (1, '园区'), (2, 'x'' OR ''1''=''1'), (3, '园区')")
        func count(_ filters: [SQL]) throws -> Int {
            try conn.query("SELECT count(*) FROM \(identifier: table) \(SQL.whereAll(filters))").rows[0].decode(0, as: Int.self)
        }
        #expect(try count([]) == 3)
        #expect(try count(["label = \("园区")"]) == 2)
        #expect(try count(["label = \("园区")", "id > \(1)"]) == 1)
        // An injection attempt is a value, matched literally.
        #expect(try count(["label = \("x' OR '1'='1")"]) == 1)
        let ids = [1, 3].map { id -> SQL in "id = \(id)" }.joined(separator: " OR ")
        #expect(try count([ids]) == 2)
    }
}
