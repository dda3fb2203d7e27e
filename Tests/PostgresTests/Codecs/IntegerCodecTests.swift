import Postgres
import Testing
import TestSupport

@Suite struct IntegerCodecTests {
    @Test func extremesRoundTrip() throws {
        let db = try TestDatabase()
        for value in [Int.min, -1, 0, 1, Int.max] { #expect(try roundTrip(value, "bigint", on: db.connection) == value) }
        for value in [Int32.min, 0, Int32.max] { #expect(try roundTrip(value, "integer", on: db.connection) == value) }
        for value in [Int16.min, Int16.max] { #expect(try roundTrip(value, "smallint", on: db.connection) == value) }
        #expect(try roundTrip(Int64.max, "bigint", on: db.connection) == Int64.max)
    }

    @Test func nullAndOverflowAreErrorsNamingTheColumn() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT NULL::int AS n, 3000000000::bigint AS big, 'x'::text AS word").rows[0]
        #expect(try row.decode("n", as: Int?.self) == nil)
        #expect(throws: PostgresDecodingError.self) { try row.decode("n", as: Int.self) }
        let overflow = #expect(throws: PostgresDecodingError.self) { try row.decode("big", as: Int32.self) }
        #expect(overflow?.column == "big")
        #expect(overflow?.reason.contains("does not fit") == true)
        #expect(try row.decode("big", as: Int.self) == 3_000_000_000)
        #expect(throws: PostgresDecodingError.self) { try row.decode("word", as: Int.self) }
    }
}
