import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct ReportTests {
    @Test func occupancyByParkAndFloorMatchesTheFiguresWorkedOutByHand() throws {
        let (_, session) = try makeSession()
        try ReportFixture.build(session)
        let report = OccupancyReport(session)
        let (asOf, rows) = try report.run(asOf: ReportFixture.asOf)
        #expect(asOf == ReportFixture.asOf)
        #expect(rows.map(\.scope) == ["park", "total"])
        let total = rows[1]
        #expect(total.unitsTotal == 5 && total.unitsLeased == 1 && total.unitsReserved == 1 && total.unitsVacant == 2 && total.unitsOffMarket == 1)
        #expect(total.areaTotal == 1000 && total.areaLeased == 100 && total.areaReserved == 300 && total.areaVacant == 450 && total.areaOffMarket == 150)
        // 100 leased ÷ (1000 − 150 off-market) = 0.117647… → 0.1176; units 1 ÷ (5 − 1) = 0.2500.
        #expect(total.occupancyRateArea == money("0.1176"))
        #expect(total.occupancyRateUnits == money("0.25"))
        #expect(rows[0].park == "SW" && rows[0].areaLeased == total.areaLeased)

        let byFloor = try report.run(asOf: ReportFixture.asOf, by: .floor).rows
        #expect(byFloor.map(\.floor) == [1, 2, 3, 4, 5, nil])
        #expect(byFloor.map(\.occupancyRateArea) == [1, 0, 0, nil, 0, money("0.1176")])
        // The total is the sum of its groups.
        let groups = byFloor.dropLast()
        #expect(groups.reduce(Decimal(0)) { $0 + $1.areaTotal } == byFloor.last?.areaTotal)
        #expect(groups.reduce(0) { $0 + $1.unitsLeased } == byFloor.last?.unitsLeased)

        // As recorded on 2026-06-20, before lease D was corrected: 0501 was leased too,
        // and 0401 was not yet off the market (that was recorded later, with the units'
        // versions since 0015): 350 leased ÷ (1000 − 0 off-market) = 0.35; units 2 ÷ 5 = 0.4.
        let recorded = try report.run(asOf: ReportFixture.asOf, asRecorded: ReportFixture.beforeCorrection).rows.last!
        #expect(recorded.areaLeased == 350 && recorded.areaOffMarket == 0 && recorded.unitsOffMarket == 0)
        #expect(recorded.occupancyRateArea == money("0.35"))
        #expect(recorded.occupancyRateUnits == money("0.4"))

        // Every unit's status agrees with the unit listing as of the same day.
        let listed = try PortfolioService(session).occupancy(asOf: ReportFixture.asOf)
        #expect(listed.filter { $0.status == .leased }.reduce(Decimal(0)) { $0 + $1.unit.areaM2 } == total.areaLeased)
        #expect(listed.map(\.status.rawValue) == ["leased", "vacant", "reserved", "off_market", "vacant"])
    }

    @Test func vacancyExpiringAndRentRoll() throws {
        let (_, session) = try makeSession()
        let (a, _, _, _) = try ReportFixture.build(session)
        let vacancy = try VacancyReport(session).run(asOf: ReportFixture.asOf)
        // 0201 free since 2026-04-01 (terminated 03-31): 90 days; 0501 since 2026-06-01: 29 days.
        #expect(vacancy.map(\.unit) == ["SW/B1/0201", "SW/B1/0501"])
        #expect(vacancy.map(\.daysVacant) == [90, 29])
        #expect(vacancy.map(\.vacantSince) == [CalendarDate("2026-04-01"), CalendarDate("2026-06-01")])
        #expect(try VacancyReport(session).run(minArea: 220, asOf: ReportFixture.asOf).map(\.unit) == ["SW/B1/0501"])

        let expiring = try ExpiringReport(session).run(within: 30, asOf: ReportFixture.asOf)
        #expect(expiring.map(\.lease) == [a])
        #expect(expiring.first?.daysLeft == 0 && expiring.first?.renewal == nil && expiring.first?.areaM2 == 100)

        let (_, roll) = try RentRollReport(session).run(asOf: ReportFixture.asOf)
        #expect(roll.map(\.scope) == ["lease", "total"])
        #expect(roll[0].lease == a)
        #expect(roll[0].monthRentDue == money("3000.00"))   // 30.00 × 100 m², all of June
        #expect(roll[0].rentPerM2 == 30 && roll[0].end == ReportFixture.asOf)
        // The rent roll's area is the leased area of the occupancy report.
        #expect(roll[1].areaM2 == 100 && roll[1].monthRentDue == money("3000.00"))
    }

    @Test func trendAtEachMonthEnd() throws {
        let (_, session) = try makeSession()
        try ReportFixture.build(session)
        let trend = try TrendReport(session).run(months: 3, asOf: ReportFixture.asOf)
        #expect(trend.map(\.monthEnd) == [CalendarDate("2026-04-30"), CalendarDate("2026-05-31"), CalendarDate("2026-06-30")])
        // April and May: 0101 and 0501 leased (350 m² ÷ 850); June: 0101 only (100 ÷ 850).
        #expect(trend.map(\.occupancyRateArea) == [money("0.4118"), money("0.4118"), money("0.1176")])
    }

    @Test func stackingPlanStates() throws {
        let (_, session) = try makeSession()
        try ReportFixture.build(session)
        let plan = try StackingPlan(session).run(BuildingAddress(park: "SW", building: "B1"), asOf: ReportFixture.asOf)
        #expect(plan.floors.map(\.floor) == [5, 4, 3, 2, 1])
        #expect(plan.floors.flatMap(\.cells).map(\.state) == [.vacant, .offMarket, .reserved, .vacant, .expiring])
        #expect(plan.floors.last?.cells.first?.tenant == "博思软件")
    }

    @Test func ticketServiceLevels() throws {
        let (_, session) = try makeSession()
        try ReportFixture.build(session)
        let tickets = TicketService(session)
        func open() throws -> String {
            try tickets.open(.init(tenantCreditCode: ReportFixture.tenantCode, category: .repair, priority: .high, title: "漏水",
                                   openedAt: shanghai("2026-06-01 09:00"))).number
        }
        let quick = try open(), slow = try open()
        try tickets.assign(quick, to: "张工", at: shanghai("2026-06-01 09:30"))      // 0.5 h
        try tickets.resolve(quick, note: "ok", at: shanghai("2026-06-01 11:00"))     // 2 h
        try tickets.assign(slow, to: "李工", at: shanghai("2026-06-01 14:00"))       // 3 h + 0.5 h = 3.5 h: late (2 h)
        try tickets.resolve(slow, note: "ok", at: shanghai("2026-06-02 10:00"))      // 3 + 4.5 + 1.5 = 9 h: late (8 h)
        let rows = try TicketReport(session).run(from: CalendarDate("2026-06-01"), to: CalendarDate("2026-06-30"))
        #expect(rows.map(\.scope) == ["category_priority", "total"])
        let r = rows[0]
        #expect(r.category == "repair" && r.priority == "high")
        #expect(r.opened == 2 && r.resolved == 2 && r.openNow == 0 && r.breached == 1)
        #expect(r.responseHoursMedian == money("2.00") && r.responseHoursP90 == money("3.20"))
        #expect(r.resolutionHoursMedian == money("5.50") && r.resolutionHoursP90 == money("8.30"))
        #expect(r.metShare == money("0.5"))
        #expect(rows[1].opened == 2)
    }
}
