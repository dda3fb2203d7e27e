import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// SW with units 0101, 0201, 0301 and 博思软件 approved; EC with one unit.
func leasingPortfolio(_ session: ParkSession) throws {
    let portfolio = try smallPortfolio(session)
    try portfolio.addPark(code: "EC", name: "衡阳高新电商产业园", kind: .ecommerce, industries: ["ecommerce"])
    try portfolio.addBuilding(BuildingAddress(park: "EC", building: "A"), name: "电商大楼", floorsAbove: 4)
    try portfolio.addUnit(UnitAddress(park: "EC", building: "A", unit: "101"), floor: 1, areaM2: money("420"), kind: .office, listRent: money("32"))
    try TenantService(session).apply(bosi)
    try TenantService(session).approve(creditCode: bosi.creditCode, park: "SW")
}

/// `PARK/BUILDING/UNIT` (a test constant).
func unit(_ s: String) -> UnitAddress {
    let parts = s.split(separator: "/").map(String.init)
    return UnitAddress(park: parts[0], building: parts[1], unit: parts[2])
}
func day(_ s: String) -> CalendarDate { CalendarDate(s)! }

func terms(_ units: [String], _ start: String, _ end: String, rent: String = "35.00") -> LeaseService.Terms {
    LeaseService.Terms(tenantCreditCode: bosi.creditCode, units: units.map(unit), start: day(start), end: day(end), rent: money(rent))
}

/// The status of one unit as of a day, straight from the SQL function.
func status(_ conn: Connection, _ unitCode: String, on d: String) throws -> (String, Bool, String?) {
    let row = try conn.query("""
        SELECT s.status, s.fitting_out, l.number FROM unit_status_on(\(day(d))) s JOIN unit u ON u.id = s.unit_id
        LEFT JOIN lease l ON l.id = s.lease_id WHERE u.code = \(unitCode)
        """).rows[0]
    return (try row.decode(0), try row.decode(1), try row.decode(2))
}

@Suite struct LeaseServiceTests {
    @Test func signingRecordsTheLeaseAndMovesOnboarding() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101", "SW/B1/0201"], "2026-12-01", "2029-11-30")
        t.propertyFee = money("4.50")
        t.depositMonths = 2
        t.escalationPct = 3
        t.cycle = .quarterly
        let lease = try LeaseService(session).sign(t)
        #expect(lease.number.range(of: #"^L-2026-\d{6}$"#, options: .regularExpression) != nil)
        #expect(lease.units == ["SW/B1/0101", "SW/B1/0201"])
        #expect(lease.areaM2 == money("513.00"))
        #expect(lease.deposit == money("35910.00"))    // 2 × 35.00 × 513.00
        #expect(lease.term == DateRange(first: day("2026-12-01"), last: day("2029-11-30")))
        #expect(lease.status == .signed && lease.cycle == .quarterly)
        #expect(try TenantService(session).onboarding(creditCode: bosi.creditCode, park: "SW").stage == .leaseSigned)
    }

    @Test func noUnitIsLeasedTwiceForTheSameDay() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        let first = try leases.sign(terms(["SW/B1/0101"], "2026-12-01", "2027-11-30"))
        let before = try db.connection.tableChecksums()
        let clash = #expect(throws: ParkError.self) { try leases.sign(terms(["SW/B1/0201", "SW/B1/0101"], "2027-11-30", "2028-11-30")) }
        #expect(clash?.kind == .conflict)
        #expect(clash?.message.contains("unit SW/B1/0101 is already leased to 博思软件 under \(first.number) from 2026-12-01 to 2027-11-30") == true)
        #expect(try db.connection.tableChecksums() == before)
        // From the day after it ends, the unit is free.
        #expect(try leases.sign(terms(["SW/B1/0101"], "2027-12-01", "2028-11-30")).status == .signed)
        // The database itself refuses an overlap that skips the service (the lease units
        // follow their lease's term; their own days cannot be set).
        let error = #expect(throws: PostgresError.self) {
            try db.connection.execute("""
                UPDATE lease SET term = daterange('2027-06-01', '2028-12-01') WHERE number <> \(first.number)
                """)
        }
        #expect(error?.isExclusionViolation == true)
        #expect(error?.constraint == "lease_unit_no_overlap")
    }

    @Test func rulesOfSigningAreRefusedWithNothingWritten() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        try PortfolioService(session).setOffMarket(unit("SW/B1/0301"), reason: "维修")
        try TenantService(session).apply(tencent)
        let leases = LeaseService(session)
        let before = try db.connection.tableChecksums()
        var windowOutside = terms(["SW/B1/0101"], "2026-12-01", "2027-11-30")
        windowOutside.freeWindow = (day("2026-11-01"), day("2026-12-31"))
        var windowBackwards = terms(["SW/B1/0101"], "2026-12-01", "2027-11-30")
        windowBackwards.fitOutWindow = (day("2027-01-31"), day("2027-01-01"))
        var unapproved = terms(["SW/B1/0101"], "2026-12-01", "2027-11-30")
        unapproved.tenantCreditCode = tencent.creditCode
        let cases: [(LeaseService.Terms, String)] = [
            (terms(["SW/B1/0101", "EC/A/101"], "2026-12-01", "2027-11-30"), "EC/A/101 is in another park"),
            (terms(["SW/B1/0301"], "2026-12-01", "2027-11-30"), "SW/B1/0301 is off the market (维修)"),
            (unapproved, "is not approved for park SW (stage applied)"),
            (terms(["SW/B1/0101"], "2027-12-01", "2027-11-30"), "end 2027-11-30 must be after the start 2027-12-01"),
            (terms(["SW/B1/0101"], "2026-12-01", "2027-11-30", rent: "0"), "rent must be more than 0"),
            (windowOutside, "rent-free window 2026-11-01…2026-12-31 is not inside the term"),
            (windowBackwards, "fit-out window ends (2027-01-01) before it starts (2027-01-31)"),
            (terms(["SW/B1/9999"], "2026-12-01", "2027-11-30"), "unit 'SW/B1/9999' not found"),
        ]
        for (t, message) in cases {
            let error = #expect(throws: ParkError.self, "\(message)") { try leases.sign(t) }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "") ≠ \(message)")
        }
        #expect(try db.connection.tableChecksums() == before)
        let unknown = #expect(throws: ParkError.self) { try leases.terminate("L-2026-999999", on: day("2027-01-01"), reason: "x") }
        #expect(unknown?.kind == .notFound)
    }

    @Test func statusAsOfADayIncludingTheBoundaries() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        var t = terms(["SW/B1/0101"], "2026-12-01", "2027-11-30")
        t.fitOutWindow = (day("2026-12-01"), day("2026-12-31"))
        let a = try leases.sign(t)
        let b = try leases.sign(terms(["SW/B1/0201"], "2026-01-01", "2027-12-31"))
        try leases.terminate(b.number, on: day("2026-06-30"), reason: "提前解约")
        try PortfolioService(session).setOffMarket(unit("SW/B1/0301"), reason: "维修")
        let c = db.connection
        #expect(try status(c, "0101", on: "2026-11-30") == ("reserved", false, a.number))
        #expect(try status(c, "0101", on: "2026-12-01") == ("leased", true, a.number))
        #expect(try status(c, "0101", on: "2026-12-31") == ("leased", true, a.number))
        #expect(try status(c, "0101", on: "2027-01-01") == ("leased", false, a.number))
        #expect(try status(c, "0101", on: "2027-11-30") == ("leased", false, a.number))   // the last day of the term
        #expect(try status(c, "0101", on: "2027-12-01") == ("vacant", false, nil))        // the day after
        #expect(try status(c, "0201", on: "2026-06-30") == ("leased", false, b.number))   // the termination day
        #expect(try status(c, "0201", on: "2026-07-01") == ("vacant", false, nil))        // free the day after
        #expect(try status(c, "0301", on: "2026-07-01") == ("off_market", false, nil))
        // The service agrees with the SQL function.
        let listed = try PortfolioService(session).occupancy(park: "SW", asOf: day("2026-07-01"))
        #expect(listed.map(\.status) == [.reserved, .vacant, .offMarket])
        #expect(try PortfolioService(session).occupancy(status: .reserved, asOf: day("2026-07-01")).map(\.unit.address.description) == ["SW/B1/0101"])
    }

    @Test func renewalStartsTheDayAfterAndCarriesTheEscalatedRent() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        var t = terms(["SW/B1/0101"], "2024-01-01", "2026-12-31")
        t.escalationPct = 3
        let old = try leases.sign(t)
        let renewal = try leases.renew(old.number, end: day("2029-12-31"))
        #expect(renewal.term.first == day("2027-01-01"))
        #expect(renewal.renews == old.number)
        #expect(renewal.rent == money("37.13"))    // 35.00 × 1.03², in force in the third year
        #expect(try leases.lease(old.number).renewedBy == renewal.number)
        let twice = #expect(throws: ParkError.self) { try leases.renew(old.number, end: day("2030-12-31")) }
        #expect(twice?.message.contains("renewed already by \(renewal.number)") == true)
        let terminate = #expect(throws: ParkError.self) { try leases.terminate(old.number, on: day("2026-06-30"), reason: "x") }
        #expect(terminate?.message.contains("renewed by \(renewal.number)") == true)
        #expect(try leases.renew(renewal.number, end: day("2031-12-31"), rent: money("40")).rent == money("40"))
    }

    @Test func terminationAndCancellationRules() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        let lease = try leases.sign(terms(["SW/B1/0101"], "2025-01-01", "2027-12-31"))
        let early = #expect(throws: ParkError.self) { try leases.terminate(lease.number, on: day("2024-12-31"), reason: "x") }
        // It has started: not "cancel it" (cancel refuses a started lease), but its first day.
        #expect(early?.message.contains("its last day is 2025-01-01 at the earliest") == true, "\(early?.message ?? "")")
        let late = #expect(throws: ParkError.self) { try leases.terminate(lease.number, on: day("2027-12-31"), reason: "x") }
        #expect(late?.message.contains("ends on 2027-12-31 anyway") == true)
        let started = #expect(throws: ParkError.self) { try leases.cancel(lease.number, reason: "x") }
        #expect(started?.message.contains("terminate it instead") == true)
        let ended = try leases.terminate(lease.number, on: day("2026-03-31"), reason: "业务调整")
        #expect(ended.status == .terminated && ended.terminatedOn == day("2026-03-31") && ended.endReason == "业务调整")
        #expect(try leases.sign(terms(["SW/B1/0101"], "2026-04-01", "2026-12-31")).status == .signed)
        let again = #expect(throws: ParkError.self) { try leases.terminate(lease.number, on: day("2026-01-31"), reason: "x") }
        #expect(again?.message.contains("is terminated") == true)

        let future = try leases.sign(terms(["SW/B1/0201"], "2099-01-01", "2099-12-31"))
        #expect(try leases.cancel(future.number, reason: "客户放弃").status == .cancelled)
        // A cancelled lease holds nothing.
        #expect(try leases.sign(terms(["SW/B1/0201"], "2099-01-01", "2099-12-31")).status == .signed)
    }

    @Test func rentScheduleMatchesFiguresWorkedOutByHand() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2026-12-15", "2029-12-14")   // 256.50 m²
        t.propertyFee = money("4.50")
        t.freeWindow = (day("2026-12-15"), day("2027-01-14"))
        t.escalationPct = 3
        let lease = try LeaseService(session).sign(t)
        let schedule = try LeaseService(session).schedule(lease.number)
        #expect(schedule.count == 37)
        let byMonth = Dictionary(uniqueKeysWithValues: schedule.map { (String($0.month.description.prefix(7)), $0) })
        // December 2026: 17 days, all rent-free; property fee 4.50 × 256.50 × 17/31 = 632.975… → 632.98.
        #expect(byMonth["2026-12"]?.days == 17 && byMonth["2026-12"]?.freeDays == 17)
        #expect(byMonth["2026-12"]?.rentDue == 0)
        #expect(byMonth["2026-12"]?.propertyFeeDue == money("632.98"))
        // January 2027: 14 days free, 17 charged: 35.00 × 256.50 × 17/31 = 4923.145… → 4923.15.
        #expect(byMonth["2027-01"]?.rentDue == money("4923.15"))
        #expect(byMonth["2027-01"]?.propertyFeeDue == money("1154.25"))
        // February 2027: a whole month, 35.00 × 256.50.
        #expect(byMonth["2027-02"]?.rentDue == money("8977.50"))
        // December 2027: 14 days at 35.00, then from the anniversary (15th) 17 days at 36.05:
        // 8977.50 × 14/31 + 9246.825 × 17/31 = 4054.354… + 5070.839… = 9125.19.
        #expect(byMonth["2027-12"]?.rentDue == money("9125.19"))
        #expect(byMonth["2027-12"]?.rentPerM2 == money("36.05"))
        // December 2028: 14 days at 36.05, 17 at 37.13 (35.00 × 1.03² = 37.1315 → 37.13): 9398.74.
        #expect(byMonth["2028-12"]?.rentDue == money("9398.74"))
        // December 2029, the last: 14 days at 37.13 = 4301.09; fee 4.50 × 256.50 × 14/31 = 521.27.
        #expect(byMonth["2029-12"]?.rentDue == money("4301.09"))
        #expect(byMonth["2029-12"]?.propertyFeeDue == money("521.27"))
    }

    @Test func historyReproducesWhatWasRecordedBeforeACorrection() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        let lease = try leases.sign(terms(["SW/B1/0101"], "2026-01-01", "2027-12-31"))
        let recordedBefore: Date = try db.connection.query("SELECT clock_timestamp()").rows[0].decode(0)
        usleep(20_000)
        try leases.terminate(lease.number, on: day("2026-06-30"), reason: "录入有误，更正")
        let asRecorded = try db.connection.query("""
            SELECT s.status FROM unit_status_as_recorded(\(day("2026-09-01")), \(recordedBefore)) s
            JOIN unit u ON u.id = s.unit_id WHERE u.code = '0101'
            """).rows[0].decode(0, as: String.self)
        #expect(asRecorded == "leased")
        #expect(try status(db.connection, "0101", on: "2026-09-01").0 == "vacant")
        let versions = try db.connection.query("SELECT count(*) FROM lease_history WHERE number = \(lease.number)").rows[0].decode(0, as: Int.self)
        #expect(versions == 1)
        let audited = try AuditService(session).entries(entity: "lease").map(\.action)
        #expect(audited == ["insert", "update"])
    }

    @Test func fiftyConcurrentSigningsOfTheSameUnitLeaveOneLease() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let conninfo = db.conninfo
        let outcomes = runConcurrently(50) { i in
            let session = ParkSession(connection: try Connection(conninfo), actor: "agent-\(i)")
            // Overlapping terms, each a little different.
            let start = day("2027-01-01").adding(days: i)
            return try LeaseService(session).sign(LeaseService.Terms(
                tenantCreditCode: bosi.creditCode, units: [unit("SW/B1/0101")], start: start,
                end: start.adding(days: 365), rent: money("35"))).number
        }
        let successes = outcomes.compactMap { try? $0.get() }
        let failures = outcomes.compactMap { outcome -> ParkError? in
            if case .failure(let e) = outcome { return e as? ParkError }
            return nil
        }
        #expect(successes.count == 1)
        #expect(failures.count == 49)
        #expect(failures.allSatisfyAndNonEmpty { $0.kind == .conflict && $0.message.contains("SW/B1/0101 is already leased to 博思软件 under \(successes[0])") })
        #expect(try db.connection.query("SELECT count(*) FROM lease").rows[0].decode(0, as: Int.self) == 1)
    }

    @Test func terminateAndRenewAtOnceEndWithExactlyOne() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let lease = try LeaseService(session).sign(terms(["SW/B1/0101"], "2025-01-01", "2027-12-31"))
        let conninfo = db.conninfo
        let number = lease.number
        let outcomes = runConcurrently(2) { i -> String in
            let service = LeaseService(ParkSession(connection: try Connection(conninfo), actor: "agent-\(i)"))
            if i == 0 { return try service.terminate(number, on: day("2026-06-30"), reason: "提前解约").status.rawValue }
            return try service.renew(number, end: day("2030-12-31")).number
        }
        let succeeded = outcomes.filter { (try? $0.get()) != nil }.count
        #expect(succeeded == 1)
        for case .failure(let error) in outcomes { #expect(error is ParkError, "\(error)") }
        let state = try LeaseService(session).lease(number)
        #expect((state.status == .terminated) != (state.renewedBy != nil))
    }
}
