import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Meters and readings (issue 18, first part): what each reading says was used, worked
/// by hand beside each figure, and the readings the database refuses, nothing written.
@Suite struct MeterServiceTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// A master meter behind an 80× transformer, three tenants' sub-meters and a public
    /// meter under it; a month of readings.
    @Test func readingsSayWhatWasUsed() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)   // SW/B1 with units 0101, 0201, 0301
        let meters = MeterService(session)
        let sw = { (code: String) in MeterAddress(park: "SW", code: code) }
        try meters.add(sw("E-0"), .init(kind: .electricity, multiplier: 80, installedOn: Self.day("2026-10-31"), initial: 1200))
        for (code, unit, initial) in [("E-1", "0101", "100"), ("E-2", "0201", "0"), ("E-3", "0301", "5000.5")] {
            try meters.add(sw(code), .init(kind: .electricity, unit: UnitAddress(park: "SW", building: "B1", unit: unit), parent: "E-0",
                                           installedOn: Self.day("2026-10-31"), initial: .single(money(initial))))
        }
        try meters.add(sw("E-P"), .init(kind: .electricity, parent: "E-0", installedOn: Self.day("2026-10-31")))

        // The master: (1325.5 − 1200) × 80 = 125.5 × 80 = 10,040 kWh.
        #expect(try meters.read(sw("E-0"), on: Self.day("2026-11-30"), value: money("1325.5")).used == 10_040)
        // The sub-meters, 1×: 2,100 − 100 = 2,000; 3,050.25 − 0 = 3,050.25; 8,000.5 − 5,000.5 = 3,000.
        #expect(try meters.read(sw("E-1"), on: Self.day("2026-11-30"), value: 2_100).used == 2_000)
        #expect(try meters.read(sw("E-2"), on: Self.day("2026-11-30"), value: money("3050.25")).used == money("3050.25"))
        #expect(try meters.read(sw("E-3"), on: Self.day("2026-11-30"), value: money("8000.5")).used == 3_000)
        // The public meter (corridors, lifts): 640 − 0 = 640. What no meter under the
        // master accounts for is the loss: 10,040 − (2,000 + 3,050.25 + 3,000 + 640) = 1,349.75.
        #expect(try meters.read(sw("E-P"), on: Self.day("2026-11-30"), value: 640).used == 640)

        let listed = try meters.meters(park: "SW")
        #expect(listed.map(\.address.code) == ["E-0", "E-1", "E-2", "E-3", "E-P"])
        #expect(listed[1].unit == "SW/B1/0101" && listed[1].parent == "E-0" && listed[4].unit == nil && listed[0].multiplier == 80)
        #expect(listed[3].lastValue == money("8000.5") && listed[3].lastReadOn == Self.day("2026-11-30"))

        // A water meter cannot hang under an electricity master, nor a meter under a sub-meter.
        let wrongKind = #expect(throws: ParkError.self) {
            try meters.add(sw("W-1"), .init(kind: .water, parent: "E-0", installedOn: Self.day("2026-10-31")))
        }
        #expect(wrongKind?.message.contains("a master meter measures the same kind (water)") == true, "\(String(describing: wrongKind))")
        let refused46 = #expect(throws: ParkError.self) {
            try meters.add(sw("E-11"), .init(kind: .electricity, parent: "E-1", installedOn: Self.day("2026-10-31")))
        }
        #expect(refused46?.kind == .invalidInput && refused46?.message.contains("meter E-11 cannot be under meter E-1: a master meter measures the same") == true, "\(String(describing: refused46))")
    }

    /// A register never goes back, except across a rollover or a replacement.
    @Test func aRegisterNeverGoesBack() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let meters = MeterService(session)
        let e = MeterAddress(park: "SW", code: "E-9")
        try meters.add(e, .init(kind: .electricity, multiplier: 80, rollsOverAt: 100_000, installedOn: Self.day("2026-01-01"), initial: 99_900))
        try meters.read(e, on: Self.day("2026-01-31"), value: 99_950)

        // Lower than the reading before: refused, and nothing is written.
        let before = try db.connection.tableChecksums()
        let back = #expect(throws: ParkError.self) { try meters.read(e, on: Self.day("2026-02-28"), value: 30) }
        #expect(back?.kind == .invalidInput)
        #expect(back?.message.contains("meter E-9 read 30.00 on 2026-02-28, below its 99950.00 of 2026-01-31") == true, "\(String(describing: back))")
        #expect(back?.message.contains("parkctl meter read --rollover") == true)
        // Nor may a reading be slipped in before a lower one, or outside the meter's days, or twice a day.
        let refused67 = #expect(throws: ParkError.self) { try meters.read(e, on: Self.day("2026-01-15"), value: 99_990) }
        #expect(refused67?.kind == .invalidInput && refused67?.message.contains("meter E-9 read 99990.00 on 2026-01-15, above its later 99950.00 of 202") == true, "\(String(describing: refused67))")
        let early = #expect(throws: ParkError.self) { try meters.read(e, on: Self.day("2025-12-31"), value: 99_000) }
        #expect(early?.message.contains("in service from 2026-01-01") == true, "\(String(describing: early))")
        let twice = #expect(throws: ParkError.self) { try meters.read(e, on: Self.day("2026-01-31"), value: 99_960) }
        #expect(twice?.kind == .conflict)
        #expect(try db.connection.tableChecksums() == before)

        // As a rollover it is right: the register went 99,950 → 99,999.99 → 0 → 30:
        // (30 + 100,000 − 99,950) × 80 = 80 × 80 = 6,400.
        #expect(try meters.read(e, on: Self.day("2026-02-28"), value: 30, rollover: true).used == 6_400)
        // A rollover that reads higher than the reading before is none.
        let refused78 = #expect(throws: ParkError.self) { try meters.read(e, on: Self.day("2026-03-10"), value: 40, rollover: true) }
        #expect(refused78?.kind == .invalidInput && refused78?.message.contains("meter E-9 read 40.00 on 2026-03-10 is no rollover: a rollover reads be") == true, "\(String(describing: refused78))")

        // The meter is replaced on 15 March: the old one ended at 130 ((130 − 30) × 80 = 8,000
        // for its last days), the new one starts at 0 behind a 40× transformer; on 31 March
        // it reads 25: 25 × 40 = 1,000.
        let replaced = try meters.replace(e, on: Self.day("2026-03-15"), finalValue: 130, start: 0, multiplier: 40)
        #expect(replaced.used == 8_000 && replaced.kind == .replacement && replaced.multiplier == 80 && replaced.replacedFinal == 130)
        #expect(try meters.read(e, on: Self.day("2026-03-31"), value: 25).used == 1_000)
        // A final register below the reading before is refused too.
        let refused87 = #expect(throws: ParkError.self) { try meters.replace(e, on: Self.day("2026-04-15"), finalValue: 20) }
        #expect(refused87?.kind == .invalidInput && refused87?.message.contains("the old meter E-9 ended at 20.00, below its 25.00 of 2026-03-31: a reg") == true, "\(String(describing: refused87))")

        let (meter, readings) = try meters.show(e)
        #expect(meter.multiplier == 40)
        #expect(readings.map(\.used) == [nil, 4_000, 6_400, 8_000, 1_000])   // 4,000: (99,950 − 99,900) × 80
        #expect(readings.map(\.kind) == [.regular, .regular, .rollover, .replacement, .regular])
    }

    /// A meter reader of another park sees no meter of this one, and cannot read one.
    @Test func metersAreScopedToTheirPark() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        try PortfolioService(session).addPark(code: "EC", name: "电商园", kind: .ecommerce, industries: [])
        try MeterService(session).add(MeterAddress(park: "SW", code: "W-1"), .init(kind: .water, installedOn: Self.day("2026-01-01")))
        let login = "reader_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try db.connection.execute("SELECT parkctl_staff_add(\(login), 'service', ARRAY[(SELECT id FROM park WHERE code = 'EC')], NULL)")
        let seen = try db.connection.transaction { conn in
            try conn.simpleQuery("SET LOCAL ROLE " + login)
            return try conn.query("SELECT count(*) FROM meter").rows[0].decode(0, as: Int.self)
        }
        #expect(seen == 0)
        // A meter reader of SW records a reading of its park's meter (the check's table lock
        // is within its rights).
        let reader = "reader_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try db.connection.execute("SELECT parkctl_staff_add(\(reader), 'service', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        try db.connection.transaction { conn in
            try conn.simpleQuery("SET LOCAL ROLE " + reader)
            try conn.execute("""
                INSERT INTO meter_reading (park_id, meter_id, read_on, value)
                SELECT park_id, id, '2026-01-31', 7 FROM meter WHERE code = 'W-1'
                """)
        }
        #expect(try db.connection.query("SELECT count(*) FROM meter_reading WHERE read_on = '2026-01-31'").rows[0].decode(0, as: Int.self) == 1)
        // Named by its ids, as an attacker would: the park scope refuses the row.
        let id = try db.connection.query("SELECT id FROM meter WHERE code = 'W-1'").rows[0].decode(0, as: Int.self)
        let park = try db.connection.query("SELECT id FROM park WHERE code = 'SW'").rows[0].decode(0, as: Int.self)
        let forged = #expect(throws: PostgresError.self) {
            try db.connection.transaction { conn in
                try conn.simpleQuery("SET LOCAL ROLE " + login)
                try conn.execute("INSERT INTO meter_reading (park_id, meter_id, read_on, value) VALUES (\(park), \(id), '2026-02-01', 5)")
            }
        }
        #expect(forged?.sqlState == .insufficientPrivilege && forged?.message.contains("row-level security") == true,
                "\(String(describing: forged))")
    }
}
