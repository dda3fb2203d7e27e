import ArgumentParser
import ParkCore

struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Record, list and take units off the market.",
        subcommands: [Add.self, UnitSet.self, UnitRemove.self, List.self, Show.self, OffMarket.self, OnMarket.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a unit to a building.",
            discussion: "Example: parkctl unit add SW/B1/0301 --floor 3 --area 256.50 --kind office --list-rent 38.00")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/BUILDING/UNIT, e.g. SW/B1/0301.") var unit: String
        @Option(parsing: .unconditional, help: "Floor (negative below ground).") var floor: Int
        @Option(parsing: .unconditional, help: "Lettable area in m², up to 2 decimals.") var area: String
        @Option(choice: "Kind") var kind: UnitKind
        @Option(parsing: .unconditional, help: "List rent in 元/m²/month.") var listRent: String
        @Option(help: "Add it off the market, with this reason.") var offMarket: String?

        func run() throws {
            let address = try UnitAddress(parsing: unit)
            let area = try Area(option: area, field: "area").squareMetres
            let rent = try Money(option: listRent, field: "list rent", positive: false).amount
            let u = try PortfolioService(staff.session())
                .addUnit(address, floor: floor, areaM2: area, kind: kind, listRent: rent, offMarketReason: offMarket)
            say("added unit \(u.address) (floor \(u.floor), \(OutputValue.fixed(u.areaM2, places: 2)) ㎡, \(u.kind.rawValue), \(OutputValue.fixed(u.listRent, places: 2)) 元/㎡/月)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List units.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this building, PARK/BUILDING.") var building: String?
        @Option(choice: "Only this kind") var kind: UnitKind?
        @Option(choice: "Only units in this status") var status: UnitStatus?
        @Option(help: "The day the status is for, YYYY-MM-DD (default: today).") var asOf: String?
        @Option(parsing: .unconditional, help: "Only this floor (-1 is the first below ground).") var floor: Int?
        @Option(help: "Only units this tenant leases or has reserved that day (credit code, registered name or short name).") var tenant: String?

        func run() throws {
            let building = try building.map(BuildingAddress.init(parsing:))
            let asOf = try asOf.map { try Day(option: $0, field: "as-of").date }
            let units = try PortfolioService(staff.session())
                .occupancy(park: park, building: building, kind: kind, status: status, asOf: asOf, floor: floor, tenant: tenant)
            try output.print(units.map(\.record), columns: output.format == .table
                                    ? ["code", "floor", "area_m2", "kind", "list_rent", "status", "lease", "tenant"] : nil)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a unit.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "PARK/BUILDING/UNIT.") var unit: String

        func run() throws {
            let u = try PortfolioService(staff.session()).unit(UnitAddress(parsing: unit))
            try output.printOne(u.record)
        }
    }

    struct OffMarket: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "off-market", abstract: "Take a unit off the market.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/BUILDING/UNIT.") var unit: String
        @Option(help: "Why (maintenance, not yet delivered, ...).") var reason: String

        func run() throws {
            let u = try PortfolioService(staff.session()).setOffMarket(UnitAddress(parsing: unit), reason: reason)
            say("unit \(u.address) is off the market: \(u.offMarketReason ?? "")\n")
        }
    }

    struct OnMarket: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "on-market", abstract: "Put a unit back on the market.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/BUILDING/UNIT.") var unit: String

        func run() throws {
            let u = try PortfolioService(staff.session()).setOffMarket(UnitAddress(parsing: unit), reason: nil)
            say("unit \(u.address) is on the market\n")
        }
    }
}
