import ArgumentParser
import Foundation
import ParkCore

/// `parkctl stat`: what each enterprise files for the zone's statistics (企业统计).
struct StatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat", abstract: "Record and verify enterprises' statistics (营业收入, 产值, 纳税, 从业人员, 研发).",
        subcommands: [Record.self, Verify.self, List.self])

    /// The tenant, park and period of a filing.
    struct FilingOptions: ParsableArguments {
        @Option(help: "The enterprise: its name or credit code.") var tenant: String
        @Option(help: "The park it files in.") var park: String
        @Option(help: "The period: a quarter 2026-Q3, a month 2026-09 or a year 2026 (2026年第3季度, 2026年9月).") var period: String

        var statPeriod: StatPeriod { get throws { try StatPeriod(parsing: period) } }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a filing (amounts in 万元), or change the figures given of one recorded before.",
            discussion: """
                Examples:
                  parkctl stat record --tenant 博思软件 --park SW --period 2026-Q3 --revenue 1250.5 --tax 86.2 --rd 190 --employees 320
                  parkctl stat record --tenant 91330100MA2KXXXX0T --park MF --period 2026年第3季度 --industrial-output 5600 --tax 210.4
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var filing: FilingOptions
        @Option(parsing: .unconditional, help: "营业收入, 万元.") var revenue: String?
        @Option(parsing: .unconditional, help: "工业总产值 (industrial output), 万元.") var industrialOutput: String?
        @Option(parsing: .unconditional, help: "纳税额 (tax paid), 万元.") var tax: String?
        @Option(parsing: .unconditional, help: "研发投入 (R&D spend), 万元.") var rd: String?
        @Option(help: "从业人员 at the period's end.") var employees: Int?
        @Option(help: "A note.") var note: String?

        func run() throws {
            let figures = StatFigures(revenue: try revenue.map { try TenThousandYuan(option: $0, field: "revenue").value },
                                      industrialOutput: try industrialOutput.map { try TenThousandYuan(option: $0, field: "output").value },
                                      taxPaid: try tax.map { try TenThousandYuan(option: $0, field: "tax").value },
                                      rdSpend: try rd.map { try TenThousandYuan(option: $0, field: "rd").value }, employees: employees)
            let stat = try StatService(staff.session()).record(tenant: filing.tenant, park: filing.park, period: try filing.statPeriod,
                                                               figures, note: note)
            try output.printOne(stat.record)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a filing verified against the tax records (admin only); a figure changed later is self-reported again.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var filing: FilingOptions

        /// The filing is printed whole: the figures verified are on the screen.
        func run() throws {
            let stat = try StatService(staff.session()).verify(tenant: filing.tenant, park: filing.park, period: try filing.statPeriod)
            try output.printOne(stat.record)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List filings, newest period first.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this period (2026-Q3, 2026-09, 2026).") var period: String?
        @Option(help: "Only this enterprise (name or credit code).") var tenant: String?

        func run() throws {
            let stats = try StatService(staff.session()).list(park: park, period: try period.map(StatPeriod.init(parsing:)), tenant: tenant)
            try output.print(stats.map(\.record))
        }
    }
}

/// An amount in 万元 as the statistics forms have it: 0 or more, at most 4 decimals (to the yuan).
struct TenThousandYuan {
    var value: Decimal

    init(option text: String, field: String) throws {
        value = try Validate.decimal(text, field: field, scale: 4, positive: false, maxIntegerDigits: 12)
    }
}
