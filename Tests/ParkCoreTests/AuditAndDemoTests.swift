import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(10))) struct AuditAndDemoTests {
    @Test func everyChangeIsAuditedWithItsActor() throws {
        let db = try TestDatabase()
        let alice = ParkSession(connection: db.connection, actor: "alice")
        try smallPortfolio(alice)
        let bob = ParkSession(connection: try Connection(db.conninfo), actor: "bob")
        try PortfolioService(bob).setOffMarket(UnitAddress(park: "SW", building: "B1", unit: "0301"), reason: "维修")
        // The official holidays and service levels a migration loaded (sql/0025) are audited
        // too, as the database role's; here only what the staff did is counted.
        let entries = try AuditService(alice).entries().filter { !["calendar_day", "service_level"].contains($0.entity) }
        // park, building, three units (inserts by alice), one update by bob
        #expect(entries.count == 6)
        #expect(entries.filter { $0.action == "insert" }.allSatisfyAndNonEmpty { $0.actor == "alice" })
        let update = try #require(entries.last)
        #expect(update.actor == "bob")
        #expect(update.action == "update")
        #expect(update.entity == "unit")
        #expect(update.label == "SW/B1/0301")   // what people call the unit
        #expect(update.park == "SW")
        #expect(update.changes == "off_market_reason: ∅ → 维修")
        #expect(try AuditService(alice).entries(entity: "unit").count == 4)
        #expect(try AuditService(alice).entries(entity: "park").map(\.label) == ["SW"])
        let refused29 = #expect(throws: ParkError.self) { try AuditService(alice).entries(entity: "lease_secret") }
        #expect(refused29?.kind == .invalidInput && refused29?.message.contains("entity 'lease_secret' is not one of: park, building, unit, tenant, onb") == true, "\(String(describing: refused29))")
        // A change outside parkctl is recorded too, with the database role as actor.
        try db.connection.execute("DELETE FROM unit WHERE code = '0101'")
        let last = try #require(try AuditService(alice).entries().last)
        #expect(last.action == "delete" && last.actor == "parkctl")
    }

    @Test func theDemoLoadsOnceAndTheSecondRunChangesNothing() throws {
        let (db, session) = try makeSession(actor: "demo")
        let first = try DemoPortfolio(session).load()
        #expect(first.loaded)
        #expect(first.parks == 3)
        #expect(first.units > 200)
        #expect(first.tenants >= 14)
        let before = try db.connection.tableChecksums()
        let second = try DemoPortfolio(session).load()
        #expect(!second.loaded)
        #expect(second.units == first.units)
        #expect(try db.connection.tableChecksums() == before)

        let portfolio = PortfolioService(session)
        #expect(try portfolio.units(park: "EC", kind: .liveRoom).count == 100)
        #expect(try portfolio.units(park: "EC", kind: .selectionCenter).first?.areaM2 == money("6000"))
        let ecOffices = try portfolio.units(park: "EC", kind: .office)
        #expect(Set(ecOffices.map(\.floor)) == [1, 2, 3, 4])
        let factories = try portfolio.units(park: "MF")
        #expect(factories.filter { $0.address.building.hasPrefix("P4") || $0.address.building.hasPrefix("P5") }
            .allSatisfyAndNonEmpty { $0.offMarketReason != nil })
        // Every demo credit code passes the check, in Swift and in the database.
        let codes = try TenantService(session).list().map(\.tenant.creditCode)
        #expect(codes.allSatisfyAndNonEmpty(CreditCode.isValid))
        #expect(Set(try TenantService(session).list(park: "SW").map(\.tenant.name)).isSuperset(of:
            ["腾讯数字乡村总部", "海康威视", "博思软件", "将邑智能", "衡阳峰峰侠", "乐送ai"]))
        #expect(Set(try TenantService(session).list(park: "EC").map(\.tenant.name)).isSuperset(of:
            ["光云科技", "鲸灵集团", "农民伯伯", "小雁科技", "大白返利"]))
        #expect(try TenantService(session).list(park: "MF").map(\.tenant.name).contains("万魔声学"))
    }

    @Test func theDemoRefusesAPartlyTakenDatabase() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let before = try db.connection.tableChecksums()
        let error = #expect(throws: ParkError.self) { try DemoPortfolio(session).load() }
        #expect(error?.message.contains("SW") == true)
        #expect(try db.connection.tableChecksums() == before)
    }

    @Test func everyAuditedTableIsAnEntityOfTheAuditCommand() throws {
        let db = try TestDatabase()
        let audited: [String] = try db.connection.query("""
            SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgfoid IN ('audit_row_change'::regproc, 'audit_rows_inserted'::regproc) ORDER BY 1
            """).rows.map { try $0.decode(0) }
        #expect(audited == AuditService.entities.sorted())
        // The trail of tickets and their timelines is there to be read (it was refused).
        let session = ParkSession(connection: db.connection, actor: "auditor")
        try DemoPortfolio(session).load()
        for entity in ["ticket", "ticket_event"] {
            #expect(try !AuditService(session).entries(entity: entity, limit: 10).isEmpty, "\(entity)")
        }
    }
}
