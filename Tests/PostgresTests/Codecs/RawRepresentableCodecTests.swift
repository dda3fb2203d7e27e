import Postgres
import Testing
import TestSupport

enum Cycle: String, PostgresCodable { case monthly, quarterly }

@Suite struct RawRepresentableCodecTests {
    @Test func roundTripsByItsRawValue() throws {
        let db = try TestDatabase()
        #expect(try roundTrip(Cycle.quarterly, "text", on: db.connection) == .quarterly)
        #expect(try roundTrip(Cycle?.none, "text", on: db.connection) == nil)
        // Bound as its raw value: the server compares it with text.
        #expect(try db.connection.query("SELECT \(Cycle.monthly) = 'monthly' AS same").rows[0].decode("same", as: Bool.self))
    }

    /// A stored value that is no case is a decoding error naming the column, the value
    /// and the type, not a value silently replaced.
    @Test func aValueWithNoCaseIsADecodingError() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT 'weekly'::text AS cycle").rows[0]
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("cycle", as: Cycle.self) }
        #expect(error?.description == "cannot decode column \"cycle\" (#0, text) as Cycle: 'weekly' is not a value of Cycle")
    }
}
