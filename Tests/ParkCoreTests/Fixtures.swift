import Foundation
import ParkCore
import Postgres
import TestSupport

/// A fresh database with a session acting as `actor`.
func makeSession(actor: String = "tester") throws -> (TestDatabase, ParkSession) {
    let db = try TestDatabase()
    return (db, ParkSession(connection: db.connection, actor: actor))
}

func money(_ text: String) -> Decimal { Decimal(string: text)! }

/// A software park SW with building B1 (5 floors) and units 0101, 0201, 0301.
@discardableResult
func smallPortfolio(_ session: ParkSession) throws -> PortfolioService {
    let portfolio = PortfolioService(session)
    try portfolio.addPark(code: "SW", name: "湘南湘西软件产业园", kind: .software, industries: ["software", "ai"])
    try portfolio.addBuilding(BuildingAddress(park: "SW", building: "B1"), name: "1号楼", floorsAbove: 5)
    for floor in 1...3 {
        try portfolio.addUnit(UnitAddress(park: "SW", building: "B1", unit: "0\(floor)01"), floor: floor,
                              areaM2: money("256.50"), kind: .office, listRent: money("38.00"))
    }
    return portfolio
}

let tencent = TenantService.Application(park: "SW", name: "腾讯数字乡村总部", creditCode: "91440300708461136T",
                                        industry: "internet", contact: "李明", phone: "0734-8100101")
let bosi = TenantService.Application(park: "SW", name: "博思软件", creditCode: "91350100M000100Y43",
                                     industry: "software", contact: "陈静", phone: "0591-87500103", email: "hr@bosssoft.example")
