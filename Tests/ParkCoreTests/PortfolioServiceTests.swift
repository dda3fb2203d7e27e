import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct PortfolioServiceTests {
    @Test func recordsAndListsParksBuildingsAndUnits() throws {
        let (_, session) = try makeSession()
        let portfolio = try smallPortfolio(session)
        let park = try portfolio.park("SW")
        #expect(park.name == "湘南湘西软件产业园")
        #expect(park.industries == ["software", "ai"])
        #expect(park.buildingCount == 1 && park.unitCount == 3)
        #expect(park.areaM2 == money("769.50"))
        let units = try portfolio.units(building: BuildingAddress(park: "SW", building: "B1"))
        #expect(units.map(\.address.description) == ["SW/B1/0101", "SW/B1/0201", "SW/B1/0301"])
        #expect(units[0].areaM2 == money("256.50") && units[0].listRent == money("38.00"))
        #expect(try portfolio.units(kind: .factory).isEmpty)
        #expect(try portfolio.buildings(park: "SW").first?.unitCount == 3)
    }

    @Test func duplicatesAreConflictsNamingTheExistingRow() throws {
        let (db, session) = try makeSession()
        let portfolio = try smallPortfolio(session)
        let before = try db.connection.tableChecksums()
        let park = #expect(throws: ParkError.self) {
            try portfolio.addPark(code: "SW", name: "另一个", kind: .mixed, industries: [])
        }
        #expect(park?.kind == .conflict)
        #expect(park?.message.contains("湘南湘西软件产业园") == true)
        let building = #expect(throws: ParkError.self) {
            try portfolio.addBuilding(BuildingAddress(park: "SW", building: "B1"), name: "x", floorsAbove: 3)
        }
        #expect(building?.message.contains("1号楼") == true)
        let unit = #expect(throws: ParkError.self) {
            try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0101"), floor: 1, areaM2: 1, kind: .office, listRent: 1)
        }
        #expect(unit?.message.contains("SW/B1/0101") == true)
        #expect(try db.connection.tableChecksums() == before)
    }

    @Test func unknownNamesAreNotFound() throws {
        let (_, session) = try makeSession()
        let portfolio = try smallPortfolio(session)
        let park = #expect(throws: ParkError.self) { try portfolio.park("XX") }
        #expect(park?.kind == .notFound)
        #expect(park?.message.contains("'XX'") == true && park?.message.contains("SW") == true)
        let unit = #expect(throws: ParkError.self) { try portfolio.unit(UnitAddress(park: "SW", building: "B1", unit: "9999")) }
        #expect(unit?.message.contains("SW/B1/9999") == true)
        let building = #expect(throws: ParkError.self) { try portfolio.units(building: BuildingAddress(park: "SW", building: "B9")) }
        #expect(building?.message.contains("SW/B9") == true)
    }

    @Test func rulesOfTheModelAreRefusedWithNothingWritten() throws {
        let (db, session) = try makeSession()
        let portfolio = try smallPortfolio(session)
        let before = try db.connection.tableChecksums()
        let b1 = BuildingAddress(park: "SW", building: "B1")
        let cases: [(String, () throws -> Void)] = [
            ("floor 6", { try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0601"), floor: 6, areaM2: 1, kind: .office, listRent: 1) }),
            ("floor 0", { try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0001"), floor: 0, areaM2: 1, kind: .office, listRent: 1) }),
            ("area", { try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0102"), floor: 1, areaM2: 0, kind: .office, listRent: 1) }),
            ("rent", { try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0103"), floor: 1, areaM2: 5, kind: .office, listRent: -1) }),
            ("unit code", { try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "01 04"), floor: 1, areaM2: 5, kind: .office, listRent: 1) }),
            ("park code", { try portfolio.addPark(code: "sw2", name: "x", kind: .software, industries: []) }),
            ("industry", { try portfolio.addPark(code: "EC", name: "x", kind: .ecommerce, industries: ["E_Commerce"]) }),
            ("park name", { try portfolio.addPark(code: "EC", name: "  ", kind: .ecommerce, industries: []) }),
            ("floors", { try portfolio.addBuilding(BuildingAddress(park: "SW", building: "B2"), name: "2号楼", floorsAbove: 0) }),
            ("reason", { try portfolio.setOffMarket(UnitAddress(park: "SW", building: "B1", unit: "0101"), reason: " ") }),
        ]
        for (name, body) in cases {
            let error = #expect(throws: ParkError.self, "\(name)") { try body() }
            #expect(error?.kind == .invalidInput, "\(name)")
        }
        #expect(try db.connection.tableChecksums() == before)
        _ = b1
    }

    @Test func offMarketAndBack() throws {
        let (_, session) = try makeSession()
        let portfolio = try smallPortfolio(session)
        let address = UnitAddress(park: "SW", building: "B1", unit: "0201")
        #expect(try portfolio.setOffMarket(address, reason: "屋面维修").offMarketReason == "屋面维修")
        #expect(try portfolio.setOffMarket(address, reason: nil).offMarketReason == nil)
    }

    @Test func theDatabaseRefusesWhatTheServiceWouldHaveCaught() throws {
        let (db, _) = try makeSession()
        let conn = db.connection
        try conn.execute("INSERT INTO park (code, name, kind) VALUES ('SW', 'x', 'software')")
        try conn.execute("INSERT INTO building (park_id, code, name, floors_above) SELECT id, 'B1', 'b', 3 FROM park")
        let bad: [PostgresQuery] = [
            "INSERT INTO tenant (name, credit_code, industry, contact, phone) VALUES ('x', '91350100M000100Y44', 'ai', 'c', '12345')",
            "INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent) SELECT park_id, id, '0901', 9, 10, 'office', 1 FROM building",
            "INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent) SELECT park_id, id, '0101', 1, 0, 'office', 1 FROM building",
            "INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent) SELECT park_id, id, '0101', 1, 10, 'castle', 1 FROM building",
            "INSERT INTO park (code, name, kind) VALUES ('sw', 'x', 'software')",
        ]
        for query in bad {
            let error = #expect(throws: PostgresError.self) { try conn.execute(query) }
            #expect(error?.isCheckViolation == true, "\(query.sql)")
        }
    }
}
