import Foundation
import Postgres

/// An invoice (发票) registered against bills: issued by the tax system, recorded here
/// so that what is still to invoice is known.
public struct Invoice: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var bill: String
        public var fee: BillFee
        public var amount: Decimal
        public var taxRate: Decimal
        public var tax: Decimal
    }

    public var number: String
    public var tenant: String
    public var park: String
    public var issuedOn: CalendarDate
    public var lines: [Line]
    public var total: Decimal { lines.reduce(0) { $0 + $1.amount } }
}

/// A bill not yet invoiced in full.
public struct UninvoicedBill: Sendable, Equatable {
    public var bill: String
    public var tenant: String
    public var creditCode: String
    public var park: String
    public var fee: BillFee
    public var periodStart: CalendarDate
    public var periodEnd: CalendarDate
    public var amount: Decimal
    public var paid: Decimal
    public var invoiced: Decimal
    public var uninvoiced: Decimal
}

public struct InvoiceService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Registers invoice `number` over `bills`: each for `amounts` (in the same order),
    /// or for what it has not been invoiced yet. The tax rate is the park's for the fee
    /// (rent, late fee and adjustment: the rent rate); the tax is the rate's part of
    /// the amount, tax included: amount × rate ÷ (1 + rate), to the fen.
    public func record(number: String, bills: [String], amounts: [Decimal]? = nil, on: CalendarDate? = nil) throws -> Invoice {
        let number = try Validate.text(number, field: "invoice number", max: 40)
        guard !bills.isEmpty else { throw ParkError.invalid("--bills names no bill: give the bills the invoice covers, B1,B2") }
        if let amounts, amounts.count != bills.count {
            throw ParkError.invalid("--amounts gives \(amounts.count) amounts for \(bills.count) bills: one per bill, in the same order")
        }
        if let bad = amounts?.first(where: { $0 <= 0 }) { throw ParkError.invalid("amount '\(bad)' is not invoiced: it is more than 0") }
        return try session.write { conn in
            var ids: [Int] = []
            for bill in bills {
                guard let id: Int = try conn.query("SELECT id FROM bill WHERE number = \(bill)").rows.first?.decode(0) else {
                    throw try Lookup.numberNotFound(.bill, bill, conn)
                }
                ids.append(id)
            }
            let owners = try conn.query("SELECT DISTINCT park_id, tenant_id FROM bill WHERE id = ANY (\(ids))").rows
            guard owners.count == 1 else { throw ParkError.invalid("the bills \(bills.joined(separator: ",")) are of more than one tenant or park: an invoice is one tenant's in one park") }
            let parkID: Int = try owners[0].decode("park_id"), tenantID: Int = try owners[0].decode("tenant_id")
            let invoiceID: Int = try conn.query("""
                INSERT INTO invoice (park_id, tenant_id, number, issued_on)
                VALUES (\(parkID), \(tenantID), \(number), coalesce(\(on)::date, park_today(\(parkID)))) RETURNING id
                """).rows[0].decode(0)
            try conn.execute("""
                INSERT INTO invoice_line (park_id, invoice_id, bill_id, amount, tax_rate, tax)
                SELECT b.park_id, \(invoiceID), b.id, x.amount, r.rate, round(x.amount * r.rate / (1 + r.rate), 2)
                FROM unnest(\(ids)::bigint[], \(amounts.map { $0.map { "\($0)" } })::numeric[]) WITH ORDINALITY AS g(id, wanted, ord)
                JOIN bill b ON b.id = g.id
                CROSS JOIN LATERAL (SELECT coalesce(g.wanted, b.amount - coalesce((SELECT sum(l.amount) FROM invoice_line l WHERE l.bill_id = b.id), 0)) AS amount) x
                CROSS JOIN LATERAL (SELECT bill_tax_rate(b.id) AS rate) r
                ORDER BY g.ord
                """)
            return try invoice(invoiceID, conn)
        }
    }

    func invoice(_ id: Int, _ conn: Connection) throws -> Invoice {
        let head = try conn.query("""
            SELECT i.number, t.name, p.code, i.issued_on FROM invoice i JOIN tenant t ON t.id = i.tenant_id JOIN park p ON p.id = i.park_id
            WHERE i.id = \(id)
            """).rows[0]
        let lines = try conn.query("""
            SELECT b.number, b.fee, l.amount, l.tax_rate, l.tax FROM invoice_line l JOIN bill b ON b.id = l.bill_id
            WHERE l.invoice_id = \(id) ORDER BY l.id
            """).rows.map {
            Invoice.Line(bill: try $0.decode("number"), fee: try $0.decode("fee"), amount: try $0.decode("amount"),
                         taxRate: try $0.decode("tax_rate"), tax: try $0.decode("tax"))
        }
        return Invoice(number: try head.decode("number"), tenant: try head.decode("name"), park: try head.decode("code"),
                       issuedOn: try head.decode("issued_on"), lines: lines)
    }

    /// The charges (not deposits, credits or void bills) not invoiced in full.
    public func uninvoiced(park: String? = nil, tenant: String? = nil) throws -> [UninvoicedBill] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let tenantID = try tenant.map { try Lookup.tenant($0, conn).id }
            let conditions: [SQL?] = [park.map { "p.code = \($0)" }, tenantID.map { "b.tenant_id = \($0)" }]
            return try conn.query("""
                SELECT * FROM (
                    SELECT b.number, t.name, t.credit_code, p.code AS park, b.fee, lower(b.period) AS period_start,
                           upper(b.period) - 1 AS period_end, b.due_on, b.amount,
                           coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.bill_id = b.id), 0) AS paid,
                           coalesce((SELECT sum(l.amount) FROM invoice_line l WHERE l.bill_id = b.id), 0) AS invoiced
                    FROM bill b JOIN tenant t ON t.id = b.tenant_id JOIN park p ON p.id = b.park_id
                    WHERE b.amount > 0 AND b.fee <> 'deposit' AND NOT EXISTS (SELECT 1 FROM bill_void v WHERE v.bill_id = b.id)
                          \(SQL.andAll(conditions))) x
                WHERE x.invoiced < x.amount
                ORDER BY x.park, x.due_on, x.number
                """).rows.map {
                UninvoicedBill(bill: try $0.decode("number"), tenant: try $0.decode("name"), creditCode: try $0.decode("credit_code"),
                               park: try $0.decode("park"), fee: try $0.decode("fee"), periodStart: try $0.decode("period_start"),
                               periodEnd: try $0.decode("period_end"), amount: try $0.decode("amount"), paid: try $0.decode("paid"),
                               invoiced: try $0.decode("invoiced"),
                               uninvoiced: try $0.decode("amount", as: Decimal.self) - $0.decode("invoiced", as: Decimal.self))
            }
        }
    }
}
