import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct UUIDCodecTests {
    @Test func roundTrips() throws {
        let db = try TestDatabase()
        let id = UUID()
        #expect(try roundTrip(id, "uuid", on: db.connection) == id)
        #expect(try roundTrip(UUID?.none, "uuid", on: db.connection) == nil)
    }
}
