import ArgumentParser
import Foundation
import ParkCore

/// `parkctl tariff`: the price of a park's water, electricity, gas or heat from a day.
struct TariffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tariff", abstract: "Set and list utility prices (with tiers, 阶梯, or time-of-use bands, 峰平谷).",
        subcommands: [Set.self, List.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the price of a kind from a day: a flat price, tiers over a period's quantity, or time-of-use band prices.",
            discussion: """
                Examples:
                  parkctl tariff set MF --kind water --from 2026-01-01 --price 4.20
                  parkctl tariff set MF --kind electricity --from 2026-01-01 --price 0.60 --tier 2000=0.80 --tier 5000=1.00
                (0.60 a kWh up to 2,000 in a period, 0.80 above 2,000, 1.00 above 5,000)
                  parkctl tariff set MF --kind electricity --from 2026-01-01 --price 0.65 --peak 1.05 --valley 0.32 --sharp 1.26
                (time-of-use, 分时: a time-of-use meter's peak band at 1.05, valley at 0.32, sharp at 1.26; its flat band,
                 and what is no band's, an ordinary meter, a public share or a loss, at --price)
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The park.") var park: String
        @Option(choice: "What it prices") var kind: MeterKind
        @Option(help: "The first day it applies, YYYY-MM-DD.") var from: String
        @Option(parsing: .unconditional, help: "The price of a unit (元/kWh, 元/m³), up to the first tier.") var price: String
        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Above a quantity, another price: QUANTITY=PRICE (repeat for each tier).",
                                                            valueName: "quantity=price"))
        var tier: [String] = []
        @Option(parsing: .unconditional, help: "Time-of-use: the peak band's price (峰), with --valley.") var peak: String?
        @Option(parsing: .unconditional, help: "Time-of-use: the valley band's price (谷), with --peak.") var valley: String?
        @Option(parsing: .unconditional, help: "Time-of-use: the sharp band's price (尖; default: the peak price).") var sharp: String?

        func run() throws {
            var bands: TimeOfUsePrices?
            switch (peak, valley) {
            case (nil, nil):
                if sharp != nil { throw ValidationError("--sharp needs --peak and --valley (a time-of-use tariff)") }
            case let (peak?, valley?):
                bands = TimeOfUsePrices(peak: try UnitPrice(option: peak, field: "peak").value, valley: try UnitPrice(option: valley, field: "valley").value,
                                        sharp: try sharp.map { try UnitPrice(option: $0, field: "sharp").value })
            default:
                throw ValidationError("--peak and --valley go together (a time-of-use tariff; its flat band is --price)")
            }
            let tiers = try tier.map { text -> (above: Decimal, price: Decimal) in
                let (quantity, price) = try keyValue(text, option: "tier", form: "QUANTITY=PRICE, e.g. 2000=0.80")
                return (try Register(option: quantity, field: "tier quantity").value, try UnitPrice(option: price, field: "tier price").value)
            }
            let base = try UnitPrice(option: price, field: "price").value
            try UtilityService(staff.session()).setTariff(park: park, kind: kind, from: try Day(option: from, field: "from").date,
                                                          basePrice: base, tiers: tiers, bands: bands)
            say("\(park) \(kind.rawValue) from \(from): \(base)" + tiers.map { ", above \($0.above): \($0.price)" }.joined()
                + (bands.map { ", peak \($0.peak), valley \($0.valley)" + ($0.sharp.map { ", sharp \($0)" } ?? "") } ?? "") + "\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tariffs.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            try output.print(try UtilityService(staff.session()).tariffs(park: park).map(\.record))
        }
    }
}

/// `parkctl utility`: sharing public meters, and billing periods from reading to bill.
struct UtilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "utility", abstract: "Share public meters (公摊) and bill utilities by period.",
        subcommands: [Share.self, Shares.self, Period.self])

    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How a public meter's usage, or a master meter's loss (损耗), is shared among the leases under the master.",
            discussion: """
                Examples:
                  parkctl utility share MF/E-P --by area
                  parkctl utility share MF/E-000 --by tenants
                  parkctl utility share MF/W-P --by weights --weight MF/F1/101=2 --weight MF/F1/201=1
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE of a public or master meter.") var meter: String
        @Option(choice: "Share by") var by: ShareBasis
        @Option(help: ArgumentHelp("A unit's weight, for --by weights: PARK/BUILDING/UNIT=WEIGHT.", valueName: "unit=weight"))
        var weight: [String] = []

        func run() throws {
            let weights = try weight.map { text -> (unit: UnitAddress, weight: Decimal) in
                let (unit, weight) = try keyValue(text, option: "weight", form: "PARK/BUILDING/UNIT=WEIGHT, e.g. MF/F1/101=2")
                return (try UnitAddress(parsing: unit), try Register(option: weight, field: "weight").value)
            }
            let address = try MeterAddress(parsing: meter)
            try UtilityService(staff.session()).share(address, by: by, weights: weights)
            say("meter \(address) is shared by \(by.rawValue)\n")
        }
    }

    struct Shares: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sharing rules (公摊规则): each meter's basis and weights.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            try output.print(try UtilityService(staff.session()).shareRules(park: park).map(\.record))
        }
    }

    struct Period: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Billing periods: open, calc, confirm, reopen, post, reverse (红冲), delete, list, show.",
            subcommands: [Open.self, Calc.self, Confirm.self, Reopen.self, Post.self, Reverse.self, Delete.self, List.self, Show.self])

        struct Open: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Open a period of a park and kind.",
                discussion: "Example: parkctl utility period open MF --kind electricity --from 2026-11-01 --to 2026-11-30")
            @OptionGroup var staff: StaffOptions
            @Argument(help: "The park.") var park: String
            @Option(choice: "What it bills") var kind: MeterKind
            @Option(help: "The first day, YYYY-MM-DD.") var from: String
            @Option(help: "The last day, YYYY-MM-DD.") var to: String

            func run() throws {
                let p = try UtilityService(staff.session()).open(park: park, kind: kind, from: try Day(option: from, field: "from").date,
                                                                 to: try Day(option: to, field: "to").date)
                say("opened utility period \(p.number): \(p.park) \(p.kind.rawValue) \(p.from)…\(p.to)\n")
            }
        }

        struct Calc: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Calculate a period (again) from the readings read in it.")
            @OptionGroup var staff: StaffOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The period's number, U-YYYY-NNNNNN.") var number: String

            func run() throws {
                let (_, leases) = try UtilityService(staff.session()).calculate(number)
                try output.print(leases.map(\.record))
            }
        }

        struct Confirm: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Confirm a calculated period: its figures are frozen.")
            @OptionGroup var staff: StaffOptions
            @Argument(help: "The period's number.") var number: String
            @Flag(help: "Confirm although some meters have no reading in the period (their usage is billed as 0).") var allowMissing = false

            func run() throws {
                let p = try UtilityService(staff.session()).confirm(number, allowMissing: allowMissing)
                say("utility period \(p.number) is confirmed\n")
            }
        }

        struct Reopen: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Take a confirmed period with no bill back to calculated (to correct a reading and calculate again).")
            @OptionGroup var staff: StaffOptions
            @Argument(help: "The period's number.") var number: String

            func run() throws {
                let p = try UtilityService(staff.session()).reopen(number)
                say("utility period \(p.number) is calculated again: correct what is wrong, then calc and confirm\n")
            }
        }

        struct Post: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Post a confirmed period: a utility bill for each lease.")
            @OptionGroup var staff: StaffOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The period's number.") var number: String

            func run() throws {
                let (_, leases) = try UtilityService(staff.session()).post(number)
                try output.print(leases.map(\.record))
            }
        }

        struct Reverse: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Reverse a posted period (红冲): its bills voided, or credited back once paid.")
            @OptionGroup var staff: StaffOptions
            @Argument(help: "The period's number.") var number: String
            @Option(help: "Why (kept with the reversal).") var reason: String

            func run() throws {
                let r = try UtilityService(staff.session()).reverse(number, reason: reason)
                say("utility period \(number) is reversed by \(r.number); a period over the same days may be opened again\n")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a draft or calculated period opened by mistake (wrong days or kind).")
            @OptionGroup var staff: StaffOptions
            @Argument(help: "The period's number.") var number: String

            func run() throws {
                try UtilityService(staff.session()).delete(number)
                say("utility period \(number) is deleted\n")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the periods.")
            @OptionGroup var staff: StaffOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Only this park.") var park: String?

            func run() throws {
                try output.print(try UtilityService(staff.session()).periods(park: park).map(\.record))
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show a period: each lease's quantity and amount, and the lines with the figures they came from.")
            @OptionGroup var staff: StaffOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The period's number.") var number: String
            @Flag(help: "With --format csv or xlsx: the lines (each lease's share of each meter) instead of the leases' totals.")
            var lines = false

            func run() throws {
                let (period, leases, lines) = try UtilityService(staff.session()).show(number)
                // A spreadsheet is one table: the leases' totals, or with --lines the lines.
                if output.format == .csv || output.format == .xlsx {
                    return try output.print(self.lines ? lines.map(\.record) : leases.map(\.record))
                }
                let record = period.record
                record.fields.append((key: "leases", value: .records(leases.map(\.record))))
                record.fields.append((key: "lines", value: .records(lines.map(\.record))))
                try output.printOne(record)
            }
        }
    }
}
