import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct TimestampCodecTests {
    @Test func roundTripsToTheMicrosecondInAnySessionTimeZone() throws {
        let db = try TestDatabase()
        let instants = [Date(timeIntervalSince1970: 1_764_400_000.123456), Date(timeIntervalSince1970: -86_400.5),
                        Date(timeIntervalSince1970: 0)]
        for zone in ["UTC", "Asia/Shanghai", "America/St_Johns", "Asia/Kolkata"] {
            try db.connection.execute("SELECT set_config('TimeZone', \(zone), false)")
            for instant in instants {
                let back = try roundTrip(instant, "timestamptz", on: db.connection)
                #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
            }
        }
    }

    @Test func readsTheServersRenderingWithOffsets() throws {
        let db = try TestDatabase()
        try db.connection.execute("SET TimeZone = 'Asia/Shanghai'")
        let row = try db.connection.query("SELECT '2026-12-04 17:30:00+08'::timestamptz AS opened").rows[0]
        #expect(row.text(0) == "2026-12-04 17:30:00+08")
        let opened = try row.decode("opened", as: Date.self)
        #expect(opened.timeIntervalSince1970 == 1_796_376_600)
    }
}
