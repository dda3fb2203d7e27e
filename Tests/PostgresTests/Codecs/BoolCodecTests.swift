import Postgres
import Testing
import TestSupport

@Suite struct BoolCodecTests {
    @Test func roundTrips() throws {
        let db = try TestDatabase()
        #expect(try roundTrip(true, "boolean", on: db.connection) == true)
        #expect(try roundTrip(false, "boolean", on: db.connection) == false)
        #expect(try roundTrip(Bool?.none, "boolean", on: db.connection) == nil)
        #expect(try db.connection.query("SELECT 2 > 1 AS yes").rows[0].decode("yes", as: Bool.self))
    }
}
