import Foundation
import ParkCore

// How each model reads in output: the JSON keys, the CSV header and the table columns.

extension Park {
    var record: Record {
        Record([("code", .text(code)), ("name", .text(name)), ("kind", .label(kind)),
                ("industries", .list(industries)), ("address", .optional(address)),
                ("buildings", .integer(buildingCount)), ("units", .integer(unitCount)), ("area_m2", .money(areaM2)),
                ("land_mu", landMu.map { .decimal($0, places: 2) } ?? .null)])
    }
}

extension Building {
    var record: Record {
        Record([("code", .text(address.description)), ("park", .text(address.park)), ("name", .text(name)),
                ("floors", .integer(floorsAbove)), ("floors_below", .integer(floorsBelow)),
                ("delivered_on", .date(deliveredOn)), ("units", .integer(unitCount)), ("area_m2", .money(areaM2))])
    }
}

extension RentalUnit {
    var record: Record {
        Record([("code", .text(address.description)), ("park", .text(address.park)), ("building", .text(address.building)),
                ("floor", .integer(floor)), ("area_m2", .money(areaM2)), ("kind", .label(kind)),
                ("list_rent", .money(listRent)), ("off_market", .bool(offMarketReason != nil)),
                ("off_market_reason", .optional(offMarketReason))])
    }
}

extension Tenant {
    var fields: [(String, OutputValue)] {
        [("name", .text(name)), ("short_name", .optional(shortName)), ("credit_code", .text(creditCode)), ("industry", .industry(industry)),
         ("contact", .text(contact)), ("phone", .text(phone)), ("email", .optional(email))]
    }
}

extension Onboarding {
    /// A row of `tenant list`.
    var listRecord: Record {
        Record(tenant.fields + [("park", .text(park)), ("stage", .label(stage)),
                                ("applied_at", .time(appliedAt)), ("override_reason", .optional(overrideReason))])
    }

    /// One application in `tenant show`, with its timeline and checklist.
    var detailRecord: Record {
        Record([("park", .text(park)), ("stage", .label(stage)), ("applied_at", .time(appliedAt)),
                ("wanted_area_m2", .money(wantedAreaM2)), ("wanted_kind", .label(wantedKind)),
                ("override_reason", .optional(overrideReason)),
                ("checklist_complete", .bool(checklistComplete)),
                ("timeline", .records(steps.map { step in
                    Record([("on", .date(step.on)), ("from", .label(step.from)), ("to", .label(step.to)),
                            ("actor", .text(step.actor)), ("reason", .optional(step.reason))])
                })),
                ("checklist", .records(checklist.map { check in
                    Record([("item", .text(check.item.rawValue)), ("name", .text(check.item.chineseName)),
                            ("done", .bool(check.doneAt != nil)), ("done_at", .time(check.doneAt)),
                            ("actor", .optional(check.actor))])
                })),
                ("unchecked", .records(undone.map { u in
                    Record([("item", .text(u.item.rawValue)), ("name", .text(u.item.chineseName)), ("done_at", .time(u.doneAt)),
                            ("undone_at", .time(u.undoneAt)), ("undone_by", .text(u.undoneBy)), ("reason", .text(u.reason))])
                }))])
    }
}

extension AuditEntry {
    var record: Record {
        Record([("id", .integer(id)), ("at", .time(at)), ("actor", .text(actor)), ("actor_name", .optional(actorName)),
                ("entity", .text(entity)),
                ("key", .text(key)), ("label", .optional(label)), ("action", .text(action)), ("park", .optional(park)),
                ("changes", .text(changes)), ("reason", .optional(reason))])
    }
}

extension Lease {
    var record: Record {
        Record([("number", .text(number)), ("tenant", .text(tenantName)), ("credit_code", .text(tenantCreditCode)),
                ("park", .text(park)), ("units", .list(units)), ("area_m2", .money(areaM2)),
                ("start", .date(term.first)), ("end", .date(term.last)), ("terminated_on", .date(terminatedOn)),
                // The last day the lease holds its units: the end, or the termination day.
                ("last_day", .date(occupancy.last)),
                ("rent", .money(rent)), ("current_rent", .money(currentRent)), ("property_fee", .money(propertyFee)),
                ("current_property_fee", .money(currentPropertyFee)),
                ("free_from", .date(freeWindow?.first)), ("free_to", .date(freeWindow?.last)),
                ("fit_out_from", .date(fitOutWindow?.first)), ("fit_out_to", .date(fitOutWindow?.last)),
                ("deposit", .money(deposit)), ("escalation_pct", .money(escalationPct)), ("cycle", .label(cycle)),
                ("status", .label(status)), ("renews", .optional(renews)), ("renewed_by", .optional(renewedBy)),
                ("end_reason", .optional(endReason))])
    }
}

extension UnitDays {
    var record: Record {
        Record([("unit", .text(unit)), ("from", .date(days.first)), ("to", .date(days.last))])
    }
}

extension LeaseAmendment {
    var record: Record {
        Record([("number", .text(number)), ("signed_on", .date(signedOn)), ("from", .date(effectiveOn)),
                ("rent", .money(rent)), ("rent_until", .date(rentUntil)), ("property_fee", .money(propertyFee)),
                ("property_fee_until", .date(propertyFeeUntil)), ("end_before", .date(endBefore)), ("end_after", .date(endAfter)),
                ("units_added", .list(unitsAdded)), ("units_released", .list(unitsReleased)),
                ("note", .optional(note)), ("by", .text(actor))])
    }

    /// What it changed, in a line: "from 2027-07-01 rent 60.00; end 2029-12-31 (was 2028-12-31)".
    var summary: String {
        var parts: [String] = []
        if let rent { parts.append("rent \(OutputValue.fixed(rent, places: 2)) 元/m²/month") }
        if let propertyFee { parts.append("property fee \(OutputValue.fixed(propertyFee, places: 2)) 元/m²/month") }
        if !unitsAdded.isEmpty { parts.append("adds \(unitsAdded.joined(separator: ", "))") }
        if !unitsReleased.isEmpty { parts.append("releases \(unitsReleased.joined(separator: ", "))") }
        var line = effectiveOn.map { "from \($0): " + parts.joined(separator: "; ") } ?? ""
        if let endAfter, let endBefore {
            line += (line.isEmpty ? "" : "; ") + "last day \(endAfter) (was \(endBefore))"
        }
        return line
    }

    /// What a later amendment limits: "the rent is in force until 2027-01-31 (a later
    /// amendment sets it from 2027-02-01)".
    var limits: [String] {
        [("rent", rent, rentUntil), ("property fee", propertyFee, propertyFeeUntil)].compactMap { name, value, until in
            guard value != nil, let until, let from = effectiveOn else { return nil }
            return until < from
                ? "a later amendment sets the \(name) from \(from) too, so this \(name) is never in force"
                : "the \(name) is in force until \(until) (a later amendment sets it from \(until.adding(days: 1)))"
        }
    }
}

extension RentMonth {
    var record: Record {
        Record([("month", .text(String(month.description.prefix(7)))), ("from", .date(period.first)), ("to", .date(period.last)),
                ("days", .integer(days)), ("free_days", .integer(freeDays)), ("area_m2", .money(areaM2)), ("rent_per_m2", .money(rentPerM2)),
                ("rent_due", .money(rentDue)), ("property_fee_due", .money(propertyFeeDue))])
    }
}

extension UnitOccupancy {
    var record: Record {
        let base = unit.record
        base.fields.append((key: "status", value: .label(status)))
        base.fields.append((key: "fitting_out", value: .bool(fittingOut)))
        base.fields.append((key: "lease", value: .optional(lease)))
        base.fields.append((key: "tenant", value: .optional(tenant)))
        base.fields.append((key: "as_of", value: .date(asOf)))
        return base
    }
}

extension Ticket {
    var record: Record {
        Record([("number", .text(number)), ("park", .text(park)), ("tenant", .text(tenantName)),
                ("credit_code", .text(tenantCreditCode)), ("unit", .optional(unit)), ("category", .label(category)),
                ("priority", .label(priority)), ("title", .text(title)), ("description", .optional(description)),
                ("reporter", .optional(reporter)), ("assignee", .optional(assignee)),
                ("assignee_name", .optional(assigneeName)), ("status", .label(status)),
                ("clock", .label(clock)), ("opened_at", .time(openedAt)), ("first_response_at", .time(firstResponseAt)),
                ("resolved_at", .time(resolvedAt)), ("closed_at", .time(closedAt)),
                ("response_due_at", .time(responseDueAt)), ("resolution_due_at", .time(resolutionDueAt)),
                ("response_breached", .bool(responseBreached)), ("resolution_breached", .bool(resolutionBreached)),
                ("breached", .bool(breached))])
    }

    var detailRecord: Record {
        let r = record
        r.fields.append((key: "events", value: .records(events.map { e in
            Record([("no", e.number.map { .integer($0) } ?? .optional(nil)), ("at", .time(e.at)), ("actor", .text(e.actor)),
                    ("actor_name", .optional(e.actorName)), ("kind", .text(e.kind)), ("from", .optional(e.from)),
                    ("to", .optional(e.to)), ("note", .optional(e.note))])
        })))
        return r
    }
}

extension ServiceLevel {
    var record: Record {
        Record([("category", .label(category)), ("priority", .label(priority)),
                ("response", .text(response.description)), ("resolution", .text(resolution.description)),
                ("clock", .label(clock))])
    }
}

extension CalendarEntry {
    var record: Record {
        Record([("date", .date(day)), ("kind", .label(kind)), ("name", .optional(name)), ("park", .optional(park)),
                ("source", .optional(source))])
    }
}

extension Meter {
    var record: Record {
        Record([("code", .text(address.description)), ("park", .text(address.park)), ("kind", .label(kind)),
                ("unit", .optional(unit)), ("parent", .optional(parent)), ("multiplier", .decimal(multiplier, places: 2)),
                ("registers", .list(registers.map(\.rawValue))), ("rolls_over_at", rollsOverAt.map { .decimal($0, places: 2) } ?? .null), ("installed_on", .day(installedOn)),
                ("removed_on", .date(removedOn)), ("last_read_on", .date(lastReadOn)),
                ("last_value", lastValue.map { .decimal($0, places: 2) } ?? .null), ("note", .optional(note))])
    }
}

extension MeterReading {
    var record: Record {
        Record([("read_on", .day(readOn)), ("register", .label(register)), ("value", .decimal(value, places: 2)), ("kind", .label(kind)),
                ("multiplier", .decimal(multiplier, places: 2)), ("replaced_final", replacedFinal.map { .decimal($0, places: 2) } ?? .null),
                ("used", used.map { .decimal($0, places: 2) } ?? .null), ("read_by", .text(readBy))])
    }
}

extension UtilityTariff {
    var record: Record {
        Record([("park", .text(park)), ("kind", .label(kind)), ("from", .day(fromDay)), ("price", .decimal(basePrice, places: 4)),
                ("tiers", .list(tiers.map { "\($0.above)=\($0.price)" })),
                ("peak_price", bands.map { .decimal($0.peak, places: 4) } ?? .null),
                ("valley_price", bands.map { .decimal($0.valley, places: 4) } ?? .null),
                ("sharp_price", bands?.sharp.map { .decimal($0, places: 4) } ?? .null)])
    }
}

extension ShareRule {
    var record: Record {
        Record([("meter", .text(meter)), ("basis", .label(basis)), ("shares", .code(shares, in: "utility_source")),
                ("weights", .list(weights))])
    }
}

extension UtilityPeriod {
    var record: Record {
        Record([("number", .text(number)), ("park", .text(park)), ("kind", .label(kind)), ("from", .day(from)), ("to", .day(to)),
                ("status", .label(status)), ("reverses", .optional(reverses)), ("reason", .optional(reason)), ("posted_on", .date(postedOn))])
    }
}

extension UtilityPeriod.LeaseTotal {
    var record: Record {
        Record([("lease", .text(lease)), ("tenant", .text(tenant)), ("quantity", .decimal(quantity, places: 2)),
                ("amount", .decimal(amount, places: 2)), ("bill", .optional(bill))])
    }
}

extension UtilityPeriod.Line {
    var record: Record {
        Record([("lease", .text(lease)), ("meter", .text(meter)), ("register", .label(register)), ("source", .code(source, in: "utility_source")),
                ("basis", .code(basis, in: "utility_basis")), ("meter_used", .decimal(meterUsed, places: 2)),
                ("weight", .decimal(weight, places: 2)), ("total_weight", .decimal(totalWeight, places: 2)),
                ("quantity", .decimal(quantity, places: 2))])
    }
}

extension EnterpriseStat {
    var record: Record {
        let amount = { (value: Decimal?) -> OutputValue in value.map { .decimal($0, places: 4) } ?? .null }
        return Record([("park", .text(park)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("period", .text(period.description)),
                       ("revenue", amount(figures.revenue)), ("industrial_output", amount(figures.industrialOutput)),
                       ("tax_paid", amount(figures.taxPaid)), ("rd_spend", amount(figures.rdSpend)),
                       ("employees", figures.employees.map { .integer($0) } ?? .null), ("source", .label(source)),
                       ("verified_by", .optional(verifiedBy)), ("note", .optional(note)), ("recorded_by", .text(recordedBy))])
    }
}

extension OutputValue {
    /// A named qualification kind by its label (高新技术企业), a park's own by its name.
    static func qualificationKind(_ kind: String) -> OutputValue {
        QualificationKind(rawValue: kind).map { .label($0) } ?? .text(kind)
    }
}

extension Qualification {
    var record: Record {
        Record([("park", .text(park)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)),
                ("kind", .qualificationKind(kind)), ("certificate", .optional(certificate)),
                ("valid_from", .day(validFrom)), ("valid_to", .date(validTo)), ("days_left", daysLeft.map { .integer($0) } ?? .null),
                ("contact", .text(contact)), ("phone", .text(phone)), ("note", .optional(note))])
    }
}

extension Lead {
    var record: Record {
        Record([("number", .text(number)), ("park", .text(park)), ("company", .text(company)), ("credit_code", .optional(creditCode)),
                ("industry", .industry(industry)), ("source", .label(source)), ("wanted_area_m2", wantedAreaM2.map { .decimal($0, places: 2) } ?? .null),
                ("wanted_kind", .label(wantedKind)), ("contact", .text(contact)), ("phone", .text(phone)), ("owner", .optional(owner)),
                ("in_pool", .bool(inPool)), ("stage", .label(stage)), ("stage_since", .day(stageSince)), ("lost_reason", .optional(lostReason)),
                ("tenant_credit_code", .optional(tenantCreditCode)), ("last_touched", .day(lastTouched)), ("created_on", .day(createdOn))])
    }
}

extension FollowUp {
    var record: Record {
        Record([("happened_on", .day(happenedOn)), ("way", .label(way)), ("note", .text(note)), ("next_step_on", .date(nextStepOn)),
                ("by", .text(by))])
    }
}

extension TenantFollowUp {
    var record: Record {
        Record([("park", .text(park)), ("manager", .optional(manager))] + followUp.record.fields.map { ($0.key, $0.value) })
    }
}

extension VisitRow {
    var record: Record {
        Record([("park", .text(park)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("manager", .optional(manager)),
                ("visits", .integer(visits)), ("last_visit", .date(lastVisit)), ("days_since", daysSince.map { .integer($0) } ?? .null),
                ("contact", .text(contact)), ("phone", .text(phone)), ("units", .list(units))])
    }
}

extension FollowUpsDue.Row {
    var record: Record {
        Record([("due", .day(due)), ("park", .text(park)), ("lead_or_credit_code", .text(reference)),
                ("company", .text(company)), ("owner", .optional(owner)), ("stage", leadStage.map { .label($0) } ?? .label(tenantStage)), ("phone", .text(phone)),
                ("note", .text(note))])
    }
}
