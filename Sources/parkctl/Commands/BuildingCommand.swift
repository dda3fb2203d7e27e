import ArgumentParser
import ParkCore

struct BuildingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "building", abstract: "Record, correct and list buildings.", subcommands: [Add.self, BuildingSet.self, BuildingRemove.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a building to a park.", discussion: "Example: parkctl building add SW/B1 --name 1号楼 --floors 12 --delivered 2020-10-28")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/BUILDING, e.g. SW/B1.") var building: String
        @Option(parsing: .unconditional, help: "Name (e.g. 1号楼).") var name: String
        @Option(parsing: .unconditional, help: "Floors above ground.") var floors: Int
        @Option(parsing: .unconditional, help: "Floors below ground.") var floorsBelow: Int = 0
        @Option(help: "Delivery date, YYYY-MM-DD.") var delivered: String?

        func run() throws {
            let address = try BuildingAddress(parsing: building)
            let deliveredOn = try delivered.map { try Day(option: $0, field: "delivered").date }
            let b = try PortfolioService(staff.session())
                .addBuilding(address, name: name, floorsAbove: floors, floorsBelow: floorsBelow, deliveredOn: deliveredOn)
            say("added building \(b.address) \(b.name) (\(b.floorsAbove) floors)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List buildings.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            let buildings = try PortfolioService(staff.session()).buildings(park: park)
            try output.print(buildings.map(\.record))
        }
    }
}
