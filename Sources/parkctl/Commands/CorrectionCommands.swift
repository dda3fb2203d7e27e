import ArgumentParser
import ParkCore

/// `park|building|unit set` and `… remove`: correcting the portfolio (issue 14).
/// Each prints what changed, or that nothing did (exit 0).

/// "changed a, b" or "… has these values already; nothing changed".
func changedLine(_ what: String, _ changed: [String]) -> String {
    changed.isEmpty ? "\(what) has these values already; nothing changed\n" : "\(what): changed \(changed.joined(separator: ", "))\n"
}

struct ParkSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Correct a park's name, address or industries; set how it bills.",
        discussion: """
            Example: parkctl park set SW --industries software,internet,ai,5g
            Example: parkctl park set SW --pay-within-days 10 --grace-days 5 --late-fee-pct 0.05 --rent-tax-pct 9
            """)
    @OptionGroup var staff: StaffOptions
    @Argument(help: "Park code.") var code: String
    @Option(parsing: .unconditional, help: "Name.") var name: String?
    @Option(parsing: .unconditional, help: "Address.") var address: String?
    @Option(help: "Industries the park admits, comma-separated (empty: any).") var industries: String?
    @Option(help: "Rent and property fee are due this many days after their period starts (0-90).") var payWithinDays: Int?
    @Option(help: "Late fees start this many days after the due day (0-90).") var graceDays: Int?
    @Option(parsing: .unconditional, help: "Late fee in percent a day (0.05 = 万分之五), 0-1.") var lateFeePct: String?
    @Option(parsing: .unconditional, help: "Tax rate on rent, late fees and adjustments, in percent (9).") var rentTaxPct: String?
    @Option(parsing: .unconditional, help: "Tax rate on property fees, in percent (6).") var propertyFeeTaxPct: String?
    @Option(parsing: .unconditional, help: "Tax rate on electricity (and other utility bills), in percent (13).") var utilityTaxPct: String?
    @Option(parsing: .unconditional, help: "Tax rate on water bills, in percent (9).") var waterTaxPct: String?
    @Option(parsing: .unconditional, help: "Tax rate on gas bills, in percent (9).") var gasTaxPct: String?
    @Option(parsing: .unconditional, help: "Tax rate on heat bills, in percent (9).") var heatTaxPct: String?
    @Option(parsing: .unconditional, help: "The park's land in 亩 (mu), for tax per mu (亩均税收) in report stats.") var landMu: String?
    @Option(help: "Days without a follow-up after which a lead returns to the shared pool (公海池), 1-365 (30).") var leadPoolDays: Int?

    func run() throws {
        var changes = PortfolioService.ParkChanges(
            name: name, address: address,
            industries: industries.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        changes.billing.payWithinDays = payWithinDays
        changes.billing.graceDays = graceDays
        changes.billing.lateFeeRate = try lateFeePct.map { try Rate(percent: $0, field: "late-fee-pct", places: 4).fraction }
        changes.billing.rentTaxRate = try rentTaxPct.map { try Rate(percent: $0, field: "rent-tax-pct", places: 2).fraction }
        changes.billing.propertyFeeTaxRate = try propertyFeeTaxPct.map { try Rate(percent: $0, field: "property-fee-tax-pct", places: 2).fraction }
        changes.billing.utilityTaxRate = try utilityTaxPct.map { try Rate(percent: $0, field: "utility-tax-pct", places: 2).fraction }
        changes.billing.waterTaxRate = try waterTaxPct.map { try Rate(percent: $0, field: "water-tax-pct", places: 2).fraction }
        changes.billing.gasTaxRate = try gasTaxPct.map { try Rate(percent: $0, field: "gas-tax-pct", places: 2).fraction }
        changes.billing.heatTaxRate = try heatTaxPct.map { try Rate(percent: $0, field: "heat-tax-pct", places: 2).fraction }
        changes.landMu = try landMu.map { try Validate.decimal($0, field: "land-mu", scale: 2, maxIntegerDigits: 10) }
        changes.leadPoolDays = leadPoolDays
        guard name != nil || address != nil || industries != nil || landMu != nil || leadPoolDays != nil || !changes.billing.isEmpty else {
            throw ValidationError("""
                give at least one of --name, --address, --industries, --land-mu, --lead-pool-days, --pay-within-days, --grace-days, --late-fee-pct, \
                --rent-tax-pct, --property-fee-tax-pct, --utility-tax-pct, --water-tax-pct, --gas-tax-pct, --heat-tax-pct
                """)
        }
        let changed = try PortfolioService(staff.session()).setPark(code, changes)
        say(changedLine("park \(code)", changed))
    }
}

struct ParkRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a park entered by mistake (one with no building, application, ticket or staff).")
    @OptionGroup var staff: StaffOptions
    @Argument(help: "Park code.") var code: String

    func run() throws {
        try PortfolioService(staff.session()).removePark(code)
        say("removed park \(code)\n")
    }
}

struct BuildingSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Correct a building's name, floors or delivery day.",
        discussion: "Example: parkctl building set SW/B1 --floors 14")
    @OptionGroup var staff: StaffOptions
    @Argument(help: "PARK/BUILDING, e.g. SW/B1.") var building: String
    @Option(parsing: .unconditional, help: "Name.") var name: String?
    @Option(parsing: .unconditional, help: "Floors above ground.") var floors: Int?
    @Option(parsing: .unconditional, help: "Floors below ground.") var floorsBelow: Int?
    @Option(help: "Delivery date, YYYY-MM-DD.") var delivered: String?

    func run() throws {
        guard name != nil || floors != nil || floorsBelow != nil || delivered != nil else {
            throw ValidationError("give at least one of --name, --floors, --floors-below, --delivered")
        }
        let changes = PortfolioService.BuildingChanges(
            name: name, floorsAbove: floors, floorsBelow: floorsBelow,
            deliveredOn: try delivered.map { try Day(option: $0, field: "delivered").date })
        let changed = try PortfolioService(staff.session()).setBuilding(try BuildingAddress(parsing: building), changes)
        say(changedLine("building \(building)", changed))
    }
}

struct BuildingRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a building entered by mistake (one that holds no unit).")
    @OptionGroup var staff: StaffOptions
    @Argument(help: "PARK/BUILDING.") var building: String

    func run() throws {
        try PortfolioService(staff.session()).removeBuilding(try BuildingAddress(parsing: building))
        say("removed building \(building)\n")
    }
}

struct UnitSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Correct a unit's area, kind, list rent or floor.",
        discussion: """
            The area or kind of a unit that a lease holds (today or later) changes that lease's rent and the \
            reports of the past as recorded: it needs --reason, which the audit trail keeps; the version \
            replaced stays in the unit's history.
            Example: parkctl unit set SW/B1/0301 --area 265.80 --reason 复测面积
            """)
    @OptionGroup var staff: StaffOptions
    @Argument(help: "PARK/BUILDING/UNIT.") var unit: String
    @Option(parsing: .unconditional, help: "Lettable area in m², up to 2 decimals.") var area: String?
    @Option(choice: "Kind") var kind: UnitKind?
    @Option(parsing: .unconditional, help: "List rent in 元/m²/month.") var listRent: String?
    @Option(parsing: .unconditional, help: "Floor (negative below ground).") var floor: Int?
    @Option(help: "Why (kept in the audit trail; needed to change a leased unit's area or kind).") var reason: String?

    func run() throws {
        guard area != nil || kind != nil || listRent != nil || floor != nil else {
            throw ValidationError("give at least one of --area, --kind, --list-rent, --floor")
        }
        let changes = PortfolioService.UnitChanges(
            areaM2: try area.map { try Area(option: $0, field: "area").squareMetres }, kind: kind,
            listRent: try listRent.map { try Money(option: $0, field: "list rent", positive: false).amount }, floor: floor)
        let changed = try PortfolioService(staff.session()).setUnit(try UnitAddress(parsing: unit), changes, reason: reason)
        say(changedLine("unit \(unit)", changed))
    }
}

struct UnitRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a unit entered by mistake (one no lease or ticket ever named).")
    @OptionGroup var staff: StaffOptions
    @Argument(help: "PARK/BUILDING/UNIT.") var unit: String

    func run() throws {
        try PortfolioService(staff.session()).removeUnit(try UnitAddress(parsing: unit))
        say("removed unit \(unit)\n")
    }
}
