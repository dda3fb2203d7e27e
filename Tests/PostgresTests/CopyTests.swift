import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct CopyTests {
    @Test func hundredThousandRowsInAndOut() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE unit_copy (id int PRIMARY KEY, code text, area numeric(12,2))")
        let count = 100_000
        let copied = try conn.copyIn("COPY unit_copy FROM STDIN (FORMAT csv)") { writer in
            var chunk = ""
            for i in 1...count {
                chunk += "\(i),\"单元-\(i), \"\"B\"\"\",\(i % 1000).50\n"
                if chunk.utf8.count > 60_000 { try writer.write(chunk); chunk = "" }
            }
            try writer.write(chunk)
        }
        #expect(copied == count)
        let sum = try conn.query("SELECT sum(area) AS s, count(DISTINCT code) AS n FROM unit_copy").rows[0]
        #expect(try sum.decode("n", as: Int.self) == count)
        let expectedSum = (1...count).reduce(Decimal(0)) { $0 + Decimal($1 % 1000) + Decimal(string: "0.5")! }
        #expect(try sum.decode("s", as: Decimal.self) == expectedSum)
        #expect(try conn.query("SELECT code FROM unit_copy WHERE id = 7").rows[0].decode(0, as: String.self) == "单元-7, \"B\"")

        var lines = 0
        var bytes = 0
        let out = try conn.copyOut("COPY (SELECT id, code, area FROM unit_copy ORDER BY id) TO STDOUT (FORMAT csv)") { chunk in
            lines += chunk.filter { $0 == UInt8(ascii: "\n") }.count
            bytes += chunk.count
        }
        #expect(out == count)
        #expect(lines == count)
        #expect(bytes > count * 10)
    }

    @Test func aThrowingWriterLoadsNothing() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (v int)")
        #expect(throws: Boom.self) {
            try conn.copyIn("COPY t FROM STDIN") { writer in
                try writer.write("1\n2\n")
                throw Boom()
            }
        }
        #expect(try conn.query("SELECT count(*) FROM t").rows[0].decode(0, as: Int.self) == 0)
    }

    @Test func badDataIsAServerErrorAndTheConnectionRecovers() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE t (v int)")
        let error = #expect(throws: PostgresError.self) {
            try conn.copyIn("COPY t FROM STDIN") { try $0.write("1\nnot a number\n") }
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        #expect(try conn.query("SELECT count(*) FROM t").rows[0].decode(0, as: Int.self) == 0)
    }

    @Test func streamingRowsVisitsEveryRowOnce() throws {
        let db = try TestDatabase()
        var seen = 0
        var total = 0
        try db.connection.forEachRow("SELECT g AS n FROM generate_series(1, \(100_000)) g") { row in
            seen += 1
            total += try row.decode("n", as: Int.self)
        }
        #expect(seen == 100_000)
        #expect(total == 100_000 * 100_001 / 2)
        // Stopping early cancels the query and leaves the connection usable.
        var visited = 0
        #expect(throws: Boom.self) {
            try db.connection.forEachRow("SELECT g FROM generate_series(1, 10000000) g") { _ in
                visited += 1
                if visited == 10 { throw Boom() }
            }
        }
        #expect(visited == 10)
        #expect(try db.connection.query("SELECT 1").rowCount == 1)
    }
}
