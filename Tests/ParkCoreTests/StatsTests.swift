import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Enterprise statistics (企业统计), worked by hand: filings recorded and verified, the
/// report by park, industry and enterprise with comparable-basis growth, per m² and per
/// mu, and the tenants that did not file.
@Suite struct StatsTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func aPeriodIsWrittenAsTheFormsWriteIt() throws {
        #expect(try StatPeriod(parsing: "2026-Q3") == StatPeriod(kind: .quarter, start: Self.day("2026-07-01")))
        #expect(try StatPeriod(parsing: "2026年第三季度") == StatPeriod(kind: .quarter, start: Self.day("2026-07-01")))
        #expect(try StatPeriod(parsing: "2026q4").description == "2026-Q4")
        #expect(try StatPeriod(parsing: "2026年9月") == StatPeriod(kind: .month, start: Self.day("2026-09-01")))
        #expect(try StatPeriod(parsing: "2026-9").description == "2026-09")
        #expect(try StatPeriod(parsing: "2026年") == StatPeriod(kind: .year, start: Self.day("2026-01-01")))
        #expect(try StatPeriod(parsing: "2026-Q3").lastDay == Self.day("2026-09-30"))
        #expect(try StatPeriod(parsing: "2024-02").lastDay == Self.day("2024-02-29"))
        #expect(try StatPeriod(parsing: "2026-Q3").yearBefore.description == "2025-Q3")
        for bad in ["2026-Q5", "2026-13", "26-Q3", "Q3", "", "9999-Q4", "0001", "1899-12"] {
            let refused = #expect(throws: ParkError.self) { try StatPeriod(parsing: bad) }
            #expect(refused?.message.contains("is a quarter 2026-Q3, a month 2026-09 or a year 2026") == true, "\(bad)")
        }
    }

    /// Park MF (50 亩): 101 (600 m²) to 博思软件 since 2025, 201 (300 m²) to 腾讯 since 2026,
    /// 301 (100 m²) to 百度 since June 2025.
    static func park(_ session: ParkSession) throws {
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "MF", name: "红树林标准厂房", kind: .factory, industries: [])
        var land = PortfolioService.ParkChanges()
        land.landMu = 50
        _ = try portfolio.setPark("MF", land)
        try portfolio.addBuilding(BuildingAddress(park: "MF", building: "F1"), name: "1号厂房", floorsAbove: 3)
        for (floor, area) in [(1, 600), (2, 300), (3, 100)] {
            try portfolio.addUnit(UnitAddress(park: "MF", building: "F1", unit: "\(floor)01"), floor: floor, areaM2: Decimal(area),
                                  kind: .factory, listRent: 20)
        }
        let baidu = TenantService.Application(park: "MF", name: "北京百度网讯", creditCode: "91110108551385082Q",
                                              industry: "ai", contact: "王芳", phone: "010-59928888")
        for (application, unit, start) in [(bosi, "101", "2025-01-01"), (tencent, "201", "2026-01-01"), (baidu, "301", "2025-06-01")] {
            var application = application
            application.park = "MF"
            try TenantService(session).apply(application)
            try TenantService(session).approve(creditCode: application.creditCode, park: "MF")
            try LeaseService(session).sign(.init(tenantCreditCode: application.creditCode,
                                                 units: [UnitAddress(park: "MF", building: "F1", unit: unit)],
                                                 start: day(start), end: day("2027-12-31"), rent: 20))
        }
    }

    @Test func aQuarterIsAddedUpByParkIndustryAndEnterprise() throws {
        let (db, session) = try makeSession()
        try Self.park(session)
        let stats = StatService(session)
        let q3 = try StatPeriod(parsing: "2026-Q3"), lastQ3 = try StatPeriod(parsing: "2025-Q3")
        try stats.record(tenant: "博思软件", park: "MF", period: lastQ3, StatFigures(revenue: 1_000, taxPaid: 80, employees: 300))
        try stats.record(tenant: "博思软件", park: "MF", period: q3,
                         StatFigures(revenue: 1_200, industrialOutput: 2_000, taxPaid: 90, rdSpend: 150, employees: 320))
        try stats.record(tenant: tencent.creditCode, park: "MF", period: q3, StatFigures(revenue: 500, taxPaid: 30, employees: 50))
        // A second filing of the period changes the figures it gives; the others stay.
        let changed = try stats.record(tenant: tencent.creditCode, park: "MF", period: q3, StatFigures(taxPaid: money("30.5")))
        #expect(changed.figures == StatFigures(revenue: 500, taxPaid: money("30.5"), employees: 50))

        let report = StatsReport(session)
        let parks = try report.run(period: q3)
        // MF: 2 enterprises; revenue 1,200 + 500 = 1,700; tax 90 + 30.5 = 120.5; employees 370.
        // Revenue growth on a comparable basis: 博思软件 alone filed both years, (1,200 − 1,000) ÷
        // 1,000 = 0.2000 (all filers' 1,700 against 1,000 would say 0.70). Tax (90 − 80) ÷ 80 =
        // 0.1250. Output: no filing of 2025 gives it, so no growth.
        // Leased on 2026-09-30: 博思软件 600 m², 腾讯 300. Output per m² over those who filed
        // output (博思软件 alone): 2,000 万元 × 10,000 ÷ 600 = 33,333.33 元; tax per m² over both:
        // 120.5 × 10,000 ÷ 900 = 1,338.89 元; per mu 120.5 ÷ 50 = 2.4100 万元.
        #expect(parks.map(\.scope) == ["MF", "total"])
        let mf = try #require(parks.first)
        #expect(mf.enterprises == 2 && mf.revenue == 1_700 && mf.taxPaid == money("120.5") && mf.employees == 370 && mf.rdSpend == 150)
        #expect(mf.revenueGrowth == money("0.2") && mf.taxGrowth == money("0.125") && mf.outputGrowth == nil)
        #expect(mf.leasedM2 == 900 && mf.outputPerM2 == money("33333.33") && mf.taxPerM2 == money("1338.89"))
        #expect(mf.landMu == 50 && mf.taxPerMu == money("2.41"))
        #expect(parks[1].taxPaid == mf.taxPaid && parks[1].taxPerMu == money("2.41"))

        // By industry, the most tax first: software 90, internet 30.5.
        let industries = try report.run(period: q3, by: .industry)
        #expect(industries.map(\.scope) == ["software", "internet", "total"] && industries.map(\.taxPaid) == [90, money("30.5"), money("120.5")])
        // The top enterprise by tax: 博思软件, its own growth 0.2000.
        let top = try report.run(period: q3, by: .enterprise, top: 1)
        #expect(top.map(\.scope) == ["博思软件"] && top.first?.revenueGrowth == money("0.2") && top.first?.creditCode == bosi.creditCode)

        // 百度 held 301 through the quarter and filed nothing: to be chased, with its phone.
        let missing = try report.missing(period: q3)
        #expect(missing.map(\.tenant) == ["北京百度网讯"] && missing.first?.phone == "010-59928888" && missing.first?.units == ["F1/301"])
        // An empty scope is an empty report.
        #expect(try report.run(period: try StatPeriod(parsing: "2020-Q1")).map(\.enterprises) == [0])
        // A figure nobody filed is no figure, not 0: 腾讯 filed no R&D, by enterprise.
        #expect(try report.run(period: q3, by: .enterprise).last?.rdSpend == nil)
        #expect(try report.missing(period: try StatPeriod(parsing: "2020-Q1")).isEmpty)
        _ = db
    }

    /// A filing is verified by an admin only; a figure changed afterwards is self-reported
    /// again; a tenant of another park files nothing here; nothing is written on a refusal.
    @Test func aFilingIsVerifiedByAnAdminAndChangesUndoIt() throws {
        let (db, session) = try makeSession()
        try Self.park(session)
        let conn = db.connection
        let leasing = "clerk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(leasing), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        let clerkConnection = try Connection(try ConnectionString.replacing(["user": leasing], in: db.conninfo))
        defer { clerkConnection.close() }
        let clerk = StatService(ParkSession(connection: clerkConnection, actor: leasing))
        let q3 = try StatPeriod(parsing: "2026-Q3")
        // The enterprise service clerk records; verifying is an admin's.
        try clerk.record(tenant: "博思软件", park: "MF", period: q3, StatFigures(revenue: 1_200, taxPaid: 90))
        let before = try conn.tableChecksums()
        let notAdmin = #expect(throws: ParkError.self) { try clerk.verify(tenant: "博思软件", park: "MF", period: q3) }
        #expect(notAdmin?.kind == .forbidden, "\(String(describing: notAdmin))")
        let refused120 = #expect(throws: PostgresError.self) {
            try clerkConnection.execute("UPDATE enterprise_stat SET source = 'verified', verified_by = 'mf_admin', verified_at = now()")
        }
        #expect(refused120?.sqlState == SQLState("42501"), "\(String(describing: refused120))")
        #expect(try conn.tableChecksums() == before)
        let verified = try StatService(session).verify(tenant: "博思软件", park: "MF", period: q3)
        #expect(verified.source == .verified && verified.verifiedBy != nil)
        // The tax changed after verification: self-reported again.
        let changed = try clerk.record(tenant: "博思软件", park: "MF", period: q3, StatFigures(taxPaid: 95))
        #expect(changed.source == .selfReported && changed.verifiedBy == nil && changed.figures.taxPaid == 95)
        // Refusals name the rule, nothing written.
        let after = try conn.tableChecksums()
        let empty = #expect(throws: ParkError.self) { try clerk.record(tenant: "博思软件", park: "MF", period: q3, StatFigures()) }
        #expect(empty?.message.contains("at least one figure") == true)
        let negative = #expect(throws: ParkError.self) {
            try clerk.record(tenant: "博思软件", park: "MF", period: q3, StatFigures(revenue: -1))
        }
        #expect(negative?.message.contains("revenue must be 0 or more") == true)
        let refused137 = #expect(throws: ParkError.self) { try clerk.record(tenant: "无名公司", park: "MF", period: q3, StatFigures(revenue: 1)) }
        #expect(refused137?.kind == .notFound && refused137?.message.contains("tenant named '无名公司' not found (find one with: parkctl tenant list --na") == true, "\(String(describing: refused137))")
        let refused138 = #expect(throws: PostgresError.self) {
            try conn.execute("""
                INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue)
                SELECT park_id, tenant_id, 'quarter', '2026-08-01', 1 FROM enterprise_stat
                """)
        }
        #expect(refused138?.sqlState == SQLState("23514") && refused138?.constraint == "enterprise_stat_period_aligned", "\(String(describing: refused138))")
        let refused144 = #expect(throws: PostgresError.self) { try conn.execute("UPDATE enterprise_stat SET revenue = 'NaN'") }
        #expect(refused144?.sqlState == SQLState("23514") && refused144?.constraint == "enterprise_stat_figures_not_nan", "\(String(describing: refused144))")
        // Nor an endless day (infinity's month is NULL, and a NULL check passes), nor a period to come.
        for start in ["infinity", "-infinity", "2099-01-01"] {
            #expect(throws: PostgresError.self, "\(start)") {
                try conn.execute("""
                    INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue)
                    SELECT park_id, tenant_id, 'quarter', \(start)::date, 1 FROM enterprise_stat
                    """)
            }
        }
        #expect(try conn.tableChecksums() == after)
    }

    /// Qualifications: named kinds by their Chinese name, a park's own kind, certificates
    /// lapsing within 90 days (relative to the park's today), no duplicate, an early renewal.
    @Test func qualificationsLapseAndRenew() throws {
        let (db, session) = try makeSession()
        try Self.park(session)
        let today: CalendarDate = try db.connection.query("SELECT park_today(id) FROM park WHERE code = 'MF'").rows[0].decode(0)
        let qualifications = QualificationService(session)
        let highTech = try qualifications.add(tenant: "博思软件", park: "MF", kind: "高新技术企业", certificate: "GR202343001234",
                                              from: today.adding(days: -1_000), to: today.adding(days: 30))
        #expect(highTech.kind == "high_tech" && highTech.daysLeft == 30)
        try qualifications.add(tenant: tencent.creditCode, park: "MF", kind: "专精特新", from: today.adding(days: -10), to: today.adding(days: 200))
        try qualifications.add(tenant: "北京百度网讯", park: "MF", kind: "省级工程技术研究中心", from: today.adding(days: -5))
        // Lapsing within 90 days: 博思软件's certificate, 30 days left; within 365 also 腾讯's (200).
        #expect(try qualifications.expiring(within: 90).map(\.tenant) == ["博思软件"])
        #expect(try qualifications.expiring(within: 365).map(\.daysLeft) == [30, 200])
        // The same qualification twice, or a certificate number another company holds, is
        // refused, nothing written; a renewal may start before the old certificate lapses.
        let before = try db.connection.tableChecksums()
        let twice = #expect(throws: ParkError.self) {
            try qualifications.add(tenant: "博思软件", park: "MF", kind: "high_tech", from: today.adding(days: -1_000), to: today.adding(days: 30))
        }
        #expect(twice?.message.contains("is recorded already") == true, "\(String(describing: twice))")
        let borrowed = #expect(throws: ParkError.self) {
            try qualifications.add(tenant: tencent.creditCode, park: "MF", kind: "高新技术企业", certificate: "GR202343001234", from: today)
        }
        #expect(borrowed?.message.contains("a certificate of this number and kind is recorded already") == true, "\(String(describing: borrowed))")
        let backwards = #expect(throws: ParkError.self) {
            try qualifications.add(tenant: "博思软件", park: "MF", kind: "瞪羚企业", from: today, to: today.adding(days: -1))
        }
        #expect(backwards?.message.contains("is before from") == true)
        #expect(try db.connection.tableChecksums() == before)
        try qualifications.add(tenant: "博思软件", park: "MF", kind: "high_tech", certificate: "GR202643009876",
                               from: today.adding(days: -5), to: today.adding(days: 1_090))
        #expect(try qualifications.list(tenant: "博思软件").map(\.certificate) == ["GR202343001234", "GR202643009876"])
        // Renewed, the old certificate is no longer one to chase.
        #expect(try qualifications.expiring(within: 365).map(\.tenant) == [tencent.name])
        // The other names of the named kinds; no endless days.
        #expect(try qualifications.add(tenant: "北京百度网讯", park: "MF", kind: "规模以上企业", from: today).kind == "above_scale")
        let refused195 = #expect(throws: PostgresError.self) {
            try db.connection.execute("""
                INSERT INTO qualification (park_id, tenant_id, kind, valid) SELECT park_id, tenant_id, 'gazelle', '[2026-01-01,infinity)' FROM qualification LIMIT 1
                """)
        }
        #expect(refused195?.sqlState == SQLState("23514") && refused195?.constraint == "qualification_valid_bounded", "\(String(describing: refused195))")
        // One entered by mistake is removed.
        try qualifications.add(tenant: "北京百度网讯", park: "MF", kind: "瞪羚企业", from: today)
        try qualifications.remove(tenant: "北京百度网讯", park: "MF", kind: "gazelle", from: today)
        let refused203 = #expect(throws: ParkError.self) { try qualifications.remove(tenant: "北京百度网讯", park: "MF", kind: "gazelle", from: today) }
        #expect(refused203?.kind == .notFound && refused203?.message.contains("北京百度网讯 has no gazelle qualification valid from") == true, "\(String(describing: refused203))")
        // Held today: one of each kind in MF.
        let counts = try qualifications.counts(park: "MF")
        #expect(Set(counts.map { "\($0.kind)=\($0.tenants)" }) == ["high_tech=1", "specialized_sme=1", "省级工程技术研究中心=1", "above_scale=1"])
    }
}
