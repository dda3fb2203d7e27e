import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct DecimalCodecTests {
    @Test(arguments: ["12345678901234.5678", "-0.01", "0", "38.00", "0.0001", "99999999999999999999999999999999999999",
                      "-12345678901234567890.123456789012345678"])
    func roundTripsExactly(_ text: String) throws {
        let db = try TestDatabase()
        let value = try #require(Decimal(string: text))
        let back = try roundTrip(value, "numeric", on: db.connection)
        #expect(back == value)
        // And the server saw exactly that number.
        let equal = try db.connection.query("SELECT \(value) = \(text)::numeric AS same").rows[0].decode(0, as: Bool.self)
        #expect(equal)
    }

    @Test func scaleFromTheColumnTypeKeepsTheValue() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT 256.5::numeric(10,2) AS area, NULL::numeric AS none").rows[0]
        #expect(row.text(0) == "256.50")
        #expect(try row.decode("area", as: Decimal.self) == Decimal(string: "256.5"))
        #expect(try row.decode("none", as: Decimal?.self) == nil)
    }

    @Test func moreDigitsThanDecimalHoldsIsAnErrorNotRounding() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT 1234567890123456789012345678901234567890.5::numeric AS huge").rows[0]
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("huge", as: Decimal.self) }
        #expect(error?.reason.contains("more digits") == true)
    }

    @Test func moneyArithmeticStaysExact() throws {
        let db = try TestDatabase()
        // 256.50 m² at 38.00 元/m²/month: exactly 9747.00, no binary noise.
        let rent = try db.connection.query("SELECT \(Decimal(string: "256.50")!) * \(Decimal(string: "38.00")!) AS rent")
            .rows[0].decode("rent", as: Decimal.self)
        #expect(rent == Decimal(string: "9747"))
        #expect(rent.description == "9747")
    }
}
