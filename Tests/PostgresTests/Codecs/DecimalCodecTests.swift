import Foundation
@testable import Postgres
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

    /// Values of up to 18 significant digits are read by parkctl's own parser; they
    /// must come out as Foundation's parser reads them: the same value and the same text.
    @Test func theQuickReadingAgreesWithFoundations() throws {
        let db = try TestDatabase()
        let rows = try db.connection.query("""
            SELECT v::text AS text, v FROM (
                SELECT ((i * 7919) % 1000003 - 500000)::numeric / 100 AS v FROM generate_series(1, 2000) i
                UNION ALL SELECT ((i * 104729) % 99991)::numeric(14,4) / 7 FROM generate_series(1, 500) i
                UNION ALL SELECT x::numeric FROM unnest(ARRAY['0', '0.00', '-0.01', '0.05', '100', '1000000', '38.00',
                    '123456789012345678', '-12345678901234567.8', '1234567890123456789', '0.000000000000000001',
                    '99999999999999.99', '-99999999999999.99']) x) s
            """).rows
        #expect(rows.count == 2513)
        for row in rows {
            let text = try row.decode("text", as: String.self)
            let decoded = try row.decode("v", as: Decimal.self)
            let foundation = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
            #expect(decoded == foundation, "\(text)")
            #expect(decoded.description == foundation.description, "\(text)")
        }
        // 18 significant digits are read quickly; 19 go the general way, to the same value.
        #expect(Decimal.small("-12345678901234567.8") == Decimal(string: "-12345678901234567.8"))
        #expect(Decimal.small("1234567890123456789") == nil)
        // Below Decimal's smallest exponent the general path decides (it refuses): never 0.
        #expect(Decimal.small("0." + String(repeating: "0", count: 130) + "1") == nil)
        #expect(Decimal.small("1e5") == nil && Decimal.small("-") == nil && Decimal.small("1.2.3") == nil && Decimal.small("") == nil)
    }
}
