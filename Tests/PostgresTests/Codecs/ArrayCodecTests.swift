import Postgres
import Testing
import TestSupport

@Suite struct ArrayCodecTests {
    @Test func textArraysRoundTripWithAwkwardElements() throws {
        let db = try TestDatabase()
        let values: [[String]] = [[], ["software", "internet", "ai"], ["with,comma", "with \"quote\"", "back\\slash", "{braces}", "NULL", "", " spaced "],
                                  ["软件", "电子商务", "智能制造"]]
        for value in values {
            #expect(try roundTrip(value, "text[]", on: db.connection) == value)
        }
        let length = try db.connection.query("SELECT cardinality(\(values[2])::text[]) AS n").rows[0].decode(0, as: Int.self)
        #expect(length == values[2].count)
    }

    @Test func integerArraysRoundTrip() throws {
        let db = try TestDatabase()
        #expect(try roundTrip([Int.min, 0, Int.max], "bigint[]", on: db.connection) == [Int.min, 0, Int.max])
        #expect(try roundTrip([Int32(1), -2, 3], "integer[]", on: db.connection) == [1, -2, 3])
        #expect(try roundTrip([Int](), "bigint[]", on: db.connection) == [])
    }

    @Test func aNullElementIsAnError() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT ARRAY['a', NULL]::text[] AS items").rows[0]
        #expect(throws: PostgresDecodingError.self) { try row.decode("items", as: [String].self) }
    }
}
