import ArgumentParser
import Foundation
import ParkCore
#if canImport(Glibc)
import Glibc
#endif

/// Options of every report: the scope and the output.
struct ReportScope: ParsableArguments {
    @OptionGroup var staff: StaffOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "Only this park.") var park: String?
    @Option(help: "Only this building, PARK/BUILDING.") var building: String?

    var buildingAddress: BuildingAddress? { get throws { try building.map(BuildingAddress.init(parsing:)) } }

    /// For the reports that cover whole parks only.
    func refuseBuilding(_ report: String) throws {
        if building != nil { throw ValidationError("--building does not apply to the \(report) report; use --park") }
    }
}

func optionalDate(_ text: String?, _ field: String) throws -> CalendarDate? {
    try text.map { try Day(option: $0, field: field).date }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Occupancy, vacancy, expiring leases, rent roll, service levels, trend, stacking plans.",
        subcommands: [Occupancy.self, Vacancy.self, Expiring.self, RentRoll.self, Tickets.self, Trend.self, Stacking.self, Utility.self,
                      Stats.self, StatsMissing.self, Qualifications.self, Pipeline.self, FollowUpsDue.self, Visits.self,
                      Receivables.self, Collection.self, Uninvoiced.self])

    struct Occupancy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Occupancy by area and by count, with a total row.")
        @OptionGroup var scope: ReportScope
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?
        @Option(help: "Use the leases as they were recorded at the end of this day.") var asRecorded: String?
        @Option(choice: "Group by") var by: OccupancyReport.Grouping = .park
        @Option(help: "Also write a self-contained HTML page with a chart.") var html: String?

        func run() throws {
            let report = OccupancyReport(try scope.staff.session())
            let (day, rows) = try report.run(
                park: scope.park, building: try scope.buildingAddress, asOf: try optionalDate(asOf, "as-of"),
                asRecorded: try optionalDate(asRecorded, "as-recorded"), by: by)
            let records = rows.map(\.record)
            try scope.output.print(records, chart: SpreadsheetChart(title: "chart.occupancy", categories: by.rawValue,
                                                                     values: "occupancy_rate_area"))
            // Zeros as recorded before anything was: say why, on standard error.
            if let recorded = try optionalDate(asRecorded, "as-recorded") {
                let first = try report.firstRecordedDay(park: scope.park ?? (try scope.buildingAddress)?.park)
                if first.map({ recorded < $0 }) ?? true {
                    FileHandle.standardError.write(Data("""
                        parkctl: note: nothing was recorded by the end of \(recorded)\(first.map { " (the first unit was recorded on \($0))" } ?? ""), \
                        so the report as recorded then is empty

                        """.utf8))
                }
            }
            if let html {
                var page = HTMLPage(title: "出租率 Occupancy \(day)\(asRecorded.map { " (as recorded on \($0))" } ?? "")")
                page.barChart(rows.map { (label: $0.label, value: NSDecimalNumber(decimal: $0.occupancyRateArea ?? 0).doubleValue) },
                              caption: "Occupancy by area (leased ÷ lettable), by \(by.rawValue)")
                page.table(records)
                try page.write(to: html)
            }
        }
    }

    struct Vacancy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vacant units and how long they have been vacant.")
        @OptionGroup var scope: ReportScope
        @Option(choice: "Only this unit kind") var kind: UnitKind?
        @Option(parsing: .unconditional, help: "Only units of at least this area in m².") var minArea: String?
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?

        func run() throws {
            let rows = try VacancyReport(scope.staff.session()).run(
                park: scope.park, building: try scope.buildingAddress, kind: kind,
                minArea: try minArea.map { try Area(option: $0, field: "min-area").squareMetres }, asOf: try optionalDate(asOf, "as-of"))
            try scope.output.print(rows.map(\.record))
        }
    }

    struct Expiring: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leases ending within a number of days.")
        @OptionGroup var scope: ReportScope
        @Option(help: "Days from today.") var within: Int = 90

        func validate() throws { try scope.refuseBuilding("expiring") }

        func run() throws {
            let rows = try ExpiringReport(scope.staff.session()).run(within: within, park: scope.park)
            try scope.output.print(rows.map(\.record))
        }
    }

    struct RentRoll: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rent-roll", abstract: "The rent roll (租金台账): leases in force, this month's rent due.",
            discussion: """
                With --as-of, the leases in force on that day and its month's rent. With --month, every lease in \
                force on any day of the month (those starting, ending or changed within it too), each as of its \
                last day in the month, and the month's rent: the total is the month's rent due.
                """)
        @OptionGroup var scope: ReportScope
        @Option(help: "The day, YYYY-MM-DD (default: today); its month's rent is shown.") var asOf: String?
        @Option(help: "A whole month, YYYY-MM: every lease in force in it, and its rent due.") var month: String?

        func validate() throws { try scope.refuseBuilding("rent-roll") }

        func run() throws {
            let firstDay = try month.map { text -> CalendarDate in
                guard text.count == 7, let day = CalendarDate(text + "-01") else {
                    throw ParkError.invalid("month '\(text)' is not a month: write it YYYY-MM, e.g. 2027-01")
                }
                return day
            }
            let (_, rows) = try RentRollReport(scope.staff.session()).run(park: scope.park, asOf: try optionalDate(asOf, "as-of"),
                                                                          month: firstDay)
            try scope.output.print(rows.map(\.record))
        }
    }

    struct Tickets: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Service levels per category and priority.")
        @OptionGroup var scope: ReportScope
        @Option(help: "First day of the period (default: 30 days ago).") var from: String?
        @Option(help: "Last day of the period (default: today).") var to: String?

        func validate() throws { try scope.refuseBuilding("tickets") }

        func run() throws {
            let rows = try TicketReport(scope.staff.session()).run(park: scope.park, from: try optionalDate(from, "from"),
                                                                    to: try optionalDate(to, "to"))
            try scope.output.print(rows.map(\.record))
            if let warning = CalendarService.unarrangedWarning(rows.first?.unarrangedYears ?? [], in: "the report's working times") {
                warn(warning)
            }
        }
    }

    struct Utility: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A utility billing period by tenant (own, public share, loss share, amount), by master meter (loss rate), or the meters missing a reading.",
            discussion: "Example: parkctl report utility --period U-2026-000001 --by master")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The period's number, U-YYYY-NNNNNN (parkctl utility period list).") var period: String
        @Option(choice: "Seen by") var by: UtilityReport.View = .tenant

        func run() throws {
            let report = UtilityReport(try staff.session())
            switch by {
            case .tenant: try output.print(try report.byTenant(period).map(\.record))
            case .master: try output.print(try report.byMaster(period).map(\.record))
            case .missing: try output.print(try report.missing(period).map(\.record))
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enterprises' statistics of a period by park, by industry or by enterprise: totals, growth (同比), per m², per mu (亩均).",
            discussion: """
                Amounts in 万元. Growth is on a comparable basis (同口径): the enterprises that filed the figure both for the
                period and for the same period a year before. Per m² is 元/㎡ of the filers' leased area on the period's last
                day; per mu (亩均税收) is 万元/亩 of the park's land (parkctl park set --land-mu).
                Examples:
                  parkctl report stats --period 2026-Q3
                  parkctl report stats --period 2026-Q3 --by enterprise --top 10
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The period: a quarter 2026-Q3, a month 2026-09 or a year 2026.") var period: String
        @Option(help: "Only this park.") var park: String?
        @Option(choice: "Seen by") var by: StatsReport.View = .park
        @Option(help: "By enterprise: only the N that paid the most tax.") var top: Int?

        func run() throws {
            if top != nil, by != .enterprise { throw ValidationError("--top is for --by enterprise") }
            let rows = try StatsReport(staff.session()).run(period: try StatPeriod(parsing: period), park: park, by: by, top: top)
            try output.print(rows.map { $0.record(by) })
        }
    }

    struct StatsMissing: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats-missing",
            abstract: "The tenants in place during a period that have filed no statistics for it, with contact and phone (to chase).")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The period: a quarter 2026-Q3, a month 2026-09 or a year 2026.") var period: String
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            try output.print(try StatsReport(staff.session()).missing(period: try StatPeriod(parsing: period), park: park).map(\.record))
        }
    }

    struct Qualifications: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Qualified enterprises by park and kind today, or with --expiring-within the certificates lapsing soon.",
            discussion: "Example: parkctl report qualifications --expiring-within 90")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "The qualifications whose last valid day is within this many days from today.") var expiringWithin: Int?

        func run() throws {
            let service = QualificationService(try staff.session())
            if let days = expiringWithin {
                try output.print(try service.expiring(within: days, park: park).map(\.record))
            } else {
                try output.print(try service.counts(park: park).map { row in
                    Record([("park", .text(row.park)), ("kind", .qualificationKind(row.kind)),
                            ("tenants", .integer(row.tenants))])
                })
            }
        }
    }

    struct Pipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The investment pipeline of the leads added between two days: the funnel by stage, conversion by source and owner, the area negotiated against the vacant.",
            discussion: "Example: parkctl report pipeline --from 2026-01-01 --to 2026-12-31 --park SW")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "The first day leads were added, YYYY-MM-DD.") var from: String
        @Option(help: "The last day, YYYY-MM-DD.") var to: String

        func run() throws {
            let rows = try PipelineReport(staff.session()).run(park: park, from: try Day(option: from, field: "from").date,
                                                               to: try Day(option: to, field: "to").date)
            try output.print(rows.map { row in
                Record([("dimension", .label(code: row.dimension, key: "pipeline_dimension.\(row.dimension)")), ("key", Self.key(row)), ("leads", .integer(row.leads)), ("won", .integer(row.won)),
                        ("conversion", row.rate.map { .ratio($0, places: 4) } ?? .null), ("area_m2", .decimal(row.areaM2, places: 2)),
                        ("days_in_stage", row.daysInStage.map { .decimal($0, places: 1) } ?? .null)])
            })
        }
    
        /// A stage or a source by its label; an owner as named; the area's by what it is.
        static func key(_ row: PipelineReport.Row) -> OutputValue {
            switch row.dimension {
            case "stage": LeadStage(rawValue: row.key).map { .label($0) } ?? .text(row.key)
            case "source": LeadSource(rawValue: row.key).map { .label($0) } ?? .text(row.key)
            case "area": .label(code: row.key, key: row.key == "vacant" ? "unit_status.vacant" : "lead_stage.\(row.key)")
            default: row.key == "pool" ? .label(code: "pool", key: "pipeline_dimension.pool") : .text(row.key)
            }
        }
}

    struct FollowUpsDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-ups-due",
            abstract: "The next steps due by today (or --by), soonest first: of the open leads and of the park's tenants (account managers' visits).")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Due by this day, YYYY-MM-DD (default: today).") var by: String?
        @Option(help: "Only this person's: the leads they own and the tenants they serve (a login or 张伟).") var owner: String?

        func run() throws {
            try output.print(try ParkCore.FollowUpsDue(staff.session()).run(park: park, by: try optionalDate(by, "by"), owner: owner)
                .map(\.record))
        }
    }

    struct Visits: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The enterprises in place in a period and their visits (走访): who visited them, when last, and who nobody has visited.",
            discussion: """
                A visit or a meeting counts (parkctl tenant follow-up --way visit); a call does not. \
                Example: parkctl report visits --period 2026-Q4 --not-visited
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The period: a quarter 2026-Q4, a month 2026-11 or a year 2026 (default: this quarter).") var period: String?
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this account manager's enterprises.") var manager: String?
        @Flag(help: "Only the enterprises nobody visited in the period.") var notVisited = false
        @Option(choice: "Add up by manager or park (how many enterprises, how many visited, the share) instead of listing them")
        var by: EnterpriseCare.Coverage?

        func run() throws {
            let care = EnterpriseCare(try staff.session()), period = try period.map { try StatPeriod(parsing: $0) }
            guard let by else {
                try output.print(try care.visits(period: period, park: park, manager: manager, notVisited: notVisited).map(\.record))
                return
            }
            guard manager == nil, !notVisited else { throw ValidationError("--by adds up every enterprise: leave out --manager and --not-visited") }
            try output.print(try care.coverage(period: period, park: park, by: by).map { row -> Record in
                Record([(by.rawValue, row.isTotal ? .label(code: "total", key: "scope.total")
                                                     : row.key.map { .text($0) } ?? .label(code: "", key: "text.no_manager")),
                        ("enterprises", .integer(row.enterprises)), ("visited", .integer(row.visited)), ("coverage", .ratio(row.rate))])
            })
        }
    }

    struct Trend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Occupancy by area at each month end (a bar chart in a terminal).")
        @OptionGroup var scope: ReportScope
        @Option(help: "How many months.") var months: Int = 12
        @Option(help: "The last month is this day's, YYYY-MM-DD (default: today).") var asOf: String?
        @Option(help: "Also write a self-contained HTML page with the chart.") var html: String?

        func run() throws {
            let rows = try TrendReport(scope.staff.session()).run(park: scope.park, building: try scope.buildingAddress, months: months,
                                                                  asOf: try optionalDate(asOf, "as-of"))
            if scope.output.format == .table {
                emit(TrendChart.render(rows, language: scope.output.language(for: .table)))
            } else {
                try scope.output.print(rows.map(\.record), chart: SpreadsheetChart(title: "chart.trend", categories: "month_end",
                                                                                 values: "occupancy_rate_area", line: true))
            }
            if let html {
                var page = HTMLPage(title: "出租率走势 Occupancy trend\(scope.park.map { " · \($0)" } ?? "")")
                page.barChart(rows.map { (label: String($0.monthEnd.description.prefix(7)),
                                          value: NSDecimalNumber(decimal: $0.occupancyRateArea ?? 0).doubleValue) },
                              caption: "Occupancy by area at each month end")
                page.table(rows.map(\.record))
                try page.write(to: html)
            }
        }
    }

    struct Stacking: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The stacking plan (租控图) of a building.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "PARK/BUILDING.") var building: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?
        @Option(help: "Also write a self-contained HTML page.") var html: String?

        func run() throws {
            let plan = try StackingPlan(staff.session()).run(try BuildingAddress(parsing: building), asOf: try optionalDate(asOf, "as-of"))
            switch output.format {
            case .table:
                let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
                emit(StackingText.render(plan, colour: colour, language: output.language(for: .table)))
            case .json, .csv, .xlsx:
                try output.print(plan.floors.flatMap { $0.cells }.map(\.record))
            }
            if let html {
                var page = HTMLPage(title: "租控图 Stacking plan \(plan.building) \(plan.buildingName) · \(plan.asOf)")
                page.raw(StackingText.html(plan))
                try page.write(to: html)
            }
        }
    }

    struct Receivables: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "应收账龄: per tenant, what is owed by days past due, credit and deposits held, with a total row.")
        @OptionGroup var scope: ReportScope
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?

        func validate() throws { try scope.refuseBuilding("receivables") }

        func run() throws {
            let (_, rows) = try ReceivablesReport(try scope.staff.session()).run(asOf: try optionalDate(asOf, "as-of"), park: scope.park)
            try scope.output.print(rows.map(\.record), columns: scope.output.format == .table
                                    ? ["scope", "tenant", "park", "phone", "not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180",
                                       "total", "credit", "deposit_held"] : nil)
        }
    }

    struct Collection: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "收缴率: of the bills due in a period, billed and collected per park and fee, and the rate.")
        @OptionGroup var scope: ReportScope
        @Option(help: "First due day, YYYY-MM-DD.") var from: String
        @Option(help: "Last due day, YYYY-MM-DD; payments count up to it.") var to: String

        func validate() throws { try scope.refuseBuilding("collection") }

        func run() throws {
            let rows = try CollectionReport(try scope.staff.session()).run(
                from: try Day(option: from, field: "from").date, to: try Day(option: to, field: "to").date, park: scope.park)
            try scope.output.print(rows.map(\.record))
        }
    }

    struct Uninvoiced: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bills not invoiced in full (未开票).")
        @OptionGroup var scope: ReportScope
        @Option(help: "Only this tenant.") var tenant: String?

        func validate() throws { try scope.refuseBuilding("uninvoiced") }

        func run() throws {
            let rows = try InvoiceService(try scope.staff.session()).uninvoiced(park: scope.park, tenant: tenant)
            try scope.output.print(rows.map(\.record))
        }
    }
}
