import Postgres
import Testing
import TestSupport

@Suite struct StringCodecTests {
    @Test(arguments: ["", "plain", "湘南湘西软件产业园 256.50㎡ 38.00元", "it's \"quoted\" \\ back", "emoji 🏭 and tab\tnewline\n", "NULL"])
    func roundTrips(_ value: String) throws {
        let db = try TestDatabase()
        #expect(try roundTrip(value, "text", on: db.connection) == value)
        #expect(try roundTrip(value, "varchar", on: db.connection) == value)
    }

    @Test func nullDecodesAsNilAndRefusesNonOptional() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT NULL::text AS name").rows[0]
        #expect(try row.decode("name", as: String?.self) == nil)
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("name", as: String.self) }
        #expect(error?.column == "name")
        #expect(error?.description.contains("NULL") == true)
    }

    @Test func nulByteIsRefusedBeforeItReachesTheServer() throws {
        let db = try TestDatabase()
        let error = #expect(throws: PostgresError.self) {
            try db.connection.query("SELECT \("a\u{0}b")::text")
        }
        #expect(error?.sqlState == .characterNotInRepertoire)
        #expect(try db.connection.query("SELECT 1").rowCount == 1)
    }

    @Test func decodesByColumnNameAndIndex() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT 'a' AS first, 'b' AS \"Second\"").rows[0]
        #expect(try row.decode("first", as: String.self) == "a")
        #expect(try row.decode("Second", as: String.self) == "b")
        #expect(try row.decode(1, as: String.self) == "b")
        let missing = #expect(throws: PostgresDecodingError.self) { try row.decode("second", as: String.self) }
        #expect(missing?.description.contains("Second") == true)
        #expect(throws: PostgresDecodingError.self) { try row.decode(2, as: String.self) }
    }
}
