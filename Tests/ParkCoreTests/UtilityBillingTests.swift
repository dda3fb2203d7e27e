import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// A month of electricity in a factory park, worked by hand: own meters, a tenant moving
/// in mid-month, a public meter shared by leased area, the master's loss shared by
/// tenant, tiers crossed; posting, a second post refused, a reversal.
@Suite struct UtilityBillingTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// Park MF, building F1: units 101 (600 m²), 201 (300 m²), 301 (100 m², vacant).
    /// 博思软件 leases 101 all year; 腾讯 moves into 201 on 11 November.
    static func factory(_ session: ParkSession) throws -> (first: String, second: String) {
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "MF", name: "红树林标准厂房", kind: .factory, industries: [])
        try portfolio.addBuilding(BuildingAddress(park: "MF", building: "F1"), name: "1号厂房", floorsAbove: 3)
        for (floor, area) in [(1, 600), (2, 300), (3, 100)] {
            try portfolio.addUnit(UnitAddress(park: "MF", building: "F1", unit: "\(floor)01"), floor: floor, areaM2: Decimal(area),
                                  kind: .factory, listRent: 20)
        }
        let tenants = TenantService(session)
        let leases = LeaseService(session)
        var numbers: [String] = []
        for (application, unit, start, end) in [(bosi, "101", "2026-01-01", "2027-12-31"), (tencent, "201", "2026-11-11", "2027-11-10")] {
            var application = application
            application.park = "MF"
            try tenants.apply(application)
            try tenants.approve(creditCode: application.creditCode, park: "MF")
            numbers.append(try leases.sign(.init(tenantCreditCode: application.creditCode,
                                                 units: [UnitAddress(park: "MF", building: "F1", unit: unit)],
                                                 start: day(start), end: day(end), rent: 20)).number)
        }
        return (numbers[0], numbers[1])
    }

    @Test func aMonthOfElectricityIsCalculatedPostedAndReversed() throws {
        let (db, session) = try makeSession()
        let (first, second) = try Self.factory(session)
        let meters = MeterService(session)
        let mf = { (code: String) in MeterAddress(park: "MF", code: code) }
        let installed = Self.day("2026-10-31")
        try meters.add(mf("M"), .init(kind: .electricity, multiplier: 80, installedOn: installed, initial: 1_000))
        for (code, unit) in [("S1", "101"), ("S2", "201"), ("S3", "301")] {
            try meters.add(mf(code), .init(kind: .electricity, unit: UnitAddress(park: "MF", building: "F1", unit: unit), parent: "M",
                                           installedOn: installed))
        }
        try meters.add(mf("P"), .init(kind: .electricity, parent: "M", installedOn: installed))
        let read = Self.day("2026-11-30")
        // The master: (1,100 − 1,000) × 80 = 8,000 kWh. Under it 3,000 + 1,500 + 200 + 900 = 5,600:
        // the loss is 8,000 − 5,600 = 2,400.
        for (code, value) in [("M", 1_100), ("S1", 3_000), ("S2", 1_500), ("S3", 200), ("P", 900)] {
            try meters.read(mf(code), on: read, value: Decimal(value))
        }
        let utilities = UtilityService(session)
        try utilities.share(mf("P"), by: .area)
        try utilities.share(mf("M"), by: .tenants)
        // 0.60 a kWh up to 2,000, 0.80 above, 1.00 above 5,000.
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: money("0.60"),
                                tiers: [(2_000, money("0.80")), (5_000, 1)])

        let period = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        #expect(period.status == .draft)
        let (calculated, leases) = try utilities.calculate(period.number)
        #expect(calculated.status == .calculated)

        // 博思软件 (101, all 30 days): its own 3,000; of the public 900 by leased area × days,
        // 600 × 30 = 18,000 of 18,000 + 300 × 20 = 24,000: 675; of the loss 2,400 by tenant ×
        // days, 30 of 30 + 20 = 50: 1,440. 3,000 + 675 + 1,440 = 5,115 kWh:
        // 2,000 × 0.60 + 3,000 × 0.80 + 115 × 1.00 = 1,200 + 2,400 + 115 = 3,715.00.
        // 腾讯 (201 from the 11th, 20 of 30 days): its own 1,500 × 20 / 30 = 1,000; 900 × 6,000 /
        // 24,000 = 225; 2,400 × 20 / 50 = 960. 2,185 kWh: 1,200 + 185 × 0.80 = 1,348.00.
        // Unit 301 is vacant: its 200 kWh is nobody's bill.
        #expect(leases.map(\.lease) == [first, second])
        #expect(leases.map(\.quantity) == [5_115, 2_185])
        #expect(leases.map(\.amount) == [3_715, 1_348])
        let (_, _, lines) = try utilities.show(period.number)
        let secondLines = lines.filter { $0.lease == second }
        #expect(secondLines.map(\.source) == ["loss", "own", "public"])
        #expect(secondLines.map(\.quantity) == [960, 1_000, 225])
        // The line says why: the public meter's 900, 腾讯's 300 m² × 20 days of everyone's 24,000.
        let publicLine = try #require(secondLines.first { $0.source == "public" })
        #expect(publicLine.meter == "MF/P" && publicLine.basis == "area" && publicLine.meterUsed == 900
                && publicLine.weight == 6_000 && publicLine.totalWeight == 24_000)

        // Confirmed, the figures are frozen: calculating again is refused.
        try utilities.confirm(period.number)
        let frozen = #expect(throws: ParkError.self) { try utilities.calculate(period.number) }
        #expect(frozen?.message.contains("is confirmed: only a draft or calculated period is calculated") == true, "\(String(describing: frozen))")

        // Posting issues one utility bill per lease, due in the park's 10 days to pay; a
        // second post is refused, nothing written.
        var tenDays = PortfolioService.ParkChanges()
        tenDays.billing.payWithinDays = 10
        _ = try PortfolioService(session).setPark("MF", tenDays)
        let (posted, billed) = try utilities.post(period.number)
        #expect(posted.status == .posted && billed.allSatisfyAndNonEmpty { $0.bill != nil })
        let bills = try db.connection.query("""
            SELECT l.number, b.fee, b.amount, lower(b.period)::text || '..' || (upper(b.period) - 1)::text
            FROM bill b JOIN lease l ON l.id = b.lease_id ORDER BY l.number
            """).rows.map { "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String.self)) \(try $0.decode(2, as: Decimal.self)) \(try $0.decode(3, as: String.self))" }
        #expect(bills == ["\(first) utility 3715 2026-11-01..2026-11-30", "\(second) utility 1348 2026-11-01..2026-11-30"])
        let before = try db.connection.tableChecksums()
        let again = #expect(throws: ParkError.self) { try utilities.post(period.number) }
        #expect(again?.kind == .conflict && again?.message.contains("(it was posted already)") == true)
        // Nor may another period overlap it.
        let refused108 = #expect(throws: ParkError.self) {
            try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-15"), to: Self.day("2026-12-15"))
        }
        #expect(refused108?.kind == .conflict && refused108?.message.contains("the electricity period U-2026-000001 of MF covers some of 2026-11-15…2") == true, "\(String(describing: refused108))")
        #expect(try db.connection.tableChecksums() == before)

        // The report: 腾讯 1,000 own + 225 public + 960 loss = 2,185 kWh, 1,348.00; the master
        // measured 8,000, the meters under it 5,600: a loss of 2,400, 2,400 ÷ 8,000 = 30.00 %.
        let report = UtilityReport(session)
        // The total: 5,115 + 2,185 = 7,300 kWh, 3,715.00 + 1,348.00 = 5,063.00.
        let tenants = try report.byTenant(period.number)
        #expect(tenants.map(\.lease) == [first, second, "total"])
        #expect(tenants.map(\.quantity) == [5_115, 2_185, 7_300] && tenants.map(\.amount) == [3_715, 1_348, 5_063])
        #expect(tenants[1].own == 1_000 && tenants[1].publicShare == 225 && tenants[1].lossShare == 960)
        let masters = try report.byMaster(period.number)
        #expect(masters.map(\.meter) == ["MF/M"] && masters.first?.used == 8_000 && masters.first?.underUsed == 5_600
                && masters.first?.loss == 2_400 && masters.first?.lossRate == Decimal(string: "0.3"))
        // A meter installed before the month and never read in it is missing.
        #expect(try report.missing(period.number).isEmpty)
        try meters.add(mf("P2"), .init(kind: .electricity, parent: "M", installedOn: installed))
        #expect(try report.missing(period.number).map(\.meter) == ["MF/P2"])

        // Reversed (红冲) today, before they are due: the unpaid bills are voided, the
        // period is reversed, and the month can be billed again.
        let reversal = try utilities.reverse(period.number, reason: "S2 读数抄错")
        #expect(reversal.reverses == period.number && reversal.status == .posted)
        let owed = try db.connection.query("SELECT coalesce(sum(bill_balance(id)), 0) FROM bill").rows[0].decode(0, as: Decimal.self)
        #expect(owed == 0)
        #expect(try utilities.periods(park: "MF").map(\.status) == [.reversed, .posted])
        let again2 = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        #expect(again2.status == .draft)
    }

    /// Time-of-use electricity (分时, 峰平谷), worked by hand: 博思软件's sub-meter has three
    /// bands, each priced on its own; 腾讯's is an ordinary meter; the public share and the
    /// loss are priced flat; the amount is rounded once, not band by band.
    @Test func aTimeOfUseMonthPricesEachBand() throws {
        let (db, session) = try makeSession()
        let (first, second) = try Self.factory(session)
        let meters = MeterService(session)
        let mf = { (code: String) in MeterAddress(park: "MF", code: code) }
        let installed = Self.day("2026-10-31"), read = Self.day("2026-11-30")
        let f1 = { (unit: String) in UnitAddress(park: "MF", building: "F1", unit: unit) }
        try meters.add(mf("M"), .init(kind: .electricity, installedOn: installed))
        try meters.add(mf("S1"), .init(kind: .electricity, unit: f1("101"), parent: "M", registers: MeterRegister.threeBands,
                                       installedOn: installed))
        try meters.add(mf("S2"), .init(kind: .electricity, unit: f1("201"), parent: "M", installedOn: installed))
        try meters.add(mf("P"), .init(kind: .electricity, parent: "M", installedOn: installed))
        // A time-of-use meter is read band by band, every band at once.
        let one = #expect(throws: ParkError.self) { try meters.read(mf("S1"), on: read, value: 4_500) }
        #expect(one?.message.contains("meter MF/S1 is a time-of-use meter with the bands 峰(peak)、平(flat)、谷(valley): give --value per band") == true,
                "\(String(describing: one))")
        let partial = #expect(throws: ParkError.self) { try meters.read(mf("S1"), on: read, values: .bands([.peak: 1_001, .flat: 2_000])) }
        #expect(partial?.message.contains("--value misses 谷(valley)") == true, "\(String(describing: partial))")
        let s1 = try meters.read(mf("S1"), on: read, values: .bands([.peak: 1_001, .flat: 2_000, .valley: 1_499]))
        #expect(s1.map(\.register) == [.peak, .flat, .valley] && s1.map(\.used) == [1_001, 2_000, 1_499])
        // The master: 6,900. Under it 1,001 + 2,000 + 1,499 + 1,200 + 600 = 6,300: a loss of 600.
        for (code, value) in [("M", 6_900), ("S2", 1_200), ("P", 600)] {
            try meters.read(mf(code), on: read, value: Decimal(value))
        }
        // A band's register never goes back either, and the message names the band.
        let back = #expect(throws: ParkError.self) {
            try meters.read(mf("S1"), on: Self.day("2026-12-01"), values: .bands([.peak: 900, .flat: 2_100, .valley: 1_600]))
        }
        #expect(back?.message.contains("meter S1 (peak) read 900.00 on 2026-12-01, below its 1001.00 of 2026-11-30") == true,
                "\(String(describing: back))")

        let utilities = UtilityService(session)
        try utilities.share(mf("P"), by: .area)
        try utilities.share(mf("M"), by: .tenants)
        // Time-of-use has no tiers; a water tariff has no bands.
        let tiered = #expect(throws: ParkError.self) {
            try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: 1, tiers: [(2_000, 2)],
                                    bands: TimeOfUsePrices(peak: 2, valley: 1))
        }
        #expect(tiered?.message.contains("a time-of-use tariff has no tiers") == true)
        let refused183 = #expect(throws: ParkError.self) {
            try utilities.setTariff(park: "MF", kind: .water, from: Self.day("2026-01-01"), basePrice: 4, bands: TimeOfUsePrices(peak: 5, valley: 3))
        }
        #expect(refused183?.kind == .invalidInput && refused183?.message.contains("kind 'water' has no time-of-use prices: peak, valley and sharp prices") == true, "\(String(describing: refused183))")
        // Flat (and what is no band's) 0.6505, peak 1.0550, valley 0.3200 a kWh.
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: money("0.6505"),
                                bands: TimeOfUsePrices(peak: money("1.055"), valley: money("0.32")))
        #expect(try utilities.tariffs(park: "MF").first?.bands == TimeOfUsePrices(peak: money("1.055"), valley: money("0.32")))

        let period = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        let (_, leases) = try utilities.calculate(period.number)
        // The public 600 by leased area × days: 博思 600 × 30 = 18,000, 腾讯 300 × 20 = 6,000 of
        // 24,000: 450 and 150. The loss 600 by tenant × days, 30 and 20 of 50: 360 and 240.
        // 博思软件: peak 1,001 × 1.055 = 1,056.055; valley 1,499 × 0.32 = 479.68; flat 2,000 +
        // 450 + 360 = 2,810 × 0.6505 = 1,827.905. 1,056.055 + 479.68 + 1,827.905 = 3,363.64
        // (rounded band by band it would be 1,056.06 + 479.68 + 1,827.91 = 3,363.65).
        // Quantity 1,001 + 2,000 + 1,499 + 450 + 360 = 5,310.
        // 腾讯 (an ordinary meter, 20 of 30 days): 1,200 × 20 / 30 = 800; + 150 + 240 = 1,190
        // kWh, all at the flat price: 1,190 × 0.6505 = 774.095 → 774.10.
        #expect(leases.map(\.lease) == [first, second])
        #expect(leases.map(\.quantity) == [5_310, 1_190])
        #expect(leases.map(\.amount) == [money("3363.64"), money("774.10")])
        let (_, _, lines) = try utilities.show(period.number)
        let own = lines.filter { $0.lease == first && $0.source == "own" }
        #expect(own.map(\.register) == [.peak, .flat, .valley] && own.map(\.quantity) == [1_001, 2_000, 1_499])
        #expect(lines.filter { $0.source != "own" }.allSatisfyAndNonEmpty { $0.register == .total } && lines.count == 8)
        // Confirming checks the stored lines, bands included, against a fresh calculation.
        try db.connection.execute("UPDATE utility_charge SET register = 'valley' WHERE source = 'own' AND register = 'peak'")
        let tampered = #expect(throws: ParkError.self) { try utilities.confirm(period.number) }
        #expect(tampered?.message.contains("figures are not what its readings, rules and tariff make now") == true, "\(String(describing: tampered))")
        _ = try utilities.calculate(period.number)
        try utilities.confirm(period.number)

        // A time-of-use meter with a band unread in December is missing that band in the report.
        try meters.add(mf("S3"), .init(kind: .electricity, unit: f1("301"), parent: "M", registers: MeterRegister.fourBands,
                                       installedOn: installed))
        try db.connection.execute("""
            INSERT INTO meter_reading (park_id, meter_id, register, read_on, value)
            SELECT park_id, id, 'peak', '2026-12-01', 10 FROM meter WHERE code = 'S3'
            """)
        let december = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-12-01"), to: Self.day("2026-12-31"))
        let missing = try UtilityReport(session).missing(december.number)
        #expect(missing.map(\.meter) == ["MF/M", "MF/P", "MF/S1", "MF/S2", "MF/S3"])
        #expect(missing.map(\.registers) == [[.total], [.total], [.peak, .flat, .valley], [.total], [.sharp, .flat, .valley]])
        // A reading of a band the meter has not is refused by the database.
        let refused227 = #expect(throws: PostgresError.self) {
            try db.connection.execute("""
                INSERT INTO meter_reading (park_id, meter_id, register, read_on, value)
                SELECT park_id, id, 'peak', '2026-11-30', 10 FROM meter WHERE code = 'S2'
                """)
        }
        #expect(refused227?.sqlState == SQLState("23514") && refused227?.constraint == "meter_reading_register_of_meter", "\(String(describing: refused227))")
    }

    /// A weight shares only among the units metered under the rule's master; the rules
    /// are listed; a confirmed period with no bill reopens to be calculated again.
    @Test func weightsShareUnderTheMasterAndAConfirmedPeriodReopens() throws {
        let (db, session) = try makeSession()
        let (first, _) = try Self.factory(session)
        let meters = MeterService(session), utilities = UtilityService(session)
        let mf = { (code: String) in MeterAddress(park: "MF", code: code) }
        let f1 = { (unit: String) in UnitAddress(park: "MF", building: "F1", unit: unit) }
        let installed = Self.day("2026-10-31")
        try meters.add(mf("M"), .init(kind: .electricity, installedOn: installed))
        try meters.add(mf("S1"), .init(kind: .electricity, unit: f1("101"), parent: "M", installedOn: installed))
        try meters.add(mf("S3"), .init(kind: .electricity, unit: f1("301"), installedOn: installed))
        try meters.add(mf("P"), .init(kind: .electricity, parent: "M", installedOn: installed))
        let before = try db.connection.tableChecksums()
        let outside = #expect(throws: ParkError.self) { try utilities.share(mf("P"), by: .weights, weights: [(f1("101"), 2), (f1("301"), 1)]) }
        #expect(outside?.message == "unit MF/F1/301 has no meter under the master of MF/P: its weight would share nothing "
                + "(the units metered under it: MF/F1/101)", "\(String(describing: outside))")
        #expect(try db.connection.tableChecksums() == before)
        try utilities.share(mf("P"), by: .weights, weights: [(f1("101"), 2)])
        try utilities.share(mf("M"), by: .tenants)
        #expect(try utilities.shareRules(park: "MF") == [
            ShareRule(meter: "MF/M", basis: .tenants, shares: "loss", weights: []),
            ShareRule(meter: "MF/P", basis: .weights, shares: "public", weights: ["MF/F1/101=2.0000"])])

        for (code, value) in [("M", 150), ("S1", 100), ("P", 50), ("S3", 5)] {
            try meters.read(mf(code), on: Self.day("2026-11-30"), value: Decimal(value))
        }
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: 1)
        let period = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        // 博思软件: its own 100 and the public 50 (the only weight), 150 kWh × 1.00 = 150.00; no loss (150 − 150).
        #expect(try utilities.calculate(period.number).leases.map(\.amount) == [150])
        try utilities.confirm(period.number)
        // S1 was misread: 90, not 100. Confirmed, the reading is kept; reopened, it is corrected.
        let refused268 = #expect(throws: ParkError.self) { try meters.correct(mf("S1"), on: Self.day("2026-11-30"), value: 90) }
        #expect(refused268?.kind == .invalidInput && refused268?.message.contains("meter S1 on 2026-11-30 is billed by utility period U-2026-000001: its") == true, "\(String(describing: refused268))")
        #expect(try utilities.reopen(period.number).status == .calculated)
        try meters.correct(mf("S1"), on: Self.day("2026-11-30"), value: 90)
        // Now 90 own + 50 public + the loss 150 − 140 = 10 by tenant (博思 alone): 150 kWh again, but
        // the lines say so: own 90, public 50, loss 10.
        let (_, leases) = try utilities.calculate(period.number)
        #expect(leases.map(\.lease) == [first] && leases.map(\.amount) == [150])
        #expect(try utilities.show(period.number).lines.map(\.quantity) == [10, 90, 50])
        try utilities.confirm(period.number)
        _ = try utilities.post(period.number)
        let posted = #expect(throws: ParkError.self) { try utilities.reopen(period.number) }
        #expect(posted?.message == "utility period \(period.number) is posted: only a confirmed period is reopened")
    }

    /// Without a tariff there is no price: the calculation says which command sets one.
    @Test func aPeriodWithoutATariffIsRefused() throws {
        let (_, session) = try makeSession()
        _ = try Self.factory(session)
        let utilities = UtilityService(session)
        let period = try utilities.open(park: "MF", kind: .water, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        let refused = #expect(throws: ParkError.self) { try utilities.calculate(period.number) }
        #expect(refused?.message.contains("no water tariff of the park is in force on 2026-11-01: set one first (parkctl tariff set)") == true,
                "\(String(describing: refused))")
        #expect(try utilities.periods(park: "MF").map(\.status) == [.draft])
    }

    /// The hostile review's attacks, each refused: figures written by hand, a period
    /// reversed without its bills, a billed reading changed, a reader's own multiplier.
    @Test func theFiguresHoldAgainstTheirWriters() throws {
        let (db, session) = try makeSession()
        _ = try Self.factory(session)
        let meters = MeterService(session)
        let s1 = MeterAddress(park: "MF", code: "S1")
        try meters.add(s1, .init(kind: .water, unit: UnitAddress(park: "MF", building: "F1", unit: "101"), rollsOverAt: 10_000,
                                 installedOn: Self.day("2026-10-31")))
        try meters.read(s1, on: Self.day("2026-11-30"), value: 100)
        let utilities = UtilityService(session)
        try utilities.setTariff(park: "MF", kind: .water, from: Self.day("2026-01-01"), basePrice: 4)
        let period = try utilities.open(park: "MF", kind: .water, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        try utilities.calculate(period.number)
        let conn = db.connection

        // Figures written by hand while calculated are not confirmed; calculated again, they are.
        try conn.execute("UPDATE utility_period_lease SET amount = 0.01")
        let forged = #expect(throws: ParkError.self) { try utilities.confirm(period.number) }
        #expect(forged?.message.contains("figures are not what its readings, rules and tariff make now") == true, "\(String(describing: forged))")
        try utilities.calculate(period.number)
        try utilities.confirm(period.number)
        let (_, billed) = try utilities.post(period.number)
        // 100 m³ × 4.00 = 400.00, on a bill that says what it is for.
        #expect(billed.map(\.amount) == [400])
        let reason = try conn.query("SELECT reason FROM bill WHERE fee = 'utility'").rows[0].decode(0, as: String.self)
        #expect(reason == "水费 \(period.number)")
        // Water is invoiced at its own 9 % (electricity's 13 % is the park's utility rate):
        // 400.00 × 0.09 ÷ 1.09 = 33.027… → 33.03 of tax.
        let bill = try conn.query("SELECT number FROM bill WHERE fee = 'utility'").rows[0].decode(0, as: String.self)
        let invoice = try InvoiceService(session).record(number: "44031234", bills: [bill])
        #expect(invoice.lines.map(\.taxRate) == [money("0.09")] && invoice.lines.map(\.tax) == [money("33.03")])

        // A billed reading is kept: neither corrected nor deleted.
        let kept = #expect(throws: ParkError.self) { try meters.correct(s1, on: Self.day("2026-11-30"), value: 90) }
        #expect(kept?.message.contains("is billed by utility period \(period.number)") == true, "\(String(describing: kept))")
        let refused330 = #expect(throws: PostgresError.self) { try conn.execute("DELETE FROM meter_reading WHERE read_on = '2026-11-30'") }
        #expect(refused330?.sqlState == SQLState("23514") && refused330?.constraint == "meter_reading_kept", "\(String(describing: refused330))")
        // A period is reversed by its reversal only, and starts as a draft.
        let refused332 = #expect(throws: PostgresError.self) { try conn.execute("UPDATE utility_period SET status = 'reversed'") }
        #expect(refused332?.sqlState == SQLState("23514") && refused332?.constraint == "utility_period_status_flow", "\(String(describing: refused332))")
        let refused333 = #expect(throws: PostgresError.self) {
            try conn.execute("""
                INSERT INTO utility_period (number, park_id, kind, during, status)
                SELECT 'U-2026-999999', park_id, 'gas', during, 'posted' FROM utility_period
                """)
        }
        #expect(refused333?.sqlState == SQLState("23514") && refused333?.constraint == "utility_period_status_flow", "\(String(describing: refused333))")
        // Reversed, the reading may be corrected, and the month billed anew.
        try utilities.reverse(period.number, reason: "读数有误")
        #expect(try meters.correct(s1, on: Self.day("2026-11-30"), value: 90).used == 90)

        // A register at the rollover value, a replacement before a later reading, a reading after today: refused.
        let refused344 = #expect(throws: ParkError.self) { try meters.read(s1, on: Self.day("2026-12-01"), value: 10_000) }
        #expect(refused344?.kind == .invalidInput && refused344?.message.contains("meter S1 shows 0 again at 10000.00: 10000.00 is no register of it") == true, "\(String(describing: refused344))")
        let refused345 = #expect(throws: ParkError.self) { try meters.replace(s1, on: Self.day("2026-11-15"), finalValue: 50) }
        #expect(refused345?.kind == .invalidInput && refused345?.message.contains("meter S1 was read on 2026-11-30 after 2026-11-15: a replacement is rec") == true, "\(String(describing: refused345))")
        let future = #expect(throws: ParkError.self) { try meters.read(s1, on: Self.day("2099-01-01"), value: 200) }
        #expect(future?.message.contains("after today") == true, "\(String(describing: future))")

        // A meter reader sets no multiplier of its own, nor signs as someone else.
        let reader = "reader_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(reader), 'service', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        let multiplied = #expect(throws: PostgresError.self) {
            try conn.transaction { conn in
                try conn.simpleQuery("SET LOCAL ROLE " + reader)
                try conn.execute("""
                    INSERT INTO meter_reading (park_id, meter_id, read_on, value, multiplier, read_by)
                    SELECT park_id, id, '2026-12-01', 150, 50000, 'mf_admin' FROM meter WHERE code = 'S1'
                    """)
            }
        }
        #expect(multiplied?.sqlState == .insufficientPrivilege, "\(String(describing: multiplied))")
        try conn.transaction { conn in
            try conn.simpleQuery("SET LOCAL ROLE " + reader)
            try conn.execute("INSERT INTO meter_reading (park_id, meter_id, read_on, value) SELECT park_id, id, '2026-12-01', 150 FROM meter WHERE code = 'S1'")
        }
        let recorded = try conn.query("SELECT multiplier, read_by FROM meter_reading WHERE read_on = '2026-12-01'").rows[0]
        // (Acting through SET ROLE from the owner's session, the actor is the session's: parkctl_actor().)
        #expect(try recorded.decode(0, as: Decimal.self) == 1 && recorded.decode(1, as: String.self) != "mf_admin")
    }

    /// The second review's attacks, each refused: a staff admin duplicating a line to bill
    /// it twice (the comparison is row for row), NaN as a reading or a price (above every
    /// number, it passed `>= 0`), a tariff changed under a confirmed period, a band price
    /// the wrong way round. And what a staff admin must be able to do: set a tariff.
    @Test func theFiguresHoldAgainstAStaffAdmin() throws {
        let (db, session) = try makeSession()
        _ = try Self.factory(session)
        let conn = db.connection
        let boss = "boss_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let reader = "reader_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(boss), 'admin', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        try conn.execute("SELECT parkctl_staff_add(\(reader), 'service', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        let bossConnection = try Connection(try ConnectionString.replacing(["user": boss], in: db.conninfo))
        defer { bossConnection.close() }
        let utilities = UtilityService(ParkSession(connection: bossConnection, actor: boss))
        // A staff admin sets a time-of-use tariff (0027's check called a function staff could not execute).
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: money("0.70"),
                                bands: TimeOfUsePrices(peak: money("1.10"), valley: money("0.30")))
        let swapped = #expect(throws: ParkError.self) {
            try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-02-01"), basePrice: money("0.70"),
                                    bands: TimeOfUsePrices(peak: money("0.30"), valley: money("1.10")))
        }
        #expect(swapped?.message.contains("band prices rise from valley to flat to peak to sharp") == true, "\(String(describing: swapped))")
        let refused394 = #expect(throws: PostgresError.self) { try bossConnection.execute("UPDATE utility_tariff SET peak_price = 0.10") }
        #expect(refused394?.sqlState == SQLState("23514") && refused394?.constraint == "utility_tariff_bands_ordered", "\(String(describing: refused394))")
        let refused395 = #expect(throws: PostgresError.self) { try bossConnection.execute("UPDATE utility_tariff SET peak_price = 'NaN'") }
        #expect(refused395?.sqlState == SQLState("23514") && refused395?.constraint == "utility_tariff_time_of_use_valid", "\(String(describing: refused395))")
        let refused396 = #expect(throws: PostgresError.self) { try conn.execute("UPDATE utility_tariff SET tier_prices = '{NaN}'") }
        #expect(refused396?.sqlState == SQLState("23514") && refused396?.constraint == "utility_tariff_bands_ordered", "\(String(describing: refused396))")

        let meters = MeterService(session)
        let s1 = MeterAddress(park: "MF", code: "S1")
        try meters.add(s1, .init(kind: .electricity, unit: UnitAddress(park: "MF", building: "F1", unit: "101"), registers: MeterRegister.threeBands,
                                 installedOn: Self.day("2026-10-31")))
        // A meter reader's NaN is no register.
        let nan = #expect(throws: PostgresError.self) {
            try conn.transaction { conn in
                try conn.simpleQuery("SET LOCAL ROLE " + reader)
                try conn.execute("""
                    INSERT INTO meter_reading (park_id, meter_id, register, read_on, value)
                    SELECT park_id, id, r, '2026-11-30', 'NaN' FROM meter, unnest('{peak,flat,valley}'::text[]) r WHERE code = 'S1'
                    """)
            }
        }
        #expect(nan?.sqlState == .checkViolation, "\(String(describing: nan))")
        try meters.read(s1, on: Self.day("2026-11-30"), values: .bands([.peak: 100, .flat: 200, .valley: 50]))
        let period = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        // 100 × 1.10 + 200 × 0.70 + 50 × 0.30 = 110 + 140 + 15 = 265.00.
        #expect(try utilities.calculate(period.number).leases.map(\.amount) == [265])

        // The boss duplicates the peak line and makes the totals agree with it: 100 more at 1.10.
        try bossConnection.transaction { conn in
            try conn.execute("""
                INSERT INTO utility_charge (park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity, register)
                SELECT park_id, period_id, lease_id, tenant_id, meter_id, source, basis, meter_used, weight, total_weight, quantity, register
                FROM utility_charge WHERE register = 'peak'
                """)
            try conn.execute("""
                UPDATE utility_period_lease l SET quantity = t.quantity, amount = t.amount FROM utility_period_totals((SELECT id FROM utility_period)) t
                WHERE t.lease_id = l.lease_id
                """)
        }
        #expect(try conn.query("SELECT amount FROM utility_period_lease").rows[0].decode(0, as: Decimal.self) == 375)
        let doubled = #expect(throws: ParkError.self) { try utilities.confirm(period.number) }
        #expect(doubled?.message.contains("figures are not what its readings, rules and tariff make now") == true, "\(String(describing: doubled))")
        _ = try utilities.calculate(period.number)
        try utilities.confirm(period.number)
        #expect(try utilities.show(period.number).leases.map(\.amount) == [265])

        // Confirmed, the tariff it priced is kept; the same prices set again are no change.
        let kept = #expect(throws: ParkError.self) {
            try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: money("0.99"),
                                    bands: TimeOfUsePrices(peak: money("1.10"), valley: money("0.30")))
        }
        #expect(kept?.message.contains("priced utility period \(period.number): it is kept (set a new price from a later day)") == true,
                "\(String(describing: kept))")
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: money("0.70"),
                                bands: TimeOfUsePrices(peak: money("1.10"), valley: money("0.30")))
    }

    /// A unit metered by two meters under one master counts once in a share by area.
    @Test func aUnitWithTwoMetersCountsOnceInAShare() throws {
        let (_, session) = try makeSession()
        let (first, second) = try Self.factory(session)
        let meters = MeterService(session), utilities = UtilityService(session)
        let mf = { (code: String) in MeterAddress(park: "MF", code: code) }
        let f1 = { (unit: String) in UnitAddress(park: "MF", building: "F1", unit: unit) }
        let installed = Self.day("2026-10-31")
        try meters.add(mf("M"), .init(kind: .electricity, installedOn: installed))
        try meters.add(mf("S1"), .init(kind: .electricity, unit: f1("101"), parent: "M", installedOn: installed))
        try meters.add(mf("S1B"), .init(kind: .electricity, unit: f1("101"), parent: "M", installedOn: installed, note: "空压机专用"))
        try meters.add(mf("S2"), .init(kind: .electricity, unit: f1("201"), parent: "M", installedOn: installed))
        try meters.add(mf("P"), .init(kind: .electricity, parent: "M", installedOn: installed))
        for (code, value) in [("M", 300), ("S1", 100), ("S1B", 50), ("S2", 60), ("P", 90)] {
            try meters.read(mf(code), on: Self.day("2026-11-30"), value: Decimal(value))
        }
        try utilities.share(mf("P"), by: .area)
        try utilities.setTariff(park: "MF", kind: .electricity, from: Self.day("2026-01-01"), basePrice: 1)
        let period = try utilities.open(park: "MF", kind: .electricity, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        // The public 90 by leased area × days: 101's 600 m² × 30 = 18,000 (once, not once per meter),
        // 201's 300 × 20 = 6,000, of 24,000: 67.5 and 22.5. 博思软件 100 + 50 + 67.5 = 217.5 kWh;
        // 腾讯 60 × 20 / 30 = 40 + 22.5 = 62.5 kWh; at 1.00 a kWh.
        let (_, leases) = try utilities.calculate(period.number)
        #expect(leases.map(\.lease) == [first, second])
        #expect(leases.map(\.quantity) == [money("217.5"), money("62.5")] && leases.map(\.amount) == [money("217.50"), money("62.50")])
    }

    /// A reversal voids the bill nobody has touched and credits back in full the one paid.
    @Test func aPaidBillIsCreditedBackOnReversal() throws {
        let (db, session) = try makeSession()
        let (first, second) = try Self.factory(session)
        let meters = MeterService(session)
        for (code, unit) in [("W1", "101"), ("W2", "201")] {
            try meters.add(MeterAddress(park: "MF", code: code), .init(kind: .water, unit: UnitAddress(park: "MF", building: "F1", unit: unit),
                                                                       installedOn: Self.day("2026-10-31")))
            try meters.read(MeterAddress(park: "MF", code: code), on: Self.day("2026-11-30"), value: 30)
        }
        let utilities = UtilityService(session)
        try utilities.setTariff(park: "MF", kind: .water, from: Self.day("2026-01-01"), basePrice: 4)
        let period = try utilities.open(park: "MF", kind: .water, from: Self.day("2026-11-01"), to: Self.day("2026-11-30"))
        try utilities.calculate(period.number)
        try utilities.confirm(period.number)
        try utilities.post(period.number)
        // 博思软件's 30 m³ × 4.00 = 120.00 is paid; 腾讯's 30 × 20 / 30 = 20 m³, 80.00, is not.
        _ = try PaymentService(session).record(tenant: bosi.creditCode, park: "MF", amount: 120, on: Self.day("2026-12-01"))
        try utilities.reverse(period.number, reason: "水表读数有误")
        let bills = try db.connection.query("""
            SELECT l.number, b.fee, b.amount, b.source_bill_id IS NOT NULL, EXISTS (SELECT 1 FROM bill_void v WHERE v.bill_id = b.id)
            FROM bill b JOIN lease l ON l.id = b.lease_id ORDER BY b.id
            """).rows.map { "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: String.self)) \(try $0.decode(2, as: Decimal.self)) \(try $0.decode(3, as: Bool.self) ? "credit" : "") \(try $0.decode(4, as: Bool.self) ? "void" : "")" }
        #expect(bills == ["\(first) utility 120  ", "\(second) utility 80  void", "\(first) adjustment -120 credit "], "\(bills)")
    }
}

