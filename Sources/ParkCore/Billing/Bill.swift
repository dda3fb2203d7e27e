import Foundation
import Postgres

/// What a bill charges for (费用类型). `utility` bills come from meter readings.
public enum BillFee: String, Vocabulary {
    case rent
    case propertyFee = "property_fee"
    case deposit
    case lateFee = "late_fee"
    case utility, adjustment
    public static let fieldName = "fee"
}

/// Where a bill stands on a day: `open` (something owed), `paid` (paid and waived in
/// full), `void` (issued in error), `credit` (a negative bill: money owed to the tenant).
public enum BillStatus: String, Vocabulary {
    case open, paid, void, credit
    public static let fieldName = "bill status"
}

/// One fee of one lease for one period, and what it owed on a day.
public struct Bill: Sendable, Equatable {
    public var number: String
    public var lease: String
    public var tenant: String
    public var creditCode: String
    public var park: String
    public var fee: BillFee
    /// The days it charges for, both included.
    public var periodStart: CalendarDate
    public var periodEnd: CalendarDate
    public var dueOn: CalendarDate
    public var amount: Decimal
    public var paid: Decimal
    public var waived: Decimal
    /// What it still owes (0 once void); for a credit, the part not used yet, negative.
    public var balance: Decimal
    public var status: BillStatus
    /// Days past the due day with something still owed, on the day it is seen as of.
    public var overdueDays: Int
    public var reason: String?

    /// The bills with their position as of `asOf`: `SELECT … FROM bill …`, to which a
    /// caller appends conditions on `b`, `l`, `t`, `p`, `pos` and an order.
    static func selection(asOf: SQL) -> SQL {
        """
        SELECT b.number, l.number AS lease, t.name AS tenant, t.credit_code, p.code AS park, b.fee,
               lower(b.period) AS period_start, upper(b.period) - 1 AS period_end, b.due_on, b.amount,
               pos.paid, pos.waived, CASE WHEN b.amount < 0 THEN -pos.credit_left ELSE pos.balance END AS balance,
               CASE WHEN pos.voided THEN 'void' WHEN b.amount < 0 THEN 'credit' WHEN pos.balance = 0 THEN 'paid' ELSE 'open' END AS status,
               CASE WHEN pos.balance > 0 AND \(asOf) > b.due_on THEN \(asOf) - b.due_on ELSE 0 END AS overdue_days,
               b.reason
        FROM bill b JOIN bill_positions(\(asOf)) pos ON pos.bill_id = b.id
        JOIN lease l ON l.id = b.lease_id JOIN tenant t ON t.id = b.tenant_id JOIN park p ON p.id = b.park_id
        """
    }

    init(row: PostgresRow) throws {
        number = try row.decode("number")
        lease = try row.decode("lease")
        tenant = try row.decode("tenant")
        creditCode = try row.decode("credit_code")
        park = try row.decode("park")
        fee = try row.decode("fee")
        periodStart = try row.decode("period_start")
        periodEnd = try row.decode("period_end")
        dueOn = try row.decode("due_on")
        amount = try row.decode("amount")
        paid = try row.decode("paid")
        waived = try row.decode("waived")
        balance = try row.decode("balance")
        status = try row.decode("status")
        overdueDays = try row.decode("overdue_days")
        reason = try row.decode("reason")
    }
}

/// Money of one payment or credit put towards one bill (negative: taken back when the
/// payment was reversed).
public struct Allocation: Sendable, Equatable {
    public var bill: String
    public var fee: BillFee
    /// The payment's number, or the credit's (a negative bill's).
    public var source: String
    public var amount: Decimal
    public var appliedOn: CalendarDate

    /// `SELECT … FROM allocation a …`, to which a caller appends conditions on `a`, `b`
    /// (the bill paid) and an order; `rows`: where the allocations are read from (the
    /// table, or the rows an INSERT … RETURNING just made).
    static func selection(from rows: SQL = "allocation") -> SQL {
        """
        SELECT b.number AS bill, b.fee, coalesce(p.number, c.number) AS source, a.amount, a.applied_on
        FROM \(rows) a JOIN bill b ON b.id = a.bill_id
        LEFT JOIN payment p ON p.id = a.payment_id LEFT JOIN bill c ON c.id = a.credit_bill_id
        """
    }

    init(row: PostgresRow) throws {
        bill = try row.decode("bill")
        fee = try row.decode("fee")
        source = try row.decode("source")
        amount = try row.decode("amount")
        appliedOn = try row.decode("applied_on")
    }
}

/// Part of a bill forgiven (减免).
public struct Waiver: Sendable, Equatable {
    public var amount: Decimal
    public var waivedOn: CalendarDate
    public var reason: String
    public var actor: String
}

/// An invoice's share of a bill.
public struct InvoiceShare: Sendable, Equatable {
    public var invoice: String
    public var issuedOn: CalendarDate
    public var amount: Decimal
    public var taxRate: Decimal
    public var tax: Decimal
}

/// A bill with everything recorded against it.
public struct BillDetail: Sendable, Equatable {
    public var bill: Bill
    public var allocations: [Allocation]
    public var waivers: [Waiver]
    public var invoices: [InvoiceShare]
    /// When it was voided, and why.
    public var voided: (on: CalendarDate, reason: String)?
    /// The bill a late fee is for, or a termination credit gives back part of.
    public var source: String?

    public static func == (a: BillDetail, b: BillDetail) -> Bool {
        a.bill == b.bill && a.allocations == b.allocations && a.waivers == b.waivers && a.invoices == b.invoices
            && a.voided?.on == b.voided?.on && a.voided?.reason == b.voided?.reason && a.source == b.source
    }
}
