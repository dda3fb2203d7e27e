import ArgumentParser
import Foundation
import ParkCore

struct LeaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease", abstract: "Sign, renew, terminate and list leases.",
        subcommands: [Sign.self, Amend.self, Renew.self, Terminate.self, Cancel.self, List.self, Show.self, Schedule.self, Settle.self])

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a lease; prints its number.",
            discussion: """
                Example: parkctl lease sign --tenant 91350100M000100Y43 --units SW/B1/0301,SW/B1/0302 \
                --start 2026-12-01 --end 2029-11-30 --rent 35.00 --property-fee 4.50 --free-from 2026-12-01 \
                --free-to 2027-02-28 --deposit-months 2 --escalation-pct 3 --cycle quarterly
                """)
        @OptionGroup var staff: StaffOptions
        @Option(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Units, comma-separated PARK/BUILDING/UNIT.") var units: String
        @Option(help: "First day, YYYY-MM-DD.") var start: String
        @Option(help: "Last day (included), YYYY-MM-DD.") var end: String
        @Option(parsing: .unconditional, help: "Rent in 元/m²/month.") var rent: String
        @Option(parsing: .unconditional, help: "Property fee in 元/m²/month.") var propertyFee: String = "0"
        @Option(help: "Rent-free window: first day.") var freeFrom: String?
        @Option(help: "Rent-free window: last day.") var freeTo: String?
        @Option(help: "Fit-out window: first day.") var fitOutFrom: String?
        @Option(help: "Fit-out window: last day.") var fitOutTo: String?
        @Option(parsing: .unconditional, help: "Deposit in months of the starting rent.") var depositMonths: String?
        @Option(parsing: .unconditional, help: "Deposit as an amount in 元.") var deposit: String?
        @Option(parsing: .unconditional, help: "Yearly escalation in percent, from each anniversary.") var escalationPct: String = "0"
        @Option(choice: "Payment cycle") var cycle: PaymentCycle = .monthly
        @Option(parsing: .unconditional, help: "Late fee in percent a day (0.05 = 万分之五; default: the park's).") var lateFeePct: String?

        func validate() throws {
            if (freeFrom == nil) != (freeTo == nil) { throw ValidationError("give both --free-from and --free-to, or neither") }
            if (fitOutFrom == nil) != (fitOutTo == nil) { throw ValidationError("give both --fit-out-from and --fit-out-to, or neither") }
            if depositMonths != nil && deposit != nil { throw ValidationError("give --deposit-months or --deposit, not both") }
        }

        func run() throws {
            let date = { (text: String, field: String) in try Day(option: text, field: field).date }
            var terms = LeaseService.Terms(
                tenantCreditCode: tenant, units: try units.split(separator: ",").map { try UnitAddress(parsing: String($0)) },
                start: try date(start, "start"), end: try date(end, "end"),
                rent: try Money(option: rent, field: "rent").amount)
            terms.propertyFee = try Money(option: propertyFee, field: "property fee", positive: false).amount
            if let freeFrom, let freeTo { terms.freeWindow = (try date(freeFrom, "free-from"), try date(freeTo, "free-to")) }
            if let fitOutFrom, let fitOutTo { terms.fitOutWindow = (try date(fitOutFrom, "fit-out-from"), try date(fitOutTo, "fit-out-to")) }
            terms.deposit = try deposit.map { try Money(option: $0, field: "deposit", positive: false).amount }
            // A number of months, not an amount of money.
            terms.depositMonths = try depositMonths.map { try Validate.decimal($0, field: "deposit months") }
            terms.escalationPct = try Percent(option: escalationPct, field: "escalation").value
            terms.cycle = cycle
            terms.lateFeeRate = try lateFeePct.map { try Rate(percent: $0, field: "late-fee-pct", places: 4).fraction }
            let lease = try LeaseService(staff.session()).sign(terms)
            say("\(lease.number)\n")
        }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a supplementary agreement (补充协议): rent, property fee or units from a day, or a new end.",
            discussion: """
                The changes given with --from take effect on that day: the new rent and property fee (元/m²/month; \
                the lease's yearly escalation still applies at its later anniversaries), units added (held from that \
                day) and units released (free from that day). --end moves the lease's last day (extend or shorten). \
                Each amendment is numbered (L-2027-000001-A1, -A2, …) and kept; a wrong one is corrected by another.

                Examples:
                  parkctl lease amend L-2027-000001 --from 2027-07-01 --rent 60 --note "补充协议一: 调租"
                  parkctl lease amend L-2027-000001 --from 2027-03-16 --add-unit SW/B1/0302
                  parkctl lease amend L-2027-000001 --from 2027-09-01 --release-unit SW/B1/0301
                  parkctl lease amend L-2027-000001 --end 2029-12-31
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Lease number, e.g. L-2027-000001.") var number: String
        @Option(help: "The day the changes take effect, YYYY-MM-DD.") var from: String?
        @Option(parsing: .unconditional, help: "New rent in 元/m²/month, from --from.") var rent: String?
        @Option(parsing: .unconditional, help: "New property fee in 元/m²/month, from --from.") var propertyFee: String?
        @Option(help: "A unit added from --from, PARK/BUILDING/UNIT (repeat, or comma-separated).") var addUnit: [String] = []
        @Option(help: "A unit released from --from: free from that day (repeat, or comma-separated).") var releaseUnit: [String] = []
        @Option(help: "The lease's new last day, YYYY-MM-DD (extend or shorten).") var end: String?
        @Option(help: "The day the agreement was signed (default today).") var signedOn: String?
        @Option(help: "A note kept with the amendment, e.g. the agreement's title.") var note: String?
        @Option(help: "Why, when the lease has ended already (kept in the audit).") var reason: String?

        func validate() throws {
            let fromADay = rent != nil || propertyFee != nil || !addUnit.isEmpty || !releaseUnit.isEmpty
            if !fromADay && end == nil {
                throw ValidationError("an amendment changes something: give --rent, --property-fee, --add-unit or --release-unit (with --from), or --end")
            }
            if fromADay && from == nil { throw ValidationError("give --from: the day the new rent, property fee or units take effect") }
            if !fromADay && from != nil {
                throw ValidationError("--from dates a new rent, property fee or unit change; with --end alone leave it out")
            }
        }

        func run() throws {
            let units = { (list: [String]) in
                try list.flatMap { $0.split(separator: ",") }.map { try UnitAddress(parsing: String($0)) }
            }
            var change = LeaseService.Amendment(signedOn: try signedOn.map { try Day(option: $0, field: "signed-on").date })
            change.effectiveOn = try from.map { try Day(option: $0, field: "from").date }
            change.rent = try rent.map { try Money(option: $0, field: "rent").amount }
            change.propertyFee = try propertyFee.map { try Money(option: $0, field: "property fee", positive: false).amount }
            change.addUnits = try units(addUnit)
            change.releaseUnits = try units(releaseUnit)
            change.end = try end.map { try Day(option: $0, field: "end").date }
            change.note = note
            change.reason = reason
            let lease = try LeaseService(staff.session()).amend(number, change)
            let amendment = lease.amendments.last!
            say("\(amendment.number) recorded: \(amendment.summary)\n")
            for limit in amendment.limits { say("note: \(limit)\n") }
        }
    }

    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Renew a lease from the day after it ends; prints the new number.",
            discussion: """
                What is not given is taken from the old lease: the rent and property fee in force on its last day, \
                the units it holds that day, its deposit, escalation and cycle.

                Example: parkctl lease renew L-2027-000001 --end 2030-12-31 --rent 62 --units SW/B1/0301,SW/B1/0303
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Lease number, e.g. L-2026-000123.") var number: String
        @Option(help: "Last day of the renewal, YYYY-MM-DD.") var end: String
        @Option(parsing: .unconditional, help: "New rent in 元/m²/month (default: the rent in force at the end).") var rent: String?
        @Option(parsing: .unconditional, help: "Property fee in 元/m²/month (default: the one in force at the end).") var propertyFee: String?
        @Option(help: "The renewal's units, comma-separated PARK/BUILDING/UNIT (default: those held on the last day).") var units: String?
        @Option(parsing: .unconditional, help: "Deposit as an amount in 元 (default: the old lease's).") var deposit: String?
        @Option(parsing: .unconditional, help: "Yearly escalation in percent (default: the old lease's).") var escalationPct: String?
        @Option(choice: "Payment cycle (default: the old lease's)") var cycle: PaymentCycle?
        @Option(help: "Rent-free window of the renewal: first day.") var freeFrom: String?
        @Option(help: "Rent-free window of the renewal: last day.") var freeTo: String?

        func validate() throws {
            if (freeFrom == nil) != (freeTo == nil) { throw ValidationError("give both --free-from and --free-to, or neither") }
        }

        func run() throws {
            var renewal = LeaseService.Renewal(end: try Day(option: end, field: "end").date,
                                               rent: try rent.map { try Money(option: $0, field: "rent").amount })
            renewal.propertyFee = try propertyFee.map { try Money(option: $0, field: "property fee", positive: false).amount }
            renewal.units = try units.map { try $0.split(separator: ",").map { try UnitAddress(parsing: String($0)) } }
            renewal.deposit = try deposit.map { try Money(option: $0, field: "deposit", positive: false).amount }
            renewal.escalationPct = try escalationPct.map { try Percent(option: $0, field: "escalation").value }
            renewal.cycle = cycle
            if let freeFrom, let freeTo {
                renewal.freeWindow = (try Day(option: freeFrom, field: "free-from").date, try Day(option: freeTo, field: "free-to").date)
            }
            let lease = try LeaseService(staff.session()).renew(number, renewal)
            say("\(lease.number)\n")
        }
    }

    struct Terminate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a lease early; its units are free from the next day.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Lease number.") var number: String
        @Option(help: "The lease's new last day, YYYY-MM-DD.") var on: String
        @Option(help: "Why (kept).") var reason: String

        func run() throws {
            let service = LeaseService(try staff.session(repairing: true))
            let lastDay = try Day(option: on, field: "on").date
            // Units an amendment adds from a later day are not taken: say so.
            let notTaken = (try? service.lease(number))?.partialUnits.filter { $0.days.first > lastDay } ?? []
            let lease = try service.terminate(number, on: lastDay, reason: reason)
            say("\(lease.number) terminated: last day \(lease.terminatedOn!), units free from \(lease.terminatedOn!.adding(days: 1))\n")
            for unit in notTaken {
                say("note: \(unit.unit), which the lease was to hold from \(unit.days.first), is not taken\n")
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Void a draft or a lease that has not started.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Lease number.") var number: String
        @Option(help: "Why (kept).") var reason: String

        func run() throws {
            let lease = try LeaseService(staff.session(repairing: true)).cancel(number, reason: reason)
            say("\(lease.number) cancelled\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leases.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this tenant (credit code, registered name or short name).") var tenant: String?
        @Option(help: "Only leases in force on this day.") var activeOn: String?
        @Option(help: "Only signed leases ending within this many days from today.") var expiringWithin: Int?

        func run() throws {
            let leases = try LeaseService(staff.session(repairing: true)).list(
                park: park, tenantCreditCode: tenant, activeOn: try activeOn.map { try Day(option: $0, field: "active-on").date },
                expiringWithinDays: expiringWithin)
            try output.print(leases.map(\.record), columns: output.format == .table
                                    ? ["number", "tenant", "units", "area_m2", "start", "last_day", "end", "current_rent", "status",
                                       "renewed_by"] : nil)
        }
    }

    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A lease's rent schedule alone, one row a month (for Excel: --format csv).")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Lease number.") var number: String

        func run() throws {
            try output.print(try LeaseService(staff.session()).schedule(number).map(\.record))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a lease: terms, units and rent schedule.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Lease number.") var number: String

        func run() throws {
            let service = LeaseService(try staff.session(repairing: true))
            let lease = try service.lease(number)
            let record = lease.record
            if !lease.partialUnits.isEmpty {
                record.fields.append((key: "units_for_part_of_the_term", value: .records(lease.partialUnits.map(\.record))))
            }
            if !lease.amendments.isEmpty {
                record.fields.append((key: "amendments", value: .records(lease.amendments.map(\.record))))
            }
            record.fields.append((key: "schedule", value: .records(try service.schedule(number).map(\.record))))
            try output.printOne(record)
        }
    }

    struct Settle: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a lease at its end (退租结算): the deposit pays its open bills and deductions, the rest is refunded.",
            discussion: """
                Example: parkctl lease settle L-2026-000003 --deduct 800 --reason "墙面修复" --deduct 200 --reason "清洁" --on 2029-11-30
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Lease number.") var number: String
        @Option(parsing: .unconditionalSingleValue, help: "A deduction from the deposit, in 元 (repeat, each with its --reason).") var deduct: [String] = []
        @Option(help: "Why, one per --deduct, in the same order.") var reason: [String] = []
        @Option(help: "The day, YYYY-MM-DD, on or after the lease's last day (default: today).") var on: String?
        @Option(help: "Also write a printable HTML page to this file.") var html: String?

        func validate() throws {
            if deduct.count != reason.count { throw ValidationError("give one --reason for each --deduct (\(deduct.count) deductions, \(reason.count) reasons)") }
        }

        func run() throws {
            let deductions = try zip(deduct, reason).map { Settlement.Deduction(amount: try Money(option: $0, field: "deduct").amount, reason: $1) }
            let settlement = try SettlementService(staff.session()).settle(number, deductions: deductions, on: try optionalDate(on, "on"))
            try output.printOne(settlement.record)
            if let html {
                var page = HTMLPage(title: "退租结算单 Settlement · \(settlement.lease) · \(settlement.on)")
                page.paragraph("\(settlement.tenant) (\(settlement.creditCode)), \(settlement.park), \(settlement.lease)")
                page.paragraph("押金 Deposit held: \(OutputValue.fixed(settlement.depositHeld, places: 2)) 元")
                page.heading("扣款 Deductions")
                page.table(settlement.deductionRecords)
                page.heading("抵扣 Paid from the deposit and credit")
                page.table(settlement.allocations.map(\.record))
                page.heading("退还 Refunds")
                page.table(settlement.refundRecords)
                page.paragraph("退还合计 Refunded: \(OutputValue.fixed(settlement.refunded, places: 2)) 元")
                if settlement.creditKept > 0 {
                    page.paragraph("保留预收 Credit kept for other leases: \(OutputValue.fixed(settlement.creditKept, places: 2)) 元")
                }
                page.paragraph("尚欠 Still owed: \(OutputValue.fixed(settlement.stillOwed, places: 2)) 元")
                try page.write(to: html)
            }
        }
    }
}
