import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Supplementary agreements (`lease amend`): the rent schedule, occupancy and reports
/// follow each change from its day; the figures are worked out by hand beside them.
@Suite struct LeaseAmendmentTests {
    /// SW/B1/0101 leased to 博思软件 for 2027–2028 at 40.00 元/m²/month, property fee
    /// 5.00, 5 % a year (each unit is 256.50 m²).
    func signed(_ session: ParkSession) throws -> Lease {
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2027-01-01", "2028-12-31", rent: "40.00")
        t.propertyFee = money("5.00")
        t.escalationPct = 5
        return try LeaseService(session).sign(t)
    }

    func change(from: String?, rent: String? = nil, fee: String? = nil, add: [String] = [], release: [String] = [],
                end: String? = nil) -> LeaseService.Amendment {
        var c = LeaseService.Amendment(signedOn: day("2026-11-20"))
        c.effectiveOn = from.map(day)
        c.rent = rent.map(money)
        c.propertyFee = fee.map(money)
        c.addUnits = add.map(unit)
        c.releaseUnits = release.map(unit)
        c.end = end.map(day)
        return c
    }

    @Test func theScheduleFollowsRentUnitsAndEndFromTheirDays() throws {
        let (db, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        var amended = try leases.amend(lease.number, change(from: "2027-03-11", rent: "50.00", add: ["SW/B1/0201"]))
        #expect(amended.amendments.map(\.number) == ["\(lease.number)-A1"])
        #expect(amended.amendments[0].unitsAdded == ["SW/B1/0201"] && amended.amendments[0].rent == money("50.00"))
        amended = try leases.amend(lease.number, change(from: "2027-06-16", fee: "6.00", release: ["SW/B1/0101"]))
        amended = try leases.amend(lease.number, change(from: nil, end: "2029-06-30"))
        #expect(amended.amendments.map(\.number) == ["\(lease.number)-A1", "\(lease.number)-A2", "\(lease.number)-A3"])
        #expect(amended.amendments[2].endBefore == day("2028-12-31") && amended.amendments[2].endAfter == day("2029-06-30"))
        #expect(amended.term.last == day("2029-06-30"))
        #expect(amended.units == ["SW/B1/0101"], "the units of its first day: it has not started")
        #expect(amended.partialUnits == [UnitDays(unit: "SW/B1/0101", days: DateRange(first: day("2027-01-01"), last: day("2027-06-15"))!),
                                         UnitDays(unit: "SW/B1/0201", days: DateRange(first: day("2027-03-11"), last: day("2029-06-30"))!)])

        let schedule = try leases.schedule(lease.number)
        #expect(schedule.count == 30)   // 2027-01 … 2029-06
        let month = Dictionary(uniqueKeysWithValues: schedule.map { (String($0.month.description.prefix(7)), $0) })
        // January 2027: 0101 alone at 40.00: 256.50 × 40.00 = 10260.00; fee 256.50 × 5.00 = 1282.50.
        #expect(month["2027-01"]?.rentDue == money("10260.00") && month["2027-01"]?.propertyFeeDue == money("1282.50"))
        // March 2027: 10 days of 0101 at 40.00, then 21 days of 0101 + 0201 (513.00 m²) at 50.00:
        // (256.50 × 40 × 10 + 513 × 50 × 21) / 31 = (102600 + 538650) / 31 = 20685.4838… → 20685.48.
        #expect(month["2027-03"]?.rentDue == money("20685.48"))
        #expect(month["2027-03"]?.rentPerM2 == money("50.00"))
        // Fee: (256.50 × 5 × 10 + 513 × 5 × 21) / 31 = (12825 + 53865) / 31 = 2151.2903… → 2151.29.
        #expect(month["2027-03"]?.propertyFeeDue == money("2151.29"))
        // June 2027: 15 days of both at 50.00, then 0201 alone from the 16th:
        // 513 × 50 × 15/30 + 256.50 × 50 × 15/30 = 12825.00 + 6412.50 = 19237.50;
        // fee 513 × 5 × 15/30 + 256.50 × 6 × 15/30 = 1282.50 + 769.50 = 2052.00.
        #expect(month["2027-06"]?.rentDue == money("19237.50") && month["2027-06"]?.propertyFeeDue == money("2052.00"))
        // January 2028, the first anniversary: the amended 50.00 rises 5 % → 52.50;
        // 256.50 × 52.50 = 13466.25; fee 256.50 × 6.00 = 1539.00.
        #expect(month["2028-01"]?.rentPerM2 == money("52.50") && month["2028-01"]?.rentDue == money("13466.25"))
        #expect(month["2028-01"]?.propertyFeeDue == money("1539.00"))
        // January 2029, in the extension: 50.00 × 1.05² = 55.125 → 55.13; 256.50 × 55.13 = 14140.845 → 14140.85.
        #expect(month["2029-01"]?.rentPerM2 == money("55.13") && month["2029-01"]?.rentDue == money("14140.85"))

        // Occupancy follows each unit's days.
        #expect(try status(db.connection, "0201", on: "2027-03-10").0 == "reserved")
        #expect(try status(db.connection, "0201", on: "2027-03-11").0 == "leased")
        #expect(try status(db.connection, "0101", on: "2027-06-15").0 == "leased")
        #expect(try status(db.connection, "0101", on: "2027-06-16").0 == "vacant")
        #expect(try status(db.connection, "0201", on: "2029-06-30").0 == "leased")

        // The rent roll of 1 July 2027: one unit, 50.00, July's 12825.00 and 1539.00.
        let roll = try RentRollReport(session).run(park: "SW", asOf: day("2027-07-01")).rows.first { $0.lease == lease.number }
        #expect(roll?.units == ["SW/B1/0201"] && roll?.areaM2 == money("256.50") && roll?.rentPerM2 == money("50.00"))
        #expect(roll?.monthRentDue == money("12825.00") && roll?.monthPropertyFeeDue == money("1539.00"))
        // The lease units agree with their lease, as `db check` sees them.
        #expect(try db.connection.query("SELECT count(*) FROM parkctl_lease_units_out_of_step()").rows[0].decode(0, as: Int.self) == 0)
        // Every amendment is audited under its number.
        let audited = try AuditService(session).entries(entity: "lease_amendment").compactMap(\.label)
        #expect(audited.sorted() == ["\(lease.number)-A1", "\(lease.number)-A2", "\(lease.number)-A3"])
    }

    @Test func refusalsNameTheRuleAndWriteNothing() throws {
        let (db, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        func refused(_ c: LeaseService.Amendment, saying text: String) throws {
            let before = try db.connection.tableChecksums()
            do {
                try leases.amend(lease.number, c)
                Issue.record("accepted: expected \(text)")
            } catch let error as ParkError {
                #expect(error.message.contains(text), "\(error.message)")
            }
            #expect(try db.connection.tableChecksums() == before, "\(text): the database changed")
        }
        try refused(change(from: "2027-03-01"), saying: "an amendment changes something")
        try refused(change(from: nil, rent: "50"), saying: "give --from")
        try refused(change(from: "2026-12-31", rent: "50"), saying: "runs 2027-01-01 to 2028-12-31: --from 2026-12-31 is not within it")
        try refused(change(from: "2027-03-01", rent: "0"), saying: "rent must be more than 0")
        // The only unit released: no unit from that day on.
        try refused(change(from: "2027-06-01", release: ["SW/B1/0101"]), saying: "would hold no unit from 2027-06-01 to 2028-12-31")
        try refused(change(from: "2027-06-01", release: ["SW/B1/0201"]), saying: "unit SW/B1/0201 is not on lease \(lease.number) (its units: SW/B1/0101)")
        try refused(change(from: "2027-06-01", add: ["SW/B1/0101"]), saying: "unit SW/B1/0101 is on lease \(lease.number) already")
        try refused(change(from: "2027-06-01", add: ["EC/A/101"]), saying: "unit EC/A/101 is in another park")
        try refused(change(from: nil, end: "2028-12-31"), saying: "ends on 2028-12-31 already")
        try refused(change(from: nil, end: "2026-12-31"), saying: "its new last day 2026-12-31 cannot come before")
        var future = change(from: "2027-03-01", rent: "50")
        future.signedOn = day("2099-01-01")
        try refused(future, saying: "signing day 2099-01-01 lies in the future")

    }

    /// A wrong amendment is corrected by another: a release undone or moved, an
    /// addition moved earlier or undone, a rent set again from the same day.
    @Test func aWrongAmendmentIsCorrectedByAnother() throws {
        let (db, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        func amend(_ c: LeaseService.Amendment) throws { try leases.amend(lease.number, c) }
        try amend(change(from: "2027-03-11", add: ["SW/B1/0201"]))
        try amend(change(from: "2027-05-01", release: ["SW/B1/0201"]))      // wrong: undone by adding it back that day
        try amend(change(from: "2027-05-01", add: ["SW/B1/0201"]))
        try amend(change(from: "2027-08-01", release: ["SW/B1/0201"]))
        do {
            try amend(change(from: "2027-09-01", add: ["SW/B1/0201"]))
            Issue.record("a second run of days for one unit was accepted")
        } catch let error as ParkError {
            #expect(error.message.contains("comes back from 2027-08-01 at the latest"), "\(error.message)")
        }
        try amend(change(from: "2027-02-01", add: ["SW/B1/0201"]))          // the addition moved earlier
        try amend(change(from: "2027-04-01", add: ["SW/B1/0301"]))
        try amend(change(from: "2027-04-01", release: ["SW/B1/0301"]))      // undone: never held under this lease
        #expect(try status(db.connection, "0301", on: "2027-05-01").0 == "vacant")
        try amend(change(from: "2027-06-01", add: ["SW/B1/0301"]))
        try amend(change(from: "2027-03-01", rent: "50.00"))
        try amend(change(from: "2027-04-01", rent: "45.00"))
        let corrected = try leases.amend(lease.number, change(from: "2027-03-01", rent: "48.00"))   // March's rent was 48

        #expect(corrected.partialUnits == [
            UnitDays(unit: "SW/B1/0201", days: DateRange(first: day("2027-02-01"), last: day("2027-07-31"))!),
            UnitDays(unit: "SW/B1/0301", days: DateRange(first: day("2027-06-01"), last: day("2028-12-31"))!)])
        let rents = corrected.amendments.filter { $0.rent != nil }
        #expect(rents.map(\.rentUntil) == [day("2027-02-28"), nil, day("2027-03-31")], "50.00 never, 45.00 to the end, 48.00 in March")
        let month = Dictionary(uniqueKeysWithValues: try leases.schedule(lease.number).map { (String($0.month.description.prefix(7)), $0) })
        // February: 0101 and 0201 (513.00 m²) at 40.00 = 20520.00.
        #expect(month["2027-02"]?.rentDue == money("20520.00"))
        // March at 48.00: 513 × 48 = 24624.00; April at 45.00: 513 × 45 = 23085.00.
        #expect(month["2027-03"]?.rentDue == money("24624.00") && month["2027-04"]?.rentDue == money("23085.00"))
        // June: 0101, 0201 and 0301 (769.50 m²) × 45 = 34627.50; August: 0101 and 0301, 23085.00.
        #expect(month["2027-06"]?.rentDue == money("34627.50") && month["2027-08"]?.rentDue == money("23085.00"))
        #expect(try db.connection.query("SELECT count(*) FROM parkctl_lease_units_out_of_step()").rows[0].decode(0, as: Int.self) == 0)
        // --from with only a new end says what it is for.
        let refused159 = #expect(throws: ParkError.self) { try amend(change(from: "2027-03-01", end: "2029-06-30")) }
        #expect(refused159?.kind == .invalidInput && refused159?.message.contains("--from dates a new rent, property fee or unit change; with --end alone") == true, "\(String(describing: refused159))")
    }

    @Test func anExtensionOrAnAddedUnitMeetingAnotherLeaseNamesIt() throws {
        let (db, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        let other = try leases.sign(terms(["SW/B1/0201"], "2027-09-01", "2027-12-31"))
        let next = try leases.sign(terms(["SW/B1/0101"], "2029-03-01", "2029-12-31"))
        let before = try db.connection.tableChecksums()
        let refused169 = #expect(throws: ParkError.self) { try leases.amend(lease.number, change(from: "2027-06-01", add: ["SW/B1/0201"])) }
        #expect(refused169?.kind == .conflict && refused169?.message.contains("unit SW/B1/0201 is already leased to 博思软件 under L-2027-000002 from 202") == true, "\(String(describing: refused169))")
        do {
            try leases.amend(lease.number, change(from: "2027-06-01", add: ["SW/B1/0201"]))
        } catch let error as ParkError {
            #expect(error.message.contains("unit SW/B1/0201 is already leased to 博思软件 under \(other.number) from 2027-09-01 to 2027-12-31"),
                    "\(error.message)")
        }
        do {
            try leases.amend(lease.number, change(from: nil, end: "2029-06-30"))
            Issue.record("an extension over \(next.number) was accepted")
        } catch let error as ParkError {
            #expect(error.message.contains("unit SW/B1/0101 is already leased to 博思软件 under \(next.number) from 2029-03-01"),
                    "\(error.message)")
        }
        #expect(try db.connection.tableChecksums() == before)
        // Up to the day before the next lease is fine.
        #expect(try leases.amend(lease.number, change(from: nil, end: "2029-02-28")).term.last == day("2029-02-28"))
    }

    @Test func terminatingBeforeAnAddedUnitsFirstDayLeavesThatUnitFree() throws {
        let (db, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        try leases.amend(lease.number, change(from: "2027-09-01", add: ["SW/B1/0201"]))
        #expect(try status(db.connection, "0201", on: "2027-08-01").0 == "reserved")
        let ended = try leases.terminate(lease.number, on: day("2027-06-30"), reason: "提前退租")
        // Its next anniversary (2028-01-01) comes after its last day: no escalation ahead.
        let roll = try RentRollReport(session).run(park: "SW", asOf: day("2027-03-01")).rows.first { $0.lease == lease.number }
        #expect(roll != nil && roll?.nextEscalation == nil && roll?.end == day("2027-06-30"))
        #expect(ended.units == ["SW/B1/0101"], "the unit it would have added from September is not the lease's")
        #expect(try status(db.connection, "0201", on: "2027-08-01").0 == "vacant")
        #expect(try status(db.connection, "0201", on: "2027-10-01").0 == "vacant")
        // Free for another lease, and `db check` finds nothing out of step.
        #expect(try leases.sign(terms(["SW/B1/0201"], "2027-09-01", "2027-12-31")).status == .signed)
        #expect(try db.connection.query("SELECT count(*) FROM parkctl_lease_units_out_of_step()").rows[0].decode(0, as: Int.self) == 0)
        // A terminated lease keeps its units and end; its rent can still be corrected:
        // March 2027, 256.50 × 45.00 = 11542.50.
        let refused206 = #expect(throws: ParkError.self) { try leases.amend(lease.number, change(from: "2027-03-01", add: ["SW/B1/0301"])) }
        #expect(refused206?.kind == .invalidInput && refused206?.message.contains("lease L-2027-000001 was terminated (last day 2027-06-30): its units an") == true, "\(String(describing: refused206))")
        let refused207 = #expect(throws: ParkError.self) { try leases.amend(lease.number, change(from: nil, end: "2027-12-31")) }
        #expect(refused207?.kind == .invalidInput && refused207?.message.contains("lease L-2027-000001 was terminated (last day 2027-06-30): its units an") == true, "\(String(describing: refused207))")
        try leases.amend(lease.number, change(from: "2027-03-01", rent: "45"))
        let march = try leases.schedule(lease.number).first { $0.month == day("2027-03-01") }
        #expect(march?.rentDue == money("11542.50"))
    }

    @Test func aRenewalTakesTheTermsInForceAtTheEndAndMayChangeThem() throws {
        let (_, session) = try makeSession()
        let leases = LeaseService(session)
        let lease = try signed(session)
        try leases.amend(lease.number, change(from: "2027-03-11", rent: "50.00", add: ["SW/B1/0201"]))
        try leases.amend(lease.number, change(from: "2027-06-16", fee: "6.00", release: ["SW/B1/0101"]))
        // By default: the units held on the last day (0201 only), the rent then
        // (50.00 × 1.05 = 52.50 from 2028-01-01) and the property fee (6.00).
        var plain = try leases.renew(lease.number, end: day("2029-12-31"))
        #expect(plain.units == ["SW/B1/0201"] && plain.rent == money("52.50") && plain.propertyFee == money("6.00"))
        try leases.cancel(plain.number, reason: "改签")
        var renewal = LeaseService.Renewal(end: day("2030-12-31"), rent: money("48.00"))
        renewal.units = [unit("SW/B1/0201"), unit("SW/B1/0301")]
        renewal.propertyFee = money("5.50")
        renewal.escalationPct = 3
        renewal.cycle = .quarterly
        plain = try leases.renew(lease.number, renewal)
        #expect(plain.units == ["SW/B1/0201", "SW/B1/0301"] && plain.areaM2 == money("513.00"))
        #expect(plain.rent == money("48.00") && plain.propertyFee == money("5.50") && plain.escalationPct == 3 && plain.cycle == .quarterly)
        #expect(plain.term == DateRange(first: day("2029-01-01"), last: day("2030-12-31")))
        #expect(plain.renews == lease.number)
    }

    /// A month's rent roll counts every lease in force on any of its days: a lease that
    /// ends on the 16th and its renewal from the 17th both owe January's rent.
    @Test func theRentRollOfAMonthIncludesLeasesThatChangeWithinIt() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        let first = try leases.sign(terms(["SW/B1/0101"], "2026-12-01", "2027-01-16", rent: "40.00"))
        let renewal = try leases.renew(first.number, end: day("2027-12-31"), rent: money("42.00"))
        let (asOf, rows) = try RentRollReport(session).run(park: "SW", month: day("2027-01-01"))
        #expect(asOf == day("2027-01-31"))
        // 256.50 × 40.00 × 16/31 = 5295.483… → 5295.48; 256.50 × 42.00 × 15/31 = 5212.741… → 5212.74.
        #expect(rows.first { $0.lease == first.number }?.monthRentDue == money("5295.48"))
        #expect(rows.first { $0.lease == renewal.number }?.monthRentDue == money("5212.74"))
        #expect(rows.first { $0.scope == "total" }?.monthRentDue == money("10508.22"))
        // As of one day, only the lease of that day.
        #expect(try RentRollReport(session).run(park: "SW", asOf: day("2027-01-10")).rows.compactMap(\.lease) == [first.number])
    }

    /// The expiring report names the units a renewal does not take: the space coming free.
    @Test func theExpiringReportNamesTheUnitsARenewalLeaves() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let leases = LeaseService(session)
        let lease = try leases.sign(terms(["SW/B1/0101", "SW/B1/0201"], "2026-01-01", "2027-01-31"))
        func row() throws -> ExpiringReport.Row? {
            try ExpiringReport(session).run(within: 60, park: "SW", asOf: day("2027-01-01")).first { $0.lease == lease.number }
        }
        #expect(try row()?.unitsLeaving == ["SW/B1/0101", "SW/B1/0201"])
        var renewal = LeaseService.Renewal(end: day("2028-01-31"))
        renewal.units = [unit("SW/B1/0201")]
        try leases.renew(lease.number, renewal)
        #expect(try row()?.renewal != nil && row()?.unitsLeaving == ["SW/B1/0101"])
    }

    /// A lease from 29 February rises on 1 March of a year without one, in the schedule
    /// and in the rent roll's next escalation alike.
    @Test func aLeaseFromTheTwentyNinthOfFebruaryRisesOnTheFirstOfMarch() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2028-02-29", "2030-02-27", rent: "40.00")
        t.escalationPct = 5
        let lease = try LeaseService(session).sign(t)
        let roll = try RentRollReport(session).run(park: "SW", asOf: day("2028-06-01")).rows.first { $0.lease == lease.number }
        #expect(roll?.nextEscalation == day("2029-03-01"))
        let schedule = try LeaseService(session).schedule(lease.number)
        // February 2029 all at 40.00; March 2029 all at 42.00 (40 × 1.05): 256.50 × 42 = 10773.00.
        #expect(schedule.first { $0.month == day("2029-02-01") }?.rentPerM2 == money("40.00"))
        #expect(schedule.first { $0.month == day("2029-03-01") }?.rentDue == money("10773.00"))
    }

    @Test func twoAmendmentsAtOnceAreNumberedOneAfterTheOther() throws {
        let (db, session) = try makeSession()
        let lease = try signed(session)
        let conninfo = db.conninfo
        let outcomes = runConcurrently(2) { i -> Void in
            let connection = try Connection(conninfo)
            defer { connection.close() }
            try LeaseService(ParkSession(connection: connection, actor: "agent-\(i)"))
                .amend(lease.number, change(from: "2027-0\(i + 3)-01", rent: "4\(i + 1).00"))
        }
        for outcome in outcomes { try outcome.get() }
        let rows = try db.connection.query("SELECT number, actor FROM lease_amendment ORDER BY seq").rows
        #expect(try rows.map { try $0.decode("number", as: String.self) } == ["\(lease.number)-A1", "\(lease.number)-A2"])
        #expect(Set(try rows.map { try $0.decode("actor", as: String.self) }) == ["agent-0", "agent-1"])
    }
}
