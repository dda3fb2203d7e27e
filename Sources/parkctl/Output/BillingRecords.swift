import Foundation
import ParkCore

// How the receivables read in output. The JSON keys are the contract (issue 16).

extension Bill {
    var record: Record {
        Record([("number", .text(number)), ("lease", .text(lease)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)),
                ("park", .text(park)), ("fee", .label(fee)), ("period_start", .date(periodStart)),
                ("period_end", .date(periodEnd)), ("due_on", .date(dueOn)), ("amount", .money(amount)), ("paid", .money(paid)),
                ("waived", .money(waived)), ("balance", .money(balance)), ("status", .label(status)),
                ("overdue_days", .integer(overdueDays)), ("reason", .optional(reason))])
    }
}

extension Allocation {
    var record: Record {
        Record([("bill", .text(bill)), ("fee", .label(fee)), ("source", .text(source)), ("amount", .money(amount)),
                ("applied_on", .date(appliedOn))])
    }
}

extension BillDetail {
    var record: Record {
        let record = bill.record
        record.fields.append((key: "source_bill", value: .optional(source)))
        record.fields.append((key: "voided_on", value: .date(voided?.on)))
        record.fields.append((key: "void_reason", value: .optional(voided?.reason)))
        record.fields.append((key: "allocations", value: .records(allocations.map(\.record))))
        record.fields.append((key: "waivers", value: .records(waivers.map {
            Record([("amount", .money($0.amount)), ("waived_on", .date($0.waivedOn)), ("reason", .text($0.reason)), ("actor", .text($0.actor))])
        })))
        record.fields.append((key: "invoices", value: .records(invoices.map {
            Record([("invoice", .text($0.invoice)), ("issued_on", .date($0.issuedOn)), ("amount", .money($0.amount)),
                    ("tax_rate", .ratio($0.taxRate, places: 4)), ("tax", .money($0.tax))])
        })))
        return record
    }
}

extension Payment {
    var record: Record {
        Record([("number", .text(number)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("park", .text(park)),
                ("amount", .money(amount)), ("received_on", .date(receivedOn)), ("method", .label(method)),
                ("reference", .optional(reference)), ("allocated", .money(allocated)), ("unallocated", .money(unallocated)),
                ("reversed_on", .date(reversedOn)), ("reversal_reason", .optional(reversalReason))])
    }
}

extension ReceivablesReport.Row {
    var record: Record {
        Record([("scope", .code(scope, in: "scope")), ("tenant", .optional(tenant)), ("credit_code", .optional(creditCode)), ("park", .optional(park)),
                ("contact", .optional(contact)), ("phone", .optional(phone)), ("not_due", .money(notDue)), ("d1_30", .money(d1to30)),
                ("d31_60", .money(d31to60)), ("d61_90", .money(d61to90)), ("d91_180", .money(d91to180)), ("over_180", .money(over180)),
                ("total", .money(total)), ("credit", .money(credit)), ("deposit_held", .money(depositHeld))])
    }
}

extension CollectionReport.Row {
    var record: Record {
        Record([("scope", .code(scope, in: "scope")), ("park", .optional(park)), ("fee", .label(fee)), ("billed", .money(billed)),
                ("collected", .money(collected)), ("outstanding", .money(outstanding)),
                ("rate", .ratio(rate)), ("in_rate", .bool(inRate))])
    }
}

extension Statement.Line {
    var record: Record {
        Record([("day", .date(day)), ("kind", .code(kind, in: "entry")), ("document", .text(document)), ("description", .text(description)),
                ("amount", .money(amount)), ("balance", .money(balance))])
    }
}

extension Statement {
    var record: Record {
        Record([("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("park", .text(park)), ("from", .date(from)),
                ("to", .date(to)), ("opening_balance", .money(opening)), ("lines", .records(lines.map(\.record))),
                ("closing_balance", .money(closing))])
    }
}

extension Settlement {
    var deductionRecords: [Record] {
        deductions.map { Record([("bill", .optional($0.bill)), ("amount", .money($0.amount)), ("reason", .text($0.reason))]) }
    }

    var refundRecords: [Record] {
        refunds.map { Record([("refund", .text($0.number)), ("amount", .money($0.amount)), ("from", .text($0.source))]) }
    }

    var record: Record {
        Record([("lease", .text(lease)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("park", .text(park)),
                ("settled_on", .date(on)), ("deposit_held", .money(depositHeld)), ("deductions", .records(deductionRecords)),
                ("allocations", .records(allocations.map(\.record))), ("refunded", .money(refunded)),
                ("refunds", .records(refundRecords)), ("credit_kept", .money(creditKept)), ("still_owed", .money(stillOwed))])
    }
}

extension Invoice {
    var record: Record {
        Record([("number", .text(number)), ("tenant", .text(tenant)), ("park", .text(park)), ("issued_on", .date(issuedOn)),
                ("total", .money(total)),
                ("lines", .records(lines.map {
                    Record([("bill", .text($0.bill)), ("fee", .label($0.fee)), ("amount", .money($0.amount)),
                            ("tax_rate", .ratio($0.taxRate, places: 4)), ("tax", .money($0.tax))])
                }))])
    }
}

extension UninvoicedBill {
    var record: Record {
        Record([("bill", .text(bill)), ("tenant", .text(tenant)), ("credit_code", .text(creditCode)), ("park", .text(park)),
                ("fee", .label(fee)), ("period_start", .date(periodStart)), ("period_end", .date(periodEnd)),
                ("amount", .money(amount)), ("paid", .money(paid)), ("invoiced", .money(invoiced)), ("uninvoiced", .money(uninvoiced))])
    }
}
