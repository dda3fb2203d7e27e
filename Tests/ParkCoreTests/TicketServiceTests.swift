import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// A local time in Asia/Shanghai, `YYYY-MM-DD HH:MM` (a test constant).
func shanghai(_ text: String) -> Date {
    let day = CalendarDate(String(text.prefix(10)))!
    let hh = Int(text.dropFirst(11).prefix(2))!, mm = Int(text.suffix(2))!
    return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + (hh - 8) * 3_600 + mm * 60))
}

func request(_ priority: TicketPriority = .high, opened: String, category: TicketCategory = .repair,
             title: String = "空调漏水") -> TicketService.Request {
    TicketService.Request(tenantCreditCode: bosi.creditCode, unit: unit("SW/B1/0101"), category: category,
                          priority: priority, title: title, openedAt: shanghai(opened))
}

func eventCount(_ conn: Connection) throws -> Int {
    try conn.query("SELECT count(*) FROM ticket_event").rows[0].decode(0)
}

@Suite struct TicketServiceTests {
    @Test func dueTimesCountWorkingHoursOnly() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let tickets = TicketService(session)
        // Friday 17:30 + 2 working hours: 30 minutes on Friday, then Monday 08:30-10:00.
        let t = try tickets.open(request(.high, opened: "2026-11-20 17:30"))
        #expect(t.responseDueAt == shanghai("2026-11-23 10:00"))
        // One working day (8 h): Friday 30 min + Monday 08:30-12:00 and 13:30-17:30.
        #expect(t.resolutionDueAt == shanghai("2026-11-23 17:30"))
        #expect(t.number.hasPrefix("T-2026-"))
        // Over lunch: 11:00 + 2 h = 14:30 (12:00-13:30 does not count).
        #expect(try tickets.open(request(.high, opened: "2026-11-18 11:00")).responseDueAt == shanghai("2026-11-18 14:30"))
        // Normal: 4 h and 3 working days; low: 1 day and 5 days (over a weekend).
        let low = try tickets.open(request(.low, opened: "2026-11-19 09:00"))
        #expect(low.responseDueAt == shanghai("2026-11-20 09:00"))
        #expect(low.resolutionDueAt == shanghai("2026-11-26 09:00"))
        // Opened on a Sunday: the clock starts on Monday morning (urgent property: 30 minutes).
        #expect(try tickets.open(request(.urgent, opened: "2026-11-22 15:00", category: .property)).responseDueAt
                == shanghai("2026-11-23 09:00"))
        // An urgent repair runs round the clock by default: Sunday 15:00 + 30 min, + 4 h.
        let urgent = try tickets.open(request(.urgent, opened: "2026-11-22 15:00"))
        #expect(urgent.clock == .roundTheClock)
        #expect(urgent.responseDueAt == shanghai("2026-11-22 15:30") && urgent.resolutionDueAt == shanghai("2026-11-22 19:00"))
    }

    /// The State Council's arrangements of 2025 and 2026 come with a fresh database. In
    /// 2026 the Spring Festival is 15-23 February (nine holidays) and Saturday 14
    /// February a working day (调休, with Monday's hours). A high ticket (2 h, 1 day)
    /// opened Friday 13 February at 17:30: 30 min on Friday, then 08:30-10:00 on the
    /// 14th → response due 2026-02-14 10:00; resolution, 8 h: 30 min on Friday, then
    /// 08:30-12:00 (3 h 30) and 13:30-17:30 (4 h) on the 14th → 2026-02-14 17:30. One
    /// opened on the 14th at 17:30: 30 min, then nothing until Tuesday the 24th,
    /// 08:30-10:00 → 2026-02-24 10:00.
    @Test func theOfficialHolidaysComeBuiltIn() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let official = try CalendarService(session).list().filter { $0.source != nil }
        func days(_ year: Int, _ kind: CalendarEntry.Kind) -> [CalendarEntry] { official.filter { $0.day.year == year && $0.kind == kind } }
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 = 28 holidays, 5 working weekend days; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33 and 6.
        #expect(days(2025, .holiday).count == 28 && days(2025, .workday).count == 5)
        #expect(days(2026, .holiday).count == 33 && days(2026, .workday).count == 6)
        #expect(days(2026, .holiday).filter { $0.day.month == 2 }.map(\.day.day) == Array(15...23))
        #expect(days(2026, .workday).filter { $0.day.month == 2 }.map(\.day.day) == [14, 28])
        // Every working day of an arrangement is a Saturday or Sunday (1970-01-01 was a Thursday).
        #expect(official.filter { $0.kind == .workday }.allSatisfyAndNonEmpty { (($0.day.daysSinceEpoch + 3) % 7 + 1) >= 6 })
        #expect(official.allSatisfyAndNonEmpty { $0.park == nil })
        #expect(days(2026, .holiday).first?.source?.contains("2026年部分节假日安排") == true)

        let tickets = TicketService(session)
        let t = try tickets.open(request(.high, opened: "2026-02-13 17:30"))
        #expect(t.responseDueAt == shanghai("2026-02-14 10:00") && t.resolutionDueAt == shanghai("2026-02-14 17:30"))
        #expect(try tickets.open(request(.high, opened: "2026-02-14 17:30")).responseDueAt == shanghai("2026-02-24 10:00"))
        #expect(try tickets.show(t.number).unarrangedYears.isEmpty)
    }

    /// `calendar update` loads the next year's notice and replaces an earlier one's days
    /// of that year; days recorded by hand stay, and are named. A day of the year before
    /// (元旦 from 31 December) is added but replaces nothing of that year. A working-time
    /// clock that runs through a year with no arrangement says so; one round the clock
    /// does not.
    @Test func aNewYearsArrangementIsLoadedAndAYearWithoutOneIsNamed() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let calendar = CalendarService(session)
        try calendar.set(CalendarEntry(day: day("2027-03-08"), kind: .holiday, name: "妇女节"))
        try calendar.set(CalendarEntry(day: day("2027-02-08"), kind: .workday, name: "集团值班"))
        let first = try calendar.update("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-05,holiday,春节\n2027-02-06,holiday,春节\n")
        #expect(first == CalendarService.UpdateResult(year: 2027, read: 3, changed: 3, removed: [], keptByHand: []))
        // A corrected notice: 5 February is no longer a holiday, 7 and 8 February are (the
        // group's own 8 February stays a working day), Sunday 31 January is worked, and
        // 元旦 starts on 31 December 2026.
        let corrected = "date,kind,name\n2026-12-31,holiday,元旦\n2027-01-01,holiday,元旦\n2027-01-31,workday,春节调休上班\n"
            + "2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n2027-02-08,holiday,春节\n"
        let second = try calendar.update(corrected, source: "国办发明电〔2026〕9号")
        // Changed: 31 December, 31 January and 7 February (new), 1 January and 6 February (their notice).
        #expect(second == CalendarService.UpdateResult(year: 2027, read: 6, changed: 5, removed: [day("2027-02-05")],
                                                       keptByHand: [day("2027-02-08")]))
        let year = try calendar.list(year: 2027)
        #expect(year.map(\.day.description) == ["2027-01-01", "2027-01-31", "2027-02-06", "2027-02-07", "2027-02-08", "2027-03-08"])
        #expect(year.filter { $0.source == "国办发明电〔2026〕9号" }.count == 4)
        #expect(year.first { $0.day == day("2027-02-08") }?.kind == .workday)
        // 2026's own arrangement is untouched: 39 days, and 31 December added from the 2027 notice.
        #expect(try calendar.list(year: 2026).filter { $0.source?.contains("2026年") == true }.count == 39)
        #expect(try calendar.list(year: 2026).last?.source == "国办发明电〔2026〕9号")
        // Loading it again changes nothing; bad files change nothing either.
        #expect(try calendar.update(corrected, source: "国办发明电〔2026〕9号").changed == 0)
        let before = try calendar.list()
        let refused112 = #expect(throws: ParkError.self) { try calendar.update("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n") }
        #expect(refused112?.kind == .invalidInput && refused112?.message.contains("the calendar file has 1 bad line; nothing was imported:") == true && refused112?.message.contains("line 3: date") == true, "\(String(describing: refused112))")
        let refused113 = #expect(throws: ParkError.self) { try calendar.update("date,kind,name\n") }
        #expect(refused113?.kind == .invalidInput && refused113?.message.contains("the calendar file has no days: an arrangement lists a year's holidays") == true, "\(String(describing: refused113))")
        let refused114 = #expect(throws: ParkError.self) { try calendar.update("date,kind,name\n2025-05-01,holiday,x\n2027-01-01,holiday,元旦\n") }
        #expect(refused114?.kind == .invalidInput && refused114?.message.contains("2025-05-01 is not in 2027, the year of the arrangement, nor at the end") == true, "\(String(describing: refused114))")
        let refused115 = #expect(throws: ParkError.self) { try calendar.update("date,kind,name\n0001-01-01,holiday,x\n") }
        #expect(refused115?.kind == .invalidInput && refused115?.message.contains("the arrangement's year 1 is not a year of the State Council's notices") == true, "\(String(describing: refused115))")
        #expect(try calendar.list() == before)
        // Renamed by hand, a notice's day is still the notice's: 2027 stays arranged.
        try calendar.set(CalendarEntry(day: day("2027-01-01"), kind: .holiday, name: "元旦节"))
        #expect(try calendar.list(year: 2027).first?.source == "国办发明电〔2026〕9号")

        // 2024 has no arrangement: a low ticket (5 working days) opened on 30 December 2024 runs into 2025.
        let tickets = TicketService(session)
        let low = try tickets.show(try tickets.open(request(.low, opened: "2024-12-30 16:00")).number)
        #expect(low.unarrangedYears == [2024])
        #expect(low.calendarWarning?.contains("no official holiday arrangement is loaded for 2024") == true)
        let urgent = try tickets.open(request(.urgent, opened: "2024-12-30 16:00", category: .security))
        #expect(urgent.clock == .roundTheClock && urgent.responseDueAt == shanghai("2024-12-30 16:30"))
        #expect(try tickets.show(urgent.number).unarrangedYears.isEmpty)
    }

    @Test func holidaysAndMakeUpWorkdaysMoveDueTimes() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        let calendar = CalendarService(session)
        try calendar.set(CalendarEntry(day: day("2026-11-23"), kind: .holiday, name: "测试假日"))
        let tickets = TicketService(session)
        #expect(try tickets.open(request(.high, opened: "2026-11-20 17:30")).responseDueAt == shanghai("2026-11-24 10:00"))
        // A make-up Saturday (调休) works Monday's hours.
        try calendar.set(CalendarEntry(day: day("2026-11-21"), kind: .workday, name: "调休"))
        #expect(try tickets.open(request(.high, opened: "2026-11-20 17:30")).responseDueAt == shanghai("2026-11-21 10:00"))
        // A holiday of another park does not count here.
        try PortfolioService(session).addPark(code: "MF", name: "红树林标准厂房", kind: .factory, industries: [])
        try calendar.set(CalendarEntry(day: day("2026-11-18"), kind: .holiday, park: "MF"))
        #expect(try tickets.open(request(.high, opened: "2026-11-18 09:00")).responseDueAt == shanghai("2026-11-18 11:00"))
    }

    @Test func urgentTicketsCanRunRoundTheClock() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        try ServiceLevelService(session).set(category: .network, priority: .urgent, response: SLATarget(value: 30, unit: .m),
                                             resolution: SLATarget(value: 4, unit: .h), clock: .roundTheClock)
        let t = try TicketService(session).open(request(.urgent, opened: "2026-11-21 23:50", category: .network, title: "专线中断"))
        #expect(t.clock == .roundTheClock)
        #expect(t.responseDueAt == shanghai("2026-11-22 00:20"))
        #expect(t.resolutionDueAt == shanghai("2026-11-22 03:50"))
        let levels = try ServiceLevelService(session).list()
        #expect(levels.count == 32)
        #expect(levels.first { $0.category == .network && $0.priority == .urgent }?.clock == .roundTheClock)
        #expect(levels.first { $0.category == .repair && $0.priority == .normal }?.resolution == SLATarget(value: 3, unit: .d))
    }

    @Test func everyLegalTransitionAndTheTimeline() throws {
        let (_, session) = try makeSession(actor: "客服 小林")
        try leasingPortfolio(session)
        let tickets = TicketService(session)
        let n = try tickets.open(request(opened: "2026-11-20 09:00")).number
        try tickets.assign(n, to: "张工", at: shanghai("2026-11-20 09:10"))
        try tickets.start(n, at: shanghai("2026-11-20 09:20"))
        try tickets.comment(n, text: "需要更换压缩机", at: shanghai("2026-11-20 09:30"))
        try tickets.resolve(n, note: "已更换", at: shanghai("2026-11-20 11:00"))
        try tickets.reopen(n, reason: "又漏了", at: shanghai("2026-11-21 10:00"))
        try tickets.resolve(n, note: "已修好", at: shanghai("2026-11-23 10:00"))
        try tickets.close(n, at: shanghai("2026-11-24 10:00"))
        try tickets.reopen(n, reason: "再次复发", at: shanghai("2026-11-25 10:00"))
        try tickets.cancel(n, reason: "租户自行处理", at: shanghai("2026-11-25 11:00"))
        let t = try tickets.show(n)
        #expect(t.status == .cancelled)
        #expect(t.assignee == "张工")
        #expect(t.firstResponseAt == shanghai("2026-11-20 09:10"))
        let statuses = t.events.filter { $0.kind == "status" || $0.kind == "assigned" || $0.kind == "created" }.map { $0.to ?? "" }
        #expect(statuses == ["open", "assigned", "in_progress", "resolved", "in_progress", "resolved", "closed", "in_progress", "cancelled"])
        #expect(t.events.allSatisfyAndNonEmpty { $0.actor == "客服 小林" })
        // The status always equals the last status event.
        let lastTo = t.events.last { $0.to != nil }?.to
        #expect(lastTo == t.status.rawValue)
    }

    @Test func illegalTransitionsNameTheStatusAndChangeNothing() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let tickets = TicketService(session)
        let open = try tickets.open(request(opened: "2026-11-20 09:00")).number
        let cancelled = try tickets.open(request(opened: "2026-11-20 09:00")).number
        try tickets.cancel(cancelled, reason: "重复")
        let before = try eventCount(db.connection)
        let close = #expect(throws: ParkError.self) { try tickets.close(open) }
        #expect(close?.message == "ticket \(open) is open; it cannot be closed: start or assign it first (parkctl ticket start \(open), or parkctl ticket assign \(open) --to NAME)")
        let resolve = #expect(throws: ParkError.self) { try tickets.resolve(cancelled, note: "x") }
        #expect(resolve?.message.contains("is cancelled; it cannot be resolved: it was cancelled for good; open a new one (parkctl ticket open") == true)
        let reopen = #expect(throws: ParkError.self) { try tickets.reopen(cancelled, reason: "x") }
        #expect(reopen?.message.contains("is cancelled") == true)
        let assign = #expect(throws: ParkError.self) { try tickets.assign(cancelled, to: "x") }
        #expect(assign?.message.contains("cannot be assigned") == true)
        let refused204 = #expect(throws: ParkError.self) { try tickets.start("T-2026-999999") }
        #expect(refused204?.kind == .notFound && refused204?.message.contains("ticket 'T-2026-999999' not found") == true, "\(String(describing: refused204))")
        let early = #expect(throws: ParkError.self) { try tickets.assign(open, to: "张工", at: shanghai("2026-11-19 09:00")) }
        #expect(early?.message.contains("before the ticket was opened") == true)   // an assignment may be back-dated, not before the opening
        #expect(try eventCount(db.connection) == before)
    }

    @Test func theDatabaseKeepsStatusAndTimelineInStep() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let n = try TicketService(session).open(request(opened: "2026-11-20 09:00")).number
        let direct = #expect(throws: PostgresError.self) { try db.connection.execute("UPDATE ticket SET status = 'closed' WHERE number = \(n)") }
        #expect(direct?.constraint == "ticket_status_from_events")
        let edit = #expect(throws: PostgresError.self) { try db.connection.execute("UPDATE ticket_event SET note = 'x'") }
        #expect(edit?.sqlState == .insufficientPrivilege)
        let refused218 = #expect(throws: PostgresError.self) { try db.connection.execute("DELETE FROM ticket_event") }
        #expect(refused218?.sqlState == SQLState("42501"), "\(String(describing: refused218))")
        let skip = #expect(throws: PostgresError.self) {
            try db.connection.execute("""
                INSERT INTO ticket_event (park_id, ticket_id, actor, kind, from_status, to_status)
                SELECT park_id, id, 'x', 'status', 'open', 'closed' FROM ticket WHERE number = \(n)
                """)
        }
        #expect(skip?.constraint == "ticket_transition_allowed")
    }

    @Test func breachesAreComputedAndRecordedOnce() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let tickets = TicketService(session)
        let late = try tickets.open(request(.high, opened: "2026-11-20 09:00")).number
        let onTime = try tickets.open(request(.high, opened: "2026-11-20 09:00")).number
        try tickets.assign(onTime, to: "张工", at: shanghai("2026-11-20 09:30"))
        try tickets.start(onTime, at: shanghai("2026-11-20 09:40"))
        try tickets.resolve(onTime, note: "ok", at: shanghai("2026-11-20 15:00"))
        let shown = try tickets.show(late)
        #expect(shown.responseBreached && shown.resolutionBreached && shown.breached)
        let breaches = shown.events.filter { $0.kind == "sla_breach" }
        #expect(breaches.map(\.note) == ["response", "resolution"])
        #expect(breaches.first?.at == shanghai("2026-11-20 11:00"))
        _ = try tickets.show(late)
        _ = try tickets.list()
        #expect(try db.connection.query("SELECT count(*) FROM ticket_event WHERE kind = 'sla_breach'").rows[0].decode(0, as: Int.self) == 2)
        #expect(try !tickets.show(onTime).breached)
        var filter = TicketService.Filter()
        filter.breachedOnly = true
        #expect(try tickets.list(filter).map(\.number) == [late])
        filter = TicketService.Filter()
        filter.dueWithinMinutes = 60
        #expect(try tickets.list(filter).map(\.number) == [late])
    }

    @Test func badRequestsAreRefused() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let tickets = TicketService(session)
        let before = try eventCount(db.connection)
        var outside = request(opened: "2026-11-20 09:00")
        outside.unit = unit("EC/A/101")
        let unitError = #expect(throws: ParkError.self) { try tickets.open(outside) }
        #expect(unitError?.message.contains("EC/A/101 is outside 博思软件's parks (SW)") == true)
        let empty = #expect(throws: ParkError.self) { try tickets.open(request(opened: "2026-11-20 09:00", title: "  ")) }
        #expect(empty?.message == "title must not be empty")
        var future = request(opened: "2026-11-20 09:00")
        future.openedAt = Date().addingTimeInterval(86_400)
        let futureError = #expect(throws: ParkError.self) { try tickets.open(future) }
        #expect(futureError?.message.contains("lies in the future") == true)
        var stranger = request(opened: "2026-11-20 09:00")
        stranger.tenantCreditCode = tencent.creditCode
        let refused271 = #expect(throws: ParkError.self) { try tickets.open(stranger) }
        #expect(refused271?.kind == .notFound && refused271?.message.contains("tenant with credit code '91440300708461136T' not found (find one with:") == true, "\(String(describing: refused271))")
        #expect(try eventCount(db.connection) == before)
        #expect(try db.connection.query("SELECT count(*) FROM ticket").rows[0].decode(0, as: Int.self) == 0)
    }

    @Test func concurrentResolvesEndClearlyWithOneEvent() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let n = try TicketService(session).open(request(opened: "2026-11-20 09:00")).number
        try TicketService(session).start(n)
        let conninfo = db.conninfo
        let outcomes = runConcurrently(8) { i in
            try TicketService(ParkSession(connection: try Connection(conninfo), actor: "staff-\(i)")).resolve(n, note: "done by \(i)")
        }
        // One resolves it; the others find it resolved already and change nothing.
        #expect(outcomes.filter { (try? $0.get()) == true }.count == 1)
        #expect(outcomes.filter { (try? $0.get()) == false }.count == 7)
        let assigns = runConcurrently(8) { i in
            try TicketService(ParkSession(connection: try Connection(conninfo), actor: "staff-\(i)")).comment(n, text: "note \(i)")
        }
        #expect(assigns.allSatisfyAndNonEmpty { (try? $0.get()) != nil })
        let t = try TicketService(session).show(n)
        #expect(t.events.filter { $0.to == "resolved" }.count == 1)
        #expect(t.events.filter { $0.kind == "comment" }.count == 8)
        #expect(t.status == .resolved)
    }

    @Test func calendarImportReportsEveryBadLine() throws {
        let (_, session) = try makeSession()
        let calendar = CalendarService(session)
        let bad = "\u{FEFF}date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n2027-02-06,vacation,y\n2027-01-01,workday,dup\n"
        let error = #expect(throws: ParkError.self) { try calendar.importCSV(bad) }
        #expect(error?.message.contains("3 bad lines") == true)
        #expect(error?.message.contains("line 3: date '2027-02-30'") == true)
        #expect(error?.message.contains("line 4: kind 'vacation'") == true)
        #expect(error?.message.contains("line 5: 2027-01-01 is also on line 2") == true)
        #expect(try calendar.list(year: 2027).isEmpty)
        let good = "date,kind,name\r\n2027-01-01,holiday,元旦\r\n2027-02-06,workday,春节调休\r\n"
        #expect(try calendar.importCSV(good) == (2, 2))
        #expect(try calendar.importCSV(good) == (2, 0))
        #expect(try calendar.list(year: 2027).map(\.kind) == [.holiday, .workday])
    }
}
