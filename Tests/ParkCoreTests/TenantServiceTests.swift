import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct TenantServiceTests {
    @Test func applyThenApproveMovesTheStageAndKeepsATimeline() throws {
        let (_, session) = try makeSession(actor: "招商部 王经理")
        try smallPortfolio(session)
        let tenants = TenantService(session)
        var application = bosi
        application.on = CalendarDate("2026-11-01")
        let applied = try tenants.apply(application)
        #expect(applied.stage == .applied)
        #expect(applied.tenant.email == "hr@bosssoft.example")
        let approved = try tenants.approve(creditCode: bosi.creditCode, park: "SW", reason: "符合定位", on: CalendarDate("2026-11-02"))
        #expect(approved.stage == .approved)
        #expect(approved.overrideReason == nil)
        #expect(approved.steps.map(\.to) == [.applied, .approved])
        #expect(approved.steps.last?.from == .applied)
        #expect(approved.steps.last?.on == CalendarDate("2026-11-02"))
        #expect(approved.steps.allSatisfyAndNonEmpty { $0.actor == "招商部 王经理" })
        #expect(approved.steps.last?.reason == "符合定位")
    }

    @Test func anIndustryOutsideThePositioningNeedsAnOverrideWhichIsKept() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = TenantService(session)
        try tenants.apply(tencent)   // internet: SW admits software and ai only
        let before = try db.connection.tableChecksums()
        let refused = #expect(throws: ParkError.self) { try tenants.approve(creditCode: tencent.creditCode, park: "SW") }
        #expect(refused?.kind == .invalidInput)
        #expect(refused?.message.contains("'internet'") == true)
        #expect(refused?.message.contains("software, ai") == true)
        #expect(refused?.message.contains("--override") == true)
        #expect(try db.connection.tableChecksums() == before)
        let approved = try tenants.approve(creditCode: tencent.creditCode, park: "SW", override: "数字乡村平台含大量软件研发")
        #expect(approved.stage == .approved)
        #expect(approved.overrideReason == "数字乡村平台含大量软件研发")
    }

    @Test func illegalTransitionsNameTheStageAndTheAllowedOnes() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = TenantService(session)
        try tenants.apply(bosi)
        try tenants.reject(creditCode: bosi.creditCode, park: "SW", reason: "资料不全")
        let before = try db.connection.tableChecksums()
        let again = #expect(throws: ParkError.self) { try tenants.approve(creditCode: bosi.creditCode, park: "SW") }
        #expect(again?.message.contains("is rejected") == true)
        let reject = #expect(throws: ParkError.self) { try tenants.reject(creditCode: bosi.creditCode, park: "SW", reason: "again") }
        #expect(reject?.message.contains("cannot become rejected") == true)
        #expect(try db.connection.tableChecksums() == before)

        // A rejected tenant may apply again; the new application is live.
        #expect(try tenants.apply(bosi).stage == .applied)
        let moveIn = #expect(throws: ParkError.self) {
            try tenants.advance(creditCode: bosi.creditCode, park: "SW", to: .movedIn)
        }
        // The message says what to do, as a command, not which stages exist.
        #expect(moveIn?.message == "the application is applied; it cannot become moved_in: approve it first "
                + "(parkctl tenant approve 91350100M000100Y43 --park SW), or reject it", "\(moveIn?.message ?? "")")
    }

    @Test func theDatabaseRefusesAnIllegalStageChangeToo() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        try TenantService(session).apply(bosi)
        let error = #expect(throws: PostgresError.self) { try db.connection.execute("UPDATE onboarding SET stage = 'moved_in'") }
        #expect(error?.constraint == "onboarding_transition_allowed")
    }

    @Test func moveInNeedsASignedLeaseAndACompleteChecklist() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = TenantService(session)
        var application = bosi
        application.on = CalendarDate("2025-12-01")
        try tenants.apply(application)
        try tenants.approve(creditCode: bosi.creditCode, park: "SW", on: CalendarDate("2025-12-02"))
        let refused83 = #expect(throws: ParkError.self) { try tenants.advance(creditCode: bosi.creditCode, park: "SW", to: .movedIn) }
        #expect(refused83?.kind == .invalidInput && refused83?.message.contains("the application is approved; it cannot become moved_in: sign a lease f") == true, "\(String(describing: refused83))")
        // A lease that starts next year: no moving in today, whatever the checklist says.
        let later = CalendarDate(year: 2099, month: 1, day: 1)!
        try LeaseService(session).sign(.init(tenantCreditCode: bosi.creditCode, units: [try UnitAddress(parsing: "SW/B1/0301")],
                                             start: later, end: later.adding(days: 364), rent: 35))
        let notYet = #expect(throws: ParkError.self) { try tenants.advance(creditCode: bosi.creditCode, park: "SW", to: .movedIn) }
        #expect(notYet?.message.contains("no lease of this tenant at SW is in force that day (its lease starts on 2099-01-01") == true,
                "\(notYet?.message ?? "")")
        // A lease in force since this year began.
        try LeaseService(session).sign(.init(tenantCreditCode: bosi.creditCode, units: [try UnitAddress(parsing: "SW/B1/0201")],
                                             start: CalendarDate(year: 2026, month: 1, day: 1)!, end: CalendarDate(year: 2028, month: 12, day: 31)!,
                                             rent: 35))
        #expect(try tenants.check(creditCode: bosi.creditCode, park: "SW", item: .businessLicense))
        #expect(try !tenants.check(creditCode: bosi.creditCode, park: "SW", item: .businessLicense))
        let incomplete = #expect(throws: ParkError.self) { try tenants.advance(creditCode: bosi.creditCode, park: "SW", to: .movedIn) }
        #expect(incomplete?.message.contains("deposit_paid") == true)
        #expect(incomplete?.message.contains("business_license") == false)
        for item in ChecklistItem.allCases { try tenants.check(creditCode: bosi.creditCode, park: "SW", item: item) }
        try tenants.advance(creditCode: bosi.creditCode, park: "SW", to: .movedIn)
        let shown = try tenants.onboarding(creditCode: bosi.creditCode, park: "SW")
        #expect(shown.stage == .movedIn)
        #expect(shown.checklistComplete)
    }

    @Test func applicationsAreCheckedBeforeAnythingIsWritten() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = TenantService(session)
        try tenants.apply(bosi)
        let before = try db.connection.tableChecksums()
        var twice = bosi
        twice.name = "博思软件"
        let duplicate = #expect(throws: ParkError.self) { try tenants.apply(twice) }
        #expect(duplicate?.kind == .conflict)
        #expect(duplicate?.message.contains("stage applied") == true)
        var otherName = bosi
        otherName.name = "别的公司"
        let stolen = #expect(throws: ParkError.self) { try tenants.apply(otherName) }
        #expect(stolen?.message.contains("belongs to 博思软件") == true)
        var badCode = tencent
        badCode.creditCode = "91440300708461136A"
        let code = #expect(throws: ParkError.self) { try tenants.apply(badCode) }
        #expect(code?.message.contains("18th would be 'T'") == true)
        var badPhone = tencent
        badPhone.phone = "call me"
        let refused128 = #expect(throws: ParkError.self) { try tenants.apply(badPhone) }
        #expect(refused128?.kind == .invalidInput && refused128?.message.contains("phone 'call me' is not valid: a phone number is 5-25 digits, spaces or") == true, "\(String(describing: refused128))")
        var unknownPark = tencent
        unknownPark.park = "ZZ"
        let park = #expect(throws: ParkError.self) { try tenants.apply(unknownPark) }
        #expect(park?.kind == .notFound)
        #expect(try db.connection.tableChecksums() == before)
    }

    @Test func listAndShow() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = TenantService(session)
        try tenants.apply(bosi)
        try tenants.apply(tencent)
        try tenants.approve(creditCode: bosi.creditCode, park: "SW")
        #expect(try tenants.list(park: "SW").count == 2)
        #expect(try tenants.list(stage: .approved).map(\.tenant.name) == ["博思软件"])
        let shown = try tenants.show(creditCode: bosi.creditCode)
        #expect(shown.tenant.name == "博思软件")
        #expect(shown.applications.count == 1)
        #expect(shown.applications[0].checklist.count == ChecklistItem.allCases.count)
        let refused149 = #expect(throws: ParkError.self) { try tenants.show(creditCode: "91110108551385082Q") }
        #expect(refused149?.kind == .notFound && refused149?.message.contains("tenant with credit code '91110108551385082Q' not found (find one with:") == true, "\(String(describing: refused149))")
    }
}
