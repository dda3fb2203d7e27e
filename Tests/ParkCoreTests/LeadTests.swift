import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// The investment pipeline (招商): a lead from the first call to an application, the
/// shared pool (公海池) with days relative to the test's own today, ownership rules for a
/// leasing clerk, the stages one way, and the funnel worked by hand.
@Suite struct LeadTests {
    @Test func aLeadFromTheFirstCallToAnApplication() throws {
        let (db, session) = try makeSession()
        try StatsTests.park(session)   // park MF, its three units leased
        let conn = db.connection
        let today: CalendarDate = try conn.query("SELECT park_today(id) FROM park WHERE code = 'MF'").rows[0].decode(0)
        let clerkLogin = "clerk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(clerkLogin), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        let rivalLogin = "rival_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(rivalLogin), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        let clerkConnection = try Connection(try ConnectionString.replacing(["user": clerkLogin], in: db.conninfo))
        let rivalConnection = try Connection(try ConnectionString.replacing(["user": rivalLogin], in: db.conninfo))
        defer { clerkConnection.close(); rivalConnection.close() }
        let mine = LeadService(session), clerk = LeadService(ParkSession(connection: clerkConnection, actor: clerkLogin))
        let rival = LeadService(ParkSession(connection: rivalConnection, actor: rivalLogin))

        let zhigu = try mine.add(.init(park: "MF", company: "长沙智谷科技", industry: "人工智能", source: .event, wantedAreaM2: 800,
                                       wantedKind: .factory, contact: "周明", phone: "0731-8888001"))
        #expect(zhigu.owner == "tester" && !zhigu.inPool && zhigu.stage == .new && zhigu.industry == "ai" && zhigu.number.hasPrefix("LD-"))
        let pooled = try mine.add(.init(park: "MF", company: "株洲动力电池", industry: "新能源", source: .online, contact: "李强",
                                        phone: "0731-8888002", take: false))
        #expect(pooled.inPool && pooled.owner == nil)
        // The clerk claims the pooled lead, but not one that is owned and followed up.
        #expect(try clerk.claim(pooled.number).owner == clerkLogin)
        let owned = #expect(throws: ParkError.self) { try clerk.claim(zhigu.number) }
        #expect(owned?.message.contains("is tester's, last followed up on \(today): it returns to the pool after 30 days") == true,
                "\(String(describing: owned))")
        // Untouched for 40 days (more than the park's 30): back in the pool for anyone.
        try conn.transaction { conn in
            try conn.simpleQuery("SET LOCAL session_replication_role = replica")
            try conn.execute("UPDATE lead SET created_on = \(today.adding(days: -40)), owned_since = \(today.adding(days: -40)) WHERE number = \(zhigu.number)")
        }
        #expect(try mine.list(park: "MF", inPool: true).map(\.number) == [zhigu.number])
        #expect(try clerk.claim(zhigu.number).owner == clerkLogin)
        // A clerk takes no lead away from another, nor gives one away: an admin assigns. Nor
        // does a rival clerk move, close or follow up the clerk's lead, rewrite or delete its
        // follow-ups, forge the funnel's log, or pick a lead's number.
        let before = try conn.tableChecksums()
        let given = #expect(throws: ParkError.self) { try clerk.assign(zhigu.number, to: rivalLogin) }
        #expect(given?.kind == .forbidden, "\(String(describing: given))")
        for attack in [{ _ = try rival.lose(zhigu.number, reason: "不要了") }, { _ = try rival.advance(zhigu.number, to: .negotiating) },
                       { _ = try rival.followUp(zhigu.number, way: .call, note: "抢单") }, { _ = try rival.claim(zhigu.number) }] {
            let refused = #expect(throws: ParkError.self) { try attack() }
            #expect(refused?.kind == .forbidden || refused?.kind == .conflict, "\(String(describing: refused))")
        }
        #expect(try conn.tableChecksums() == before)
        try clerk.followUp(zhigu.number, way: .call, note: "约参观")
        let checked = try conn.tableChecksums()
        for sql in ["UPDATE lead_follow_up SET happened_on = '1900-01-01'", "DELETE FROM lead_follow_up",
                    "INSERT INTO lead_stage (park_id, lead_id, stage, entered_on) SELECT park_id, id, 'won', '1900-01-01' FROM lead",
                    "UPDATE lead SET company = '改名公司'"] {
            let denied = #expect(throws: PostgresError.self, "\(sql)") { try rivalConnection.execute(PostgresQuery(unsafeSQL: sql, binds: [])) }
            #expect(denied?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: denied))")
        }
        #expect(try conn.tableChecksums() == checked)
        let squatted = try rival.add(.init(park: "MF", company: "号段公司", industry: "ai", source: .online, contact: "某", phone: "0731-8888003"))
        #expect(squatted.number.hasPrefix("LD-"))
        let refused67 = #expect(throws: PostgresError.self) {
            try rivalConnection.execute("UPDATE lead SET number = 'LD-2026-999999' WHERE company = '号段公司'")
        }
        #expect(refused67?.sqlState == SQLState("23514") && refused67?.constraint == "lead_kept", "\(String(describing: refused67))")

        // The stages go one way (one may be skipped); the follow-up's next step comes due.
        #expect(try clerk.advance(zhigu.number, to: .visited).stage == .visited)
        let back = #expect(throws: ParkError.self) { try clerk.advance(zhigu.number, to: .contacted) }
        #expect(back?.message.contains("is visited: it does not go back to contacted") == true, "\(String(describing: back))")
        try clerk.followUp(zhigu.number, way: .visit, note: "参观园区,意向 800㎡ 厂房", nextStepOn: today)
        #expect(try FollowUpsDue(session).run(park: "MF").map(\.reference) == [zhigu.number])
        let future = #expect(throws: ParkError.self) {
            try clerk.followUp(zhigu.number, on: today.adding(days: 1), way: .call, note: "明天再打")
        }
        #expect(future?.message.contains("a follow-up is of today or before") == true)

        // Won: the company applies to the park, and the lead keeps the tenant it became.
        let won = try clerk.win(zhigu.number, creditCode: "92430400MA4L00000U")
        #expect(won.stage == .won && won.tenantCreditCode == "92430400MA4L00000U")
        #expect(try TenantService(session).onboarding(creditCode: "92430400MA4L00000U", park: "MF").stage == .applied)
        let refused86 = #expect(throws: ParkError.self) { try clerk.lose(zhigu.number, reason: "改主意") }
        #expect(refused86?.kind == .invalidInput && refused86?.message.contains("lead LD-2026-000001 is won: it stays as it was (add a new lead if the") == true, "\(String(describing: refused86))")
        // Another lead cannot win the same company, nor a lead win someone else's company.
        let other = try clerk.add(.init(park: "MF", company: "某贸易公司", industry: "ai", source: .referral, contact: "某", phone: "0731-8888004"))
        let borrowed = #expect(throws: ParkError.self) { try clerk.win(other.number, creditCode: bosi.creditCode) }
        #expect(borrowed?.message.contains("is 博思软件's, not 某贸易公司's") == true, "\(String(describing: borrowed))")
        try clerk.lose(other.number, reason: "无场地需求")
        try clerk.lose(pooled.number, reason: "选择了长沙经开区")
        let refused93 = #expect(throws: ParkError.self) { try clerk.lose(pooled.number, reason: "") }
        #expect(refused93?.kind == .invalidInput && refused93?.message.contains("reason must not be empty") == true, "\(String(describing: refused93))")
        // A lead closed by mistake is reopened by an admin only.
        let refused95 = #expect(throws: PostgresError.self) { try clerkConnection.execute("UPDATE lead SET stage = 'contacted' WHERE company = '某贸易公司'") }
        #expect(refused95?.sqlState == SQLState("23514") && refused95?.constraint == "lead_stage_flow", "\(String(describing: refused95))")
        try conn.execute("UPDATE lead SET stage = 'contacted' WHERE company = '某贸易公司'")
        #expect(try conn.query("SELECT lost_reason FROM lead WHERE company = '某贸易公司'").rows[0].decode(0, as: String?.self) == nil)
        try conn.execute("UPDATE lead SET stage = 'lost', lost_reason = '无场地需求' WHERE company = '某贸易公司'")

        // The funnel of the last 60 days: four leads (智谷, 株洲, the rival's 号段公司, the
        // clerk's 某贸易公司). All four were new; 智谷 skipped contacted and negotiating on its
        // way to won, so it counts for every stage up to won (1 of 4 = 0.25); 某贸易公司 was
        // contacted (reopened by the admin) and lost; 株洲 lost: 2 lost of 4. By source: event
        // 1 won of 1; online 0 of 2; referral 0 of 1. By owner: the clerk 1 won of 3; the
        // rival 0 of 1. Nothing negotiating now; no unit vacant.
        let rows = try PipelineReport(session).run(park: "MF", from: today.adding(days: -60), to: today)
        let lines = rows.map { "\($0.dimension) \($0.key) \($0.leads) \($0.won) \($0.rate.map { "\($0)" } ?? "-") \($0.areaM2)" }
        #expect(lines == ["stage new 4 1 1 800", "stage contacted 2 1 0.5 800", "stage visited 1 1 0.25 800", "stage negotiating 1 1 0.25 800",
                          "stage won 1 1 0.25 800", "stage lost 2 0 0.5 0",
                          "source online 2 0 0 0", "source event 1 1 1 800", "source referral 1 0 0 0",
                          "owner \(clerkLogin) 3 1 0.3333 800", "owner \(rivalLogin) 1 0 0 0",
                          "area negotiating 0 0 - 0", "area vacant 0 0 - 0"], "\(lines)")

        // A leasing member of another park sees none of MF's leads, in the pool or not, and
        // claims none of them; what the clerk did is in the audit trail, under the clerk.
        try PortfolioService(session).addPark(code: "SW", name: "软件园", kind: .software, industries: [])
        let outsiderLogin = "outsider_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(outsiderLogin), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        let outsiderConnection = try Connection(try ConnectionString.replacing(["user": outsiderLogin], in: db.conninfo))
        defer { outsiderConnection.close() }
        let outsider = LeadService(ParkSession(connection: outsiderConnection, actor: outsiderLogin))
        let pool = try mine.add(.init(park: "MF", company: "公海公司", industry: "ai", source: .online, contact: "某", phone: "0731-8888005", take: false))
        #expect(try mine.list(inPool: true).map(\.number) == [pool.number])
        #expect(try outsider.list().isEmpty && outsider.list(inPool: true).isEmpty)
        #expect(try FollowUpsDue(ParkSession(connection: outsiderConnection, actor: outsiderLogin)).run().isEmpty)
        let claimed = #expect(throws: ParkError.self) { try outsider.claim(pool.number) }
        #expect(claimed?.kind == .notFound, "\(String(describing: claimed))")
        let audit = try AuditService(session).entries(entity: "lead", park: "MF")
        #expect(audit.contains { $0.actor == clerkLogin && $0.label == zhigu.number && $0.action == "update" }, "\(audit)")
        #expect(try AuditService(session).entries(entity: "lead_follow_up", park: "MF").contains { $0.actor == clerkLogin })
    }

    /// Days in stage, worked by hand with the stage log dated back from the test's today:
    /// lead A new on D−30, contacted D−20, negotiating since D−5 (it skipped visited);
    /// lead B new on D−12, lost on D−3; lead C new on D−10, contacted D−8, lost D−6,
    /// reopened by an admin to contacted on D−4 and there since.
    @Test func daysInStageFromTheStageLog() throws {
        let (db, session) = try makeSession()
        try StatsTests.park(session)
        let conn = db.connection
        let today: CalendarDate = try conn.query("SELECT park_today(id) FROM park WHERE code = 'MF'").rows[0].decode(0)
        let leads = LeadService(session)
        let a = try leads.add(.init(park: "MF", company: "甲公司", industry: "ai", source: .event, contact: "甲", phone: "0731-8888011"))
        try leads.advance(a.number, to: .contacted)
        try leads.advance(a.number, to: .negotiating)
        let b = try leads.add(.init(park: "MF", company: "乙公司", industry: "ai", source: .online, contact: "乙", phone: "0731-8888012"))
        try leads.lose(b.number, reason: "预算不足")
        let c = try leads.add(.init(park: "MF", company: "丙公司", industry: "ai", source: .online, contact: "丙", phone: "0731-8888013"))
        try leads.advance(c.number, to: .contacted)
        try leads.lose(c.number, reason: "暂缓")
        try conn.execute("UPDATE lead SET stage = 'contacted' WHERE number = \(c.number)")   // the admin reopens it
        try conn.transaction { conn in
            try conn.simpleQuery("SET LOCAL session_replication_role = replica")
            // The log's entries of each lead in the order they were made, dated back.
            for (lead, days) in [(a, [-30, -20, -5]), (b, [-12, -3]), (c, [-10, -8, -6, -4])] {
                for (k, day) in days.enumerated() {
                    try conn.execute("""
                        UPDATE lead_stage SET entered_on = \(today.adding(days: day))
                        WHERE id = (SELECT id FROM lead_stage WHERE lead_id = (SELECT id FROM lead WHERE number = \(lead.number))
                                    ORDER BY id OFFSET \(k) LIMIT 1)
                        """)
                }
            }
        }
        // new: A (−20) − (−30) = 10, B (−3) − (−12) = 9, C (−8) − (−10) = 2: (10 + 9 + 2) ÷ 3 = 7.0.
        // contacted: A (−5) − (−20) = 15; C twice, (−6) − (−8) = 2 and 0 − (−4) = 4, 6 in all:
        // (15 + 6) ÷ 2 = 10.5. visited: skipped by A, so none. negotiating: A still, 0 − (−5) = 5.
        // The funnel: new 3; contacted A and C; visited and negotiating A; lost B (C is open again).
        let rows = try PipelineReport(session).run(park: "MF", from: today.adding(days: -60), to: today).filter { $0.dimension == "stage" }
        #expect(rows.map { "\($0.key) \($0.leads) \($0.daysInStage.map { "\($0)" } ?? "-")" }
                == ["new 3 7", "contacted 2 10.5", "visited 1 -", "negotiating 1 5", "lost 1 -"], "\(rows)")
    }
}
