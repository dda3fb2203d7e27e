import Postgres
import Testing
import TestSupport

@Suite struct CalendarDateCodecTests {
    @Test(arguments: ["2024-02-29", "0001-01-01", "9999-12-31", "2026-10-28", "1970-01-01", "1969-12-31"])
    func roundTrips(_ text: String) throws {
        let db = try TestDatabase()
        let date = try #require(CalendarDate(text))
        #expect(date.description == text)
        #expect(try roundTrip(date, "date", on: db.connection) == date)
        let serverText = try db.connection.query("SELECT \(date)::text AS t").rows[0].decode(0, as: String.self)
        #expect(serverText == text)
    }

    @Test(arguments: ["2026-02-30", "2023-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "99999-01-01", "2026-1-01", "26-01-01", "", "2026/01/01"])
    func invalidTextIsRefused(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func arithmeticAgreesWithTheServer() throws {
        let db = try TestDatabase()
        let start = try #require(CalendarDate("2024-02-28"))
        for days in [-800, -1, 0, 1, 2, 365, 366, 10_000] {
            let server = try db.connection.query("SELECT \(start) + \(Int32(days)) AS d").rows[0].decode(0, as: CalendarDate.self)
            #expect(start.adding(days: days) == server)
            #expect(start.days(until: server) == days)
        }
        let isodow = try db.connection.query("SELECT extract(isodow FROM \(start))::int AS dow").rows[0].decode(0, as: Int.self)
        #expect(start.isoWeekday == isodow)
    }

    @Test func infinityAndNullAreNotDates() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT 'infinity'::date AS forever, NULL::date AS none").rows[0]
        #expect(throws: PostgresDecodingError.self) { try row.decode("forever", as: CalendarDate.self) }
        #expect(try row.decode("none", as: CalendarDate?.self) == nil)
    }
}

@Suite struct DateRangeCodecTests {
    @Test func inclusiveRangesRoundTripThroughDaterange() throws {
        let db = try TestDatabase()
        let term = try #require(DateRange(first: CalendarDate("2026-12-01")!, last: CalendarDate("2029-11-30")!))
        #expect(try roundTrip(term, "daterange", on: db.connection) == term)
        let row = try db.connection.query("""
            SELECT \(term)::daterange AS t, upper(\(term)::daterange) AS end_exclusive,
                   \(term)::daterange @> '2029-11-30'::date AS last_in, \(term)::daterange @> '2029-12-01'::date AS after_in
            """).rows[0]
        #expect(row.text(0) == "[2026-12-01,2029-12-01)")
        #expect(try row.decode("end_exclusive", as: CalendarDate.self) == CalendarDate("2029-12-01"))
        #expect(try row.decode("last_in", as: Bool.self))
        #expect(try !row.decode("after_in", as: Bool.self))
        let oneDay = try #require(DateRange(first: CalendarDate("2024-02-29")!, last: CalendarDate("2024-02-29")!))
        #expect(try roundTrip(oneDay, "daterange", on: db.connection) == oneDay)
        #expect(DateRange(first: CalendarDate("2026-02-02")!, last: CalendarDate("2026-02-01")!) == nil)
        let empty = try db.connection.query("SELECT 'empty'::daterange AS e").rows[0]
        #expect(throws: PostgresDecodingError.self) { try empty.decode("e", as: DateRange.self) }
    }
}
