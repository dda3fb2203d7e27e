import ArgumentParser
import Foundation
import ParkCore

extension BillFee: Choice {}
extension BillStatus: Choice {}
extension PaymentMethod: Choice {}

/// An amount of money that may be negative (an adjustment's credit): "-1200.50".
struct SignedMoney {
    var amount: Decimal

    init(option text: String, field: String) throws {
        let negative = text.hasPrefix("-")
        let magnitude = try Money(option: negative ? String(text.dropFirst()) : text, field: field).amount
        amount = negative ? -magnitude : magnitude
    }
}

/// Bill numbers typed comma-separated: B-2026-000001,B-2026-000002.
func billNumbers(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

struct BillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bill", abstract: "Bills (账单): issue them from the leases, list them, waive, void and adjust.",
        subcommands: [Run.self, List.self, Show.self, Waive.self, Void.self, Adjust.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue every bill whose period starts on or before a day (and each lease's deposit bill) not issued yet.",
            discussion: "Example: parkctl bill run --through 2027-01-31 --park SW. Running it again issues nothing.")
        @OptionGroup var staff: StaffOptions
        @Option(help: "The last day a billing period may start on, YYYY-MM-DD.") var through: String
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            let result = try BillService(staff.session()).run(through: try Day(option: through, field: "through").date, park: park)
            say("issued \(result.bills) bill\(result.bills == 1 ? "" : "s") and \(result.credits) adjustment\(result.credits == 1 ? "" : "s") "
                + "for bills priced again (a lease terminated or amended); "
                + "\(result.allocations) allocation\(result.allocations == 1 ? "" : "s") of credit\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List bills with what each owed on a day.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this tenant (credit code, registered name or short name).") var tenant: String?
        @Option(help: "Only this lease.") var lease: String?
        @Option(help: "Only this park.") var park: String?
        @Option(choice: "Only bills in this state") var status: BillStatus?
        @Option(choice: "Only this fee") var fee: BillFee?
        @Flag(help: "Only bills with something owed past their due day.") var overdue = false
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?

        func run() throws {
            let (_, bills) = try BillService(staff.session()).list(BillService.Filter(
                tenant: tenant, lease: lease, park: park, status: status, fee: fee, overdue: overdue,
                asOf: try optionalDate(asOf, "as-of")))
            try output.print(bills.map(\.record), columns: output.format == .table
                                    ? ["number", "park", "lease", "tenant", "fee", "period_start", "period_end", "due_on", "amount", "paid",
                                       "waived", "balance", "status", "overdue_days"] : nil)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a bill with its allocations, waivers and invoices.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Bill number.") var number: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var asOf: String?

        func run() throws {
            try output.printOne(try BillService(staff.session()).show(number, asOf: try optionalDate(asOf, "as-of")).record)
        }
    }

    struct Waive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forgive part of a bill (减免; admin only).",
            discussion: "Example: parkctl bill waive B-2026-000012 --amount 500 --reason \"疫情减免\"")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Bill number.") var number: String
        @Option(parsing: .unconditional, help: "The amount forgiven, in 元.") var amount: String
        @Option(help: "Why (kept in the ledger and the audit trail).") var reason: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let detail = try BillService(staff.session()).waive(number, amount: try Money(option: amount, field: "amount").amount,
                                                                reason: reason, on: try optionalDate(on, "on"))
            try output.printOne(detail.record)
        }
    }

    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Void a bill issued in error, with nothing paid or waived.",
            discussion: "A bill with money paid is corrected by a credit instead: parkctl bill adjust --lease L --amount -A ...")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Bill number.") var number: String
        @Option(help: "Why (kept in the ledger and the audit trail).") var reason: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let detail = try BillService(staff.session()).void(number, reason: reason, on: try optionalDate(on, "on"))
            try output.printOne(detail.record)
        }
    }

    struct Adjust: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge (+A) or credit (-A) a lease; a credit pays its tenant's open bills, oldest first.",
            discussion: "Example: parkctl bill adjust --lease L-2026-000003 --amount -1200 --due 2026-12-31 --reason \"空调维修抵扣\"")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Lease number.") var lease: String
        @Option(parsing: .unconditional, help: "The amount in 元: more than 0 charges, less than 0 credits.") var amount: String
        @Option(help: "The due day, YYYY-MM-DD.") var due: String
        @Option(help: "Why (kept on the bill).") var reason: String

        func run() throws {
            let (detail, _) = try BillService(staff.session()).adjust(
                lease: lease, amount: try SignedMoney(option: amount, field: "amount").amount,
                due: try Day(option: due, field: "due").date, reason: reason)
            try output.printOne(detail.record)
        }
    }
}

struct PaymentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment", abstract: "Payments (收款): record them, list them, reverse a bounced one.",
        subcommands: [Record.self, List.self, Show.self, Reverse.self, Refund.self])

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a payment; it pays the tenant's open bills in the park, oldest first, and the rest is credit.",
            discussion: """
                Example: parkctl payment record --tenant 91350100M000100Y43 --park SW --amount 30000 --on 2026-12-01 \
                --method bank --reference 银行流水123
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The tenant (credit code, registered name or short name).") var tenant: String
        @Option(help: "The park the payment is for.") var park: String
        @Option(parsing: .unconditional, help: "The amount received, in 元.") var amount: String
        @Option(help: "The day it was received, YYYY-MM-DD.") var on: String
        @Option(choice: "How it was paid") var method: PaymentMethod = .bank
        @Option(help: "The bank's or app's reference.") var reference: String?
        @Option(help: "Only these bills, comma-separated (the rest is credit).") var applyTo: String?

        func run() throws {
            let receipt = try PaymentService(staff.session()).record(
                tenant: tenant, park: park, amount: try Money(option: amount, field: "amount").amount,
                on: try Day(option: on, field: "on").date, method: method, reference: reference,
                applyTo: applyTo.map(billNumbers) ?? [])
            let record = receipt.payment.record
            record.fields.append((key: "allocations", value: .records(receipt.allocations.map(\.record))))
            try output.printOne(record)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List payments.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this tenant.") var tenant: String?
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Received on or after this day.") var from: String?
        @Option(help: "Received on or before this day.") var to: String?

        func run() throws {
            let payments = try PaymentService(staff.session()).list(tenant: tenant, park: park, from: try optionalDate(from, "from"),
                                                                    to: try optionalDate(to, "to"))
            try output.print(payments.map(\.record), columns: output.format == .table
                                    ? ["number", "tenant", "park", "amount", "received_on", "method", "reference", "allocated",
                                       "unallocated", "reversed_on"] : nil)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a payment and the bills it paid.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Payment number.") var number: String

        func run() throws {
            let (payment, allocations) = try PaymentService(staff.session()).show(number)
            let record = payment.record
            record.fields.append((key: "allocations", value: .records(allocations.map(\.record))))
            try output.printOne(record)
        }
    }

    struct Reverse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reverse a bounced payment: its bills reopen.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "Payment number.") var number: String
        @Option(help: "Why (e.g. 退票).") var reason: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let payment = try PaymentService(staff.session()).reverse(number, reason: reason, on: try optionalDate(on, "on"))
            try output.printOne(payment.record)
        }
    }
}

extension PaymentCommand {
    struct Refund: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay back a tenant's credit (预收) in a park: from its oldest payments with money left, then its credits.",
            discussion: "Example: parkctl payment refund --tenant 海康威视 --park SW --amount 5000 --reason 退还预收")
        @OptionGroup var staff: StaffOptions
        @Option(help: "The tenant (credit code, registered name or short name).") var tenant: String
        @Option(help: "The park.") var park: String
        @Option(parsing: .unconditional, help: "The amount paid back, in 元.") var amount: String
        @Option(help: "Why (kept in the ledger and the audit trail).") var reason: String
        @Option(help: "The day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let refunds = try PaymentService(staff.session()).refund(
                tenant: tenant, park: park, amount: try Money(option: amount, field: "amount").amount, reason: reason,
                on: try optionalDate(on, "on"))
            say("refunded \(amount) as \(refunds.joined(separator: ", "))\n")
        }
    }
}

struct LateFeeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late-fee", abstract: "Late fees (滞纳金) on overdue rent, property fee and utility bills.",
        subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue the late fees owed through a day: one bill per overdue bill, for the days since its previous run.")
        @OptionGroup var staff: StaffOptions
        @Option(help: "The last day counted, YYYY-MM-DD; the late fees are due on it.") var through: String
        @Option(help: "Only this park.") var park: String?

        func run() throws {
            let result = try BillService(staff.session()).lateFeeRun(through: try Day(option: through, field: "through").date, park: park)
            say("issued \(result.bills) late-fee bill\(result.bills == 1 ? "" : "s"); \(result.allocations) allocation\(result.allocations == 1 ? "" : "s") of credit\n")
        }
    }
}

struct InvoiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "Invoices (发票) registered against bills.", subcommands: [Record.self])

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an invoice over bills (each for what it has not been invoiced yet, or --amounts).",
            discussion: "Example: parkctl invoice record --number 04400123 --bills B-2026-000012,B-2026-000013 --on 2026-12-05")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The invoice's number.") var number: String
        @Option(help: "The bills it covers, comma-separated.") var bills: String
        @Option(parsing: .unconditional, help: "The amount for each bill, comma-separated in the same order (tax included).") var amounts: String?
        @Option(help: "The day it was issued, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let amounts = try amounts.map { text in
                try text.split(separator: ",").map { try Money(option: String($0).trimmingCharacters(in: .whitespaces), field: "amount").amount }
            }
            let invoice = try InvoiceService(staff.session()).record(number: number, bills: billNumbers(bills), amounts: amounts,
                                                                     on: try optionalDate(on, "on"))
            try output.printOne(invoice.record)
        }
    }
}

struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement", abstract: "A tenant's statement of account (对账单) in one park over a period.",
        discussion: "Example: parkctl statement --tenant 博思软件 --park SW --from 2026-01-01 --to 2026-12-31")
    @OptionGroup var staff: StaffOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The tenant (credit code, registered name or short name).") var tenant: String
    @Option(help: "The park.") var park: String
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD.") var to: String
    @Option(help: "Also write a printable HTML page to this file.") var html: String?

    func run() throws {
        let statement = try StatementService(staff.session()).statement(
            tenant: tenant, park: park, from: try Day(option: from, field: "from").date, to: try Day(option: to, field: "to").date)
        if output.format == .csv {
            // One row a line, between the opening and the closing balance, for Excel.
            let opening = Record([("day", .date(statement.from)), ("kind", .code("opening", in: "entry")), ("document", .text("")),
                                  ("description", .text("")), ("amount", .money(0)), ("balance", .money(statement.opening))])
            let closing = Record([("day", .date(statement.to)), ("kind", .code("closing", in: "entry")), ("document", .text("")),
                                  ("description", .text("")), ("amount", .money(0)), ("balance", .money(statement.closing))])
            try output.print([opening] + statement.lines.map(\.record) + [closing], as: .csv)
        } else if output.format == .table {
            say("\(statement.tenant) (\(statement.creditCode)), \(statement.park), \(statement.from) to \(statement.to)\n")
            say("opening balance: \(OutputValue.fixed(statement.opening, places: 2))\n")
            try output.print(statement.lines.map(\.record), as: .table)
            say("closing balance: \(OutputValue.fixed(statement.closing, places: 2))\n")
        } else {
            try output.printOne(statement.record)
        }
        if let html {
            var page = HTMLPage(title: "对账单 Statement · \(statement.tenant) · \(statement.park) · \(statement.from) – \(statement.to)")
            page.paragraph("\(statement.tenant) (\(statement.creditCode)), \(statement.park)")
            page.paragraph("期初余额 Opening balance: \(OutputValue.fixed(statement.opening, places: 2)) 元")
            page.table(statement.lines.map(\.record))
            page.paragraph("期末余额 Closing balance: \(OutputValue.fixed(statement.closing, places: 2)) 元")
            try page.write(to: html)
        }
    }
}
