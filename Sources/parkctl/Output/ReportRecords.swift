import Foundation
import ParkCore

extension OccupancyReport.Row {
    var label: String {
        if scope == "total" { return "total 合计" }
        return [park, building, floor.map { "\($0)F" }, kind].compactMap { $0 }.joined(separator: " ")
    }

    var record: Record {
        Record([("scope", .code(scope, in: "scope")), ("park", .optional(park)), ("building", .optional(building)),
                ("floor", floor.map(OutputValue.integer) ?? .null), ("kind", .code(kind, in: "unit_kind")),
                ("units_total", .integer(unitsTotal)), ("units_leased", .integer(unitsLeased)),
                ("units_reserved", .integer(unitsReserved)), ("units_vacant", .integer(unitsVacant)),
                ("units_off_market", .integer(unitsOffMarket)), ("area_total_m2", .money(areaTotal)),
                ("area_leased_m2", .money(areaLeased)), ("area_reserved_m2", .money(areaReserved)),
                ("area_vacant_m2", .money(areaVacant)), ("area_off_market_m2", .money(areaOffMarket)),
                ("occupancy_rate_area", .ratio(occupancyRateArea)),
                ("occupancy_rate_units", .ratio(occupancyRateUnits))])
    }
}

extension VacancyReport.Row {
    var record: Record {
        Record([("unit", .text(unit)), ("park", .text(park)), ("building", .text(building)), ("floor", .integer(floor)),
                ("kind", .code(kind, in: "unit_kind")), ("area_m2", .money(areaM2)), ("list_rent", .money(listRent)),
                ("vacant_since", .date(vacantSince)), ("days_vacant", daysVacant.map(OutputValue.integer) ?? .null)])
    }
}

extension ExpiringReport.Row {
    var record: Record {
        Record([("lease", .text(lease)), ("tenant", .text(tenant)), ("park", .text(park)), ("units", .list(units)),
                ("area_m2", .money(areaM2)), ("current_rent", .money(currentRent)), ("end", .date(end)),
                ("days_left", .integer(daysLeft)), ("renewed", .bool(renewal != nil)), ("renewal", .optional(renewal)),
                ("units_leaving", .list(unitsLeaving))])
    }
}

extension RentRollReport.Row {
    var record: Record {
        Record([("scope", .code(scope, in: "scope")), ("lease", .optional(lease)), ("tenant", .optional(tenant)), ("park", .optional(park)),
                ("units", scope == "total" ? .null : .list(units)), ("area_m2", .money(areaM2)), ("rent_per_m2", .money(rentPerM2)),
                ("month_rent_due", .money(monthRentDue)), ("month_property_fee_due", .money(monthPropertyFeeDue)),
                ("deposit", .money(deposit)), ("next_escalation", .date(nextEscalation)), ("end", .date(end))])
    }
}

extension TicketReport.Row {
    var record: Record {
        func hours(_ d: Decimal?) -> OutputValue { d.map { .decimal($0, places: 2) } ?? .null }
        return Record([("scope", .code(scope, in: "scope")), ("category", .code(category, in: "category")), ("priority", .code(priority, in: "priority")),
                       ("opened", .integer(opened)), ("resolved", .integer(resolved)), ("open_now", .integer(openNow)),
                       ("breached", .integer(breached)), ("response_hours_median", hours(responseHoursMedian)),
                       ("response_hours_p90", hours(responseHoursP90)), ("resolution_hours_median", hours(resolutionHoursMedian)),
                       ("resolution_hours_p90", hours(resolutionHoursP90)),
                       ("met_share", .ratio(metShare))])
    }
}

extension TrendReport.Row {
    var record: Record {
        Record([("month_end", .date(monthEnd)), ("area_total_m2", .money(areaTotal)), ("area_leased_m2", .money(areaLeased)),
                ("area_off_market_m2", .money(areaOffMarket)),
                ("occupancy_rate_area", .ratio(occupancyRateArea))])
    }
}

extension StackingPlan.Cell {
    var record: Record {
        Record([("unit", .text(unit)), ("floor", .integer(floor)), ("area_m2", .money(areaM2)), ("state", .label(state)),
                ("tenant", .optional(tenant)), ("lease", .optional(lease)), ("lease_end", .date(leaseEnd))])
    }
}

/// The trend as a bar chart for a terminal.
enum TrendChart {
    static func render(_ rows: [TrendReport.Row], language: Language) -> String {
        let width = 40
        var out = Catalogue.text("trend.heading", in: language) + "\n"
        for row in rows {
            let rate = NSDecimalNumber(decimal: row.occupancyRateArea ?? 0).doubleValue
            let filled = Int((rate * Double(width)).rounded())
            out += String(row.monthEnd.description.prefix(7)) + "  "
                + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                + String(format: "  %6.2f%%", rate * 100) + "\n"
        }
        return out
    }
}

/// The stacking plan as text (coloured on a terminal) and as an HTML table.
enum StackingText {
    static func ansi(_ state: StackingPlan.State) -> String {
        switch state {
        case .leased: "\u{1B}[30;42m"
        case .expiring: "\u{1B}[30;43m"
        case .fittingOut: "\u{1B}[30;46m"
        case .reserved: "\u{1B}[30;45m"
        case .vacant: "\u{1B}[30;47m"
        case .offMarket: "\u{1B}[37;100m"
        }
    }

    static func mark(_ state: StackingPlan.State) -> String {
        switch state {
        case .leased: "■"
        case .expiring: "◆"
        case .fittingOut: "▲"
        case .reserved: "●"
        case .vacant: "□"
        case .offMarket: "×"
        }
    }

    static func text(_ cell: StackingPlan.Cell) -> String {
        // The short name (at most 8 characters) when the tenant has one; else the name's first 8.
        let tenant = cell.tenant.map { Validate.escapingControlCharacters(String($0.prefix(8))) } ?? ""
        return "\(mark(cell.state)) \(cell.unit) \(tenant) \(OutputValue.fixed(cell.areaM2, places: 0))㎡"
    }

    static func render(_ plan: StackingPlan.Plan, colour: Bool, language: Language) -> String {
        let width = plan.floors.flatMap(\.cells).map { DisplayWidth.of(text($0)) }.max() ?? 10
        var out = Validate.escapingControlCharacters("\(plan.building) \(plan.buildingName)")
            + " · \(Catalogue.text("text.as_of", in: language)) \(plan.asOf)\n"
        for floor in plan.floors {
            out += DisplayWidth.pad("\(floor.floor)F", to: 4, right: true) + " │"
            for cell in floor.cells {
                let body = DisplayWidth.pad(text(cell), to: width)
                out += " " + (colour ? ansi(cell.state) + body + "\u{1B}[0m" : body)
            }
            out += "\n"
        }
        out += Catalogue.text("text.legend", in: language) + ": " + StackingPlan.State.allCases.map { state in
            (colour ? ansi(state) + " \(mark(state)) " + "\u{1B}[0m" : mark(state)) + " " + state.label(in: language)
        }.joined(separator: "  ") + "\n"
        return out
    }

    static func html(_ plan: StackingPlan.Plan) -> String {
        let columns = plan.floors.map(\.cells.count).max() ?? 0
        var h = "<div class=\"legend\">" + StackingPlan.State.allCases.map {
            "<span class=\"\($0.rawValue)\">\(HTMLPage.escape($0.label(in: .en) + " " + $0.label(in: .zh)))</span>"
        }.joined() + "</div>"
        h += "<table class=\"stack\"><tbody>"
        for floor in plan.floors {
            h += "<tr><th>\(floor.floor)F</th>"
            for cell in floor.cells {
                h += "<td class=\"unit \(cell.state.rawValue)\" data-unit=\"\(HTMLPage.escape(cell.unit))\">"
                    + "<b>\(HTMLPage.escape(cell.unit))</b><br/>\(HTMLPage.escape(cell.tenant ?? "—"))<br/>"
                    + "\(OutputValue.fixed(cell.areaM2, places: 2)) ㎡</td>"
            }
            if floor.cells.count < columns { h += "<td colspan=\"\(columns - floor.cells.count)\"></td>" }
            h += "</tr>"
        }
        return h + "</tbody></table>"
    }
}

extension UtilityReport.TenantRow {
    var record: Record {
        Record([("lease", .text(lease)), ("tenant", .text(tenant)), ("own", .decimal(own, places: 2)),
                ("public_share", .decimal(publicShare, places: 2)), ("loss_share", .decimal(lossShare, places: 2)),
                ("quantity", .decimal(quantity, places: 2)), ("amount", .money(amount))])
    }
}

extension UtilityReport.MasterRow {
    var record: Record {
        Record([("meter", .text(meter)), ("used", .decimal(used, places: 2)), ("under_used", .decimal(underUsed, places: 2)),
                ("loss", .decimal(loss, places: 2)), ("loss_rate", .ratio(lossRate))])
    }
}

extension UtilityReport.MissingRow {
    var record: Record {
        Record([("meter", .text(meter)), ("unit", .optional(unit)),
                ("registers", .list(registers == [.total] ? [] : registers.map(\.rawValue))), ("last_read_on", .date(lastReadOn))])
    }
}

extension StatsReport.Row {
    /// By park and by industry the scope first; by enterprise its park, name and credit code.
    func record(_ view: StatsReport.View) -> Record {
        let head: [(String, OutputValue)] = switch view {
        case .park: [("park", .text(scope))]
        case .industry: [("industry", industry.map { .industry($0) } ?? .text(scope))]
        case .enterprise: [("park", .optional(park)), ("tenant", .text(scope)), ("credit_code", .optional(creditCode)),
                           ("industry", industry.map { .industry($0) } ?? .null)]
        }
        let growth = { (value: Decimal?) -> OutputValue in value.map { .ratio($0, places: 4) } ?? .null }
        let amount = { (value: Decimal?) -> OutputValue in value.map { .decimal($0, places: 2) } ?? .null }
        var fields = head + [("enterprises", .integer(enterprises)), ("revenue", amount(revenue)),
                             ("industrial_output", amount(industrialOutput)), ("tax_paid", amount(taxPaid)),
                             ("rd_spend", amount(rdSpend)), ("employees", employees.map { .integer($0) } ?? .null),
                             ("revenue_growth", growth(revenueGrowth)), ("output_growth", growth(outputGrowth)), ("tax_growth", growth(taxGrowth)),
                             ("leased_m2", .decimal(leasedM2, places: 2)), ("output_per_m2", outputPerM2.map { .decimal($0, places: 2) } ?? .null),
                             ("tax_per_m2", taxPerM2.map { .decimal($0, places: 2) } ?? .null)]
        if view == .park {
            fields += [("land_mu", landMu.map { .decimal($0, places: 2) } ?? .null), ("tax_per_mu", taxPerMu.map { .decimal($0, places: 4) } ?? .null)]
        }
        if view == .enterprise { fields.removeAll { $0.0 == "enterprises" } }
        return Record(fields)
    }
}

extension StatsReport.MissingRow {
    var record: Record {
        Record([("park", .text(park)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("contact", .text(contact)),
                ("phone", .text(phone)), ("units", .list(units))])
    }
}
