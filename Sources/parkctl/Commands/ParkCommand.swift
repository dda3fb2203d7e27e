import ArgumentParser
import ParkCore

struct ParkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "park", abstract: "Record and list parks.", subcommands: [Add.self, ParkSet.self, ParkRemove.self, List.self, Show.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a park.",
            discussion: "Example: parkctl park add --code SW --name 湘南湘西软件产业园 --kind software --industries software,internet,ai")
        @OptionGroup var staff: StaffOptions
        @Option(help: "Short code, 1-10 capital letters or digits (e.g. SW).") var code: String
        @Option(parsing: .unconditional, help: "Name (e.g. 湘南湘西软件产业园).") var name: String
        @Option(choice: "Kind") var kind: ParkKind
        @Option(help: "Industries the park admits, comma-separated (empty: any).") var industries: String = ""
        @Option(help: "Address.") var address: String?

        func run() throws {
            let industries = industries.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let park = try PortfolioService(staff.session())
                .addPark(code: code, name: name, kind: kind, industries: industries, address: address)
            say("added park \(park.code) \(park.name) (\(park.kind.rawValue); industries: \(park.industries.isEmpty ? "any" : park.industries.joined(separator: ", ")))\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List parks.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let parks = try PortfolioService(staff.session()).parks()
            try output.print(parks.map(\.record))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a park and its buildings.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Park code, e.g. SW.") var code: String

        func run() throws {
            let portfolio = PortfolioService(try staff.session())
            let park = try portfolio.park(code)
            let record = park.record
            let billing = try portfolio.billingSettings(code)
            record.fields.append((key: "billing", value: .object(Record([
                ("pay_within_days", .integer(billing.payWithinDays)), ("grace_days", .integer(billing.graceDays)),
                ("late_fee_rate", .ratio(billing.lateFeeRate, places: 6)), ("rent_tax_rate", .ratio(billing.rentTaxRate, places: 4)),
                ("property_fee_tax_rate", .ratio(billing.propertyFeeTaxRate, places: 4)),
                ("utility_tax_rate", .ratio(billing.utilityTaxRate, places: 4)), ("water_tax_rate", .ratio(billing.waterTaxRate, places: 4)),
                ("gas_tax_rate", .ratio(billing.gasTaxRate, places: 4)), ("heat_tax_rate", .ratio(billing.heatTaxRate, places: 4))]))))
            record.fields.append((key: "building_list", value: .records(try portfolio.buildings(park: code).map(\.record))))
            try output.printOne(record)
        }
    }
}

import Foundation
