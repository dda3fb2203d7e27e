import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Serving the settled enterprises (持续跟踪服务): account managers given by an admin,
/// visits recorded as a lead's follow-ups are, who nobody visited in a quarter, and the
/// next steps due of leads and tenants in one list; a clerk of another park sees and
/// writes none of it.
@Suite struct EnterpriseCareTests {
    @Test func whoNobodyVisitedThisQuarter() throws {
        let (db, session) = try makeSession()
        try StatsTests.park(session)   // park MF: 博思软件 on 101, 腾讯 on 201, 百度 on 301, to 2027-12-31
        try PortfolioService(session).addPark(code: "SW", name: "软件园", kind: .software, industries: [])
        let conn = db.connection
        let today: CalendarDate = try conn.query("SELECT park_today(id) FROM park WHERE code = 'MF'").rows[0].decode(0)
        let clerkLogin = "clerk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let outsiderLogin = "outsider_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(clerkLogin), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        try conn.execute("SELECT parkctl_staff_add(\(outsiderLogin), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        let clerkConnection = try Connection(try ConnectionString.replacing(["user": clerkLogin], in: db.conninfo))
        let outsiderConnection = try Connection(try ConnectionString.replacing(["user": outsiderLogin], in: db.conninfo))
        defer { clerkConnection.close(); outsiderConnection.close() }
        let admin = EnterpriseCare(session), clerk = EnterpriseCare(ParkSession(connection: clerkConnection, actor: clerkLogin))
        let outsider = EnterpriseCare(ParkSession(connection: outsiderConnection, actor: outsiderLogin))

        // An admin gives 博思软件 and 腾讯 to the clerk; a leasing member of another park is
        // nobody's manager here, and a clerk gives no tenant a manager.
        #expect(try admin.assign("博思软件", park: "MF", to: clerkLogin) == ("博思软件", clerkLogin))
        try admin.assign(tencent.creditCode, park: "MF", to: clerkLogin)
        let before = try conn.tableChecksums()
        let stranger = #expect(throws: ParkError.self) { try admin.assign("北京百度网讯", park: "MF", to: outsiderLogin) }
        #expect(stranger?.message.contains("no leasing member or admin of park MF is called '\(outsiderLogin)'") == true,
                "\(String(describing: stranger))")
        let selfAppointed = #expect(throws: ParkError.self) { try clerk.assign("北京百度网讯", park: "MF", to: clerkLogin) }
        #expect(selfAppointed?.kind == .forbidden, "\(String(describing: selfAppointed))")
        #expect(try conn.tableChecksums() == before)

        // The visits of the past quarters, recorded by the admin (a clerk records a visit
        // within 31 days of it): 博思软件 visited in August, 腾讯 only called in September (a
        // call is no visit), 百度 met in June (the quarter before).
        let late = #expect(throws: ParkError.self) {
            try clerk.followUp("博思软件", park: "MF", on: today.adding(days: -32), way: .visit, note: "补录上季度走访")
        }
        #expect(late?.kind == .forbidden && late?.message.contains("is recorded within 31 days of it") == true, "\(String(describing: late))")
        try clerk.followUp("博思软件", park: "MF", on: today.adding(days: -31), way: .call, note: "电话:确认扩租时间")
        try admin.followUp("博思软件", park: "MF", on: day("2026-08-10"), way: .visit, note: "走访:扩租 200㎡ 意向")
        try admin.followUp(tencent.creditCode, on: day("2026-09-01"), way: .call, note: "电话回访")
        try admin.followUp("北京百度网讯", on: day("2026-06-20"), way: .meeting, note: "座谈:人才公寓需求")
        let future = #expect(throws: ParkError.self) {
            try clerk.followUp("博思软件", on: today.adding(days: 1), way: .visit, note: "明天去")
        }
        #expect(future?.message.contains("a follow-up is of today or before") == true, "\(String(describing: future))")

        // 2026-Q3 (July to September): 博思软件 visited once, last on 08-10, today − 08-10 days
        // ago; 腾讯 and 百度 not visited in the quarter (百度 last on 06-20). Ordered by manager
        // (the clerk's first, the unmanaged last), then the longest unvisited first.
        let q3 = try StatPeriod(parsing: "2026-Q3")
        let rows = try admin.visits(period: q3, park: "MF")
        let lines = rows.map { "\($0.tenant) \($0.manager ?? "-") \($0.visits) \($0.lastVisit.map { "\($0)" } ?? "-") \($0.daysSince.map { "\($0)" } ?? "-")" }
        #expect(lines == ["腾讯数字乡村总部 \(clerkLogin) 0 - -", "博思软件 \(clerkLogin) 1 2026-08-10 \(day("2026-08-10").days(until: today))",
                          "北京百度网讯 - 0 2026-06-20 \(day("2026-06-20").days(until: today))"], "\(lines)")
        #expect(try admin.visits(period: q3, notVisited: true).map(\.tenant) == ["腾讯数字乡村总部", "北京百度网讯"])
        #expect(try admin.visits(period: q3, manager: clerkLogin, notVisited: true).map(\.tenant) == ["腾讯数字乡村总部"])
        #expect(rows.first?.units == ["F1/201"] && rows.first?.phone == tencent.phone)
        // Coverage of 2026-Q3: the clerk 1 of 2 (0.5), 百度 unserved 0 of 1, in all 1 of 3 = 0.3333.
        #expect(try admin.coverage(period: q3, by: .manager).map { "\($0.key ?? "-") \($0.isTotal) \($0.enterprises) \($0.visited) \($0.rate)" }
                == ["\(clerkLogin) false 2 1 0.5", "- false 1 0 0", "- true 3 1 0.3333"])
        #expect(try admin.coverage(period: q3, by: .park).map { "\($0.key ?? "-") \($0.enterprises) \($0.visited)" } == ["MF 3 1", "- 3 1"])
        // A clerk filters by a manager too (by login or the name people know them by); two
        // staff going by one name are refused, not one of them picked.
        #expect(try clerk.visits(period: q3, manager: clerkLogin).map(\.tenant) == ["腾讯数字乡村总部", "博思软件"])
        try StaffService(session).setDisplayName(clerkLogin, "张伟")
        #expect(try clerk.visits(period: q3, manager: "张伟").count == 2)
        try StaffService(session).setDisplayName(outsiderLogin, "张伟")
        let twoNamed = #expect(throws: ParkError.self) { try admin.visits(period: q3, manager: "张伟") }
        #expect(twoNamed?.message.contains("several staff go by the name 张伟") == true, "\(String(describing: twoNamed))")
        #expect(try clerk.visits(period: q3, manager: "张伟").count == 2)   // the clerk knows one 张伟, at MF
        #expect(try admin.coverage(period: StatPeriod(parsing: "2020"), by: .park).isEmpty)
        // A manager's name nobody answers to is refused, not an empty list.
        let typo = #expect(throws: ParkError.self) { try admin.visits(period: q3, manager: "clerk_typo") }
        #expect(typo?.message.contains("nobody called 'clerk_typo'") == true, "\(String(describing: typo))")
        // A visit is not before the tenant came to the park: 博思软件's first lease began 2025-01-01.
        let early = #expect(throws: ParkError.self) { try admin.followUp("博思软件", on: day("2024-12-31"), way: .visit, note: "补录") }
        #expect(early?.message.contains("came to the park on 2025-01-01") == true, "\(String(describing: early))")
        // 2026-Q2: 腾讯 and 百度 were in place; 百度 was met then, 博思软件 nobody.
        #expect(try admin.visits(period: StatPeriod(parsing: "2026-Q2"), notVisited: true).map(\.tenant) == ["腾讯数字乡村总部", "博思软件"])
        // Nobody is in place in a year before the leases.
        #expect(try admin.visits(period: StatPeriod(parsing: "2020")).isEmpty)

        // A clerk of another park sees none of it, and writes no follow-up there.
        #expect(try outsider.visits(period: q3).isEmpty)
        let unseen = #expect(throws: ParkError.self) { try outsider.followUp("博思软件", park: "MF", way: .visit, note: "路过") }
        #expect(unseen?.kind == .notFound, "\(String(describing: unseen))")
        let checked = try conn.tableChecksums()
        let (parkID, tenantID): (Int, Int) = try conn.query("""
            SELECT park_id, tenant_id FROM onboarding WHERE tenant_id = (SELECT id FROM tenant WHERE credit_code = \(bosi.creditCode))
            """).rows.first.map { (try $0.decode("park_id"), try $0.decode("tenant_id")) }!
        // Its trigger finds no tenant of that park for this login (row security hides it);
        // account managers are an admin's to give.
        let forged = #expect(throws: PostgresError.self) {
            try outsiderConnection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO lead_follow_up (park_id, tenant_id, happened_on, way, note) VALUES (\(parkID), \(tenantID), current_date, 'visit', '伪造')
                """, binds: []))
        }
        #expect(forged?.sqlState == .checkViolation && forged?.constraint == "lead_follow_up_of_tenant", "\(String(describing: forged))")
        let appointed = #expect(throws: PostgresError.self) {
            try outsiderConnection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO account_manager (park_id, tenant_id, manager, since) VALUES (\(parkID), \(tenantID), current_user, current_date)
                """, binds: []))
        }
        #expect(appointed?.sqlState == .insufficientPrivilege, "\(String(describing: appointed))")
        // Nor does the clerk rewrite a visit, or name a tenant the park does not have.
        for sql in ["UPDATE lead_follow_up SET happened_on = '2026-09-30'", "DELETE FROM lead_follow_up",
                    "UPDATE account_manager SET manager = current_user"] {
            let denied = #expect(throws: PostgresError.self, "\(sql)") { try clerkConnection.execute(PostgresQuery(unsafeSQL: sql, binds: [])) }
            #expect(denied?.sqlState == .insufficientPrivilege, "\(sql): \(String(describing: denied))")
        }
        #expect(try conn.tableChecksums() == checked)

        // The next steps due: the tenant's and a lead's in one list, soonest first.
        try clerk.followUp("博思软件", way: .call, note: "约下周签扩租补充协议", nextStepOn: today)
        let lead = try LeadService(session).add(.init(park: "MF", company: "长沙智谷科技", industry: "ai", source: .event,
                                                      contact: "周明", phone: "0731-8888001"))
        try LeadService(session).followUp(lead.number, way: .call, note: "约参观", nextStepOn: today)
        let due = try FollowUpsDue(session).run(park: "MF")
        #expect(due.map { "\($0.reference) \($0.owner ?? "-") \($0.note)" }
                == ["\(bosi.creditCode) \(clerkLogin) 约下周签扩租补充协议", "\(lead.number) tester 约参观"], "\(due)")
        #expect(due.first?.tenantStage == .leaseSigned && due.last?.leadStage == .new)
        #expect(try FollowUpsDue(session).run(park: "MF", by: today.adding(days: -1)).isEmpty)
        #expect(try FollowUpsDue(session).run(owner: clerkLogin).map(\.reference) == [bosi.creditCode])
        #expect(try FollowUpsDue(session).run(owner: "tester").map(\.reference) == [lead.number])
        let nobody = #expect(throws: ParkError.self) { try FollowUpsDue(session).run(owner: "nobody_here") }
        #expect(nobody?.kind == .notFound, "\(String(describing: nobody))")
        let neverThere = #expect(throws: ParkError.self) { try admin.followUps("博思软件", park: "SW") }
        #expect(neverThere?.message.contains("is no tenant of park SW") == true, "\(String(describing: neverThere))")
        #expect(try FollowUpsDue(ParkSession(connection: outsiderConnection, actor: outsiderLogin)).run().isEmpty)

        // The tenant's record: newest first, with its manager; taken away by the admin.
        #expect(try admin.followUps("博思软件").map { "\($0.followUp.happenedOn) \($0.followUp.way.rawValue) \($0.manager ?? "-")" }
                == ["\(today) call \(clerkLogin)", "\(today.adding(days: -31)) call \(clerkLogin)", "2026-08-10 visit \(clerkLogin)"])
        try admin.assign("博思软件", park: "MF", to: nil)
        #expect(try admin.followUps("博思软件").first?.manager == nil)

        // An admin of another park learns nothing of who works at MF.
        let otherAdmin = "sw_admin_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(otherAdmin), 'admin', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        let otherConnection = try Connection(try ConnectionString.replacing(["user": otherAdmin], in: db.conninfo))
        defer { otherConnection.close() }
        let probe: SQL = "SELECT staff_serves_park(\(clerkLogin), \(parkID))"
        #expect(try conn.query(probe.query).rows[0].decode(0, as: Bool.self))
        #expect(try !otherConnection.query(probe.query).rows[0].decode(0, as: Bool.self))

        // A clerk who leaves serves nobody: 腾讯 is unserved after the revoke.
        let (_, released) = try StaffService(session).revoke(clerkLogin)
        #expect(released == ["腾讯数字乡村总部 (MF)"])
        #expect(try conn.query("SELECT count(*) FROM account_manager WHERE manager = \(clerkLogin)").rows[0].decode(0, as: Int.self) == 0)
        // Revoked by SQL, not through parkctl, a manager is released all the same.
        let second = "second_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(second), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'MF')], NULL)")
        try admin.assign("北京百度网讯", park: "MF", to: second)
        try conn.execute("SELECT parkctl_staff_revoke(\(second))")
        #expect(try conn.query("SELECT count(*) FROM account_manager WHERE manager = \(second)").rows[0].decode(0, as: Int.self) == 0)
        #expect(try admin.visits(period: q3).first { $0.tenant == "腾讯数字乡村总部" }?.manager == nil)
    }
}
