import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct TransferCommandTests {
    @Test func exportImportThroughTheCLIAndBadRowsExit65() throws {
        let source = try CLI()
        try source.ok(["demo"])
        let target = try CLI()
        for entity in ["parks", "buildings", "units", "tenants", "leases"] {
            let csv = try source.ok(["export", entity])
            let out = try target.run(["import", entity, "-"], environment: [:], input: csv)
            #expect(out.status == 0, "\(entity): \(out.stderr)")
            #expect(out.stdout.contains("rejected 0"))
            #expect(try target.ok(["export", entity]) == csv, "\(entity)")
        }
        let units = try source.ok(["export", "units", "--park", "MF"])
        #expect(units.hasPrefix("park,building,unit,floor,area_m2,kind,list_rent,off_market_reason\n"))
        #expect(units.split(separator: "\n").dropFirst().allSatisfyAndNonEmpty { $0.hasPrefix("MF,") })
        #expect(try source.ok(["export", "tickets"]).hasPrefix("number,park,tenant_credit_code,unit,category"))
        #expect(try source.ok(["export", "audit", "--park", "SW"]).hasPrefix("id,at,actor,entity,key,label,action,park,old_row,new_row"))

        let bad = "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0901,9,0,office,38\nSW,B1,0902,9,10,castle,38\n"
        let out = try target.run(["import", "units", "-", "--dry-run"], input: bad)
        #expect(out.status == 65)
        #expect(out.stderr.contains("line 2, area_m2 '0': area is a number above 0"))
        #expect(out.stderr.contains("line 3, kind 'castle': kind is one of"))
        #expect(out.stderr.contains("read 2 rows, imported 0, rejected 2"))
        let missing = try target.run(["import", "units", "/no/such/file.csv"])
        #expect(missing.status == 65 && missing.stderr.contains("cannot open '/no/such/file.csv'"))
        let dry = try target.run(["import", "units", "-", "--dry-run"], input: "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0905,9,10,office,38\n")
        #expect(dry.status == 0 && dry.stdout.contains("dry run: read 1 rows, would import 1"))
    }
}

extension CLI {
    func run(_ args: [String], environment: [String: String] = [:], input: String) throws -> ProcessRunner.Output {
        try Parkctl.run(args + ["--database-url", db.conninfo], environment: ["PARKCTL_ACTOR": "cli-tester"].merging(environment) { $1 },
                        input: input)
    }
}
