import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Receivables (issue 16): bills from the leases, payments oldest first, credit, late
/// fees, corrections, termination credits, settlement, invoices and the reports. The
/// figures are worked out by hand beside them. The leases lie in 2021-2022, after any
/// day the suite runs on, so that a bill's "issued today" never falls among them.
@Suite struct BillingTests {
    /// SW/B1/0101 (256.50 m²) leased to 博思软件 from 2021-01-01 to 2022-12-31, quarterly,
    /// rent 40.00 元/m²/month rising 5 % a year, property fee 5.00, rent-free 1-15
    /// January 2021, deposit 20000.00. A month's rent is 256.50 × 40 = 10260.00, its fee
    /// 256.50 × 5 = 1282.50.
    @discardableResult
    func signed(_ session: ParkSession, cycle: PaymentCycle = .quarterly) throws -> Lease {
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2021-01-01", "2022-12-31", rent: "40.00")
        t.propertyFee = money("5.00")
        t.escalationPct = 5
        t.freeWindow = (day("2021-01-01"), day("2021-01-15"))
        t.deposit = money("20000.00")
        t.cycle = cycle
        return try LeaseService(session).sign(t)
    }

    func bills(_ session: ParkSession, asOf: String = "2022-12-31") throws -> [String: Bill] {
        let list = try BillService(session).list(BillService.Filter(asOf: day(asOf))).bills
        // Rent, property fee and deposit bills by fee and first day (late fees and adjustments may share one).
        return Dictionary(uniqueKeysWithValues: list.filter { [.rent, .propertyFee, .deposit].contains($0.fee) }.map { ("\($0.fee.rawValue) \($0.periodStart)", $0) })
    }

    @Test func aBillRunIssuesEachPeriodOnceWithTheRentOfItsDays() throws {
        let (db, session) = try makeSession()
        let lease = try signed(session)
        let service = BillService(session)
        #expect(try service.run(through: day("2021-04-01")) == BillService.RunResult(bills: 5, credits: 0, allocations: 0))
        let issued = try bills(session)
        #expect(issued.count == 5)
        #expect(issued["deposit 2021-01-01"]?.amount == money("20000.00") && issued["deposit 2021-01-01"]?.dueOn == day("2021-01-01"))
        // Q1: 16 days of January not rent-free, then February and March:
        // 10260 × 16/31 + 10260 + 10260 = 5295.4838… + 20520 = 25815.4838… → 25815.48.
        let q1 = try #require(issued["rent 2021-01-01"])
        #expect(q1.amount == money("25815.48") && q1.periodEnd == day("2021-03-31") && q1.dueOn == day("2021-01-01"))
        #expect(q1.lease == lease.number && q1.status == .open && q1.balance == q1.amount)
        // The property fee is owed on the rent-free days too: 1282.50 × 3 = 3847.50.
        #expect(issued["property_fee 2021-01-01"]?.amount == money("3847.50"))
        // Q2 starts on 1 April, the day run through: 10260 × 3 = 30780.00.
        #expect(issued["rent 2021-04-01"]?.amount == money("30780.00") && issued["rent 2021-04-01"]?.periodEnd == day("2021-06-30"))
        #expect(issued["rent 2021-07-01"] == nil)

        // Again: nothing. Two runs at once: each bill once (the unique index and ON CONFLICT).
        #expect(try service.run(through: day("2021-04-01")).bills == 0)
        let conninfo = db.conninfo
        let outcomes = runConcurrently(2) { _ -> Int in
            let conn = try Connection(conninfo)
            defer { conn.close() }
            return try BillService(ParkSession(connection: conn, actor: "runner")).run(through: day("2021-07-01")).bills
        }
        #expect(try outcomes.map { try $0.get() }.sorted() == [0, 2])
        let count: Int = try db.connection.query("SELECT count(*) FROM bill WHERE fee = 'rent' AND lower(period) = '2021-07-01'").rows[0].decode(0)
        #expect(count == 1)

        // A year on, the rent rises 5 %: 40.00 × 1.05 = 42.00; 256.50 × 42 × 3 = 32319.00.
        #expect(try service.run(through: day("2022-01-01")).bills == 4)
        #expect(try bills(session, asOf: "2022-01-01")["rent 2022-01-01"]?.amount == money("32319.00"))
    }

    @Test func paymentsPayTheOldestBillsFirstAndTheRestIsCreditForTheNextBills() throws {
        let (_, session) = try makeSession()
        try signed(session)
        try BillService(session).run(through: day("2021-04-01"))
        let payments = PaymentService(session)
        // 30000.00 on 5 January: the deposit (20000.00, first on its due day), then 10000.00 of Q1's rent.
        let first = try payments.record(tenant: bosi.creditCode, park: "SW", amount: money("30000"), on: day("2021-01-05"))
        #expect(first.allocations.map(\.fee) == [.deposit, .rent])
        #expect(first.allocations.map(\.amount) == [money("20000.00"), money("10000.00")])
        #expect(first.allocations.allSatisfyAndNonEmpty { $0.appliedOn == day("2021-01-05") } && first.allocations.count == 2)
        // 70000.00 on 1 February: Q1 rent's rest 15815.48, Q1 fee 3847.50, Q2 rent 30780.00,
        // Q2 fee 3847.50 = 54290.48; 70000 − 54290.48 = 15709.52 is credit.
        let second = try payments.record(tenant: "博思软件", park: "SW", amount: money("70000"), on: day("2021-02-01"))
        #expect(second.allocations.map(\.amount) == [money("15815.48"), money("3847.50"), money("30780.00"), money("3847.50")])
        #expect(second.payment.unallocated == money("15709.52") && second.payment.allocated == money("54290.48"))
        // The next run's bills take the credit: Q3 rent 30780.00 is paid 15709.52 (rent before the fee), owes 15070.48.
        #expect(try BillService(session).run(through: day("2021-07-01")) == BillService.RunResult(bills: 2, credits: 0, allocations: 1))
        let q3 = try #require(try bills(session, asOf: "2021-07-01")["rent 2021-07-01"])
        #expect(q3.paid == money("15709.52") && q3.balance == money("15070.48") && q3.status == .open)
        #expect(try payments.show(second.payment.number).payment.unallocated == 0)

        // 应收账龄 on 1 July: Q3's 15070.48 + 3847.50 = 18917.98 not yet due; the deposit held 20000.00.
        let onDue = try ReceivablesReport(session).run(asOf: day("2021-07-01"), park: "SW").rows
        let row = try #require(onDue.first { $0.scope == "tenant" })
        #expect(row.notDue == money("18917.98") && row.total == money("18917.98") && row.depositHeld == money("20000.00"))
        #expect(row.credit == 0 && row.contact == bosi.contact)
        // 45 days later the same money is 31-60 days late.
        let later = try #require(try ReceivablesReport(session).run(asOf: day("2021-08-15")).rows.first { $0.scope == "tenant" })
        #expect(later.d31to60 == money("18917.98") && later.notDue == 0 && later.total == money("18917.98"))
        #expect(try ReceivablesReport(session).run(asOf: day("2021-08-15")).rows.last?.total == money("18917.98"))
        // As of 1 January, before anything was paid: the bills due by then (the others were issued
        // later, today) and none late: 20000 + 25815.48 + 3847.50 = 49662.98.
        let early = try #require(try ReceivablesReport(session).run(asOf: day("2021-01-01")).rows.first { $0.scope == "tenant" })
        #expect(early.notDue == money("49662.98") && early.total == money("49662.98") && early.d1to30 == 0)
    }

    @Test func lateFeesCountEachDayOnWhatWasStillOwedThatEvening() throws {
        let (_, session) = try makeSession()
        try signed(session)
        let bills = BillService(session)
        try bills.run(through: day("2021-01-01"))
        _ = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("30000"), on: day("2021-01-05"))
        // Days 2-10 January at 0.05 %: rent owed 25815.48 on the 2nd-4th and 15815.48 from the 5th:
        // (3 × 25815.48 + 6 × 15815.48) × 0.0005 = (77446.44 + 94892.88) × 0.0005 = 86.16966 → 86.17.
        // The fee, 3847.50 all 9 days: 34627.50 × 0.0005 = 17.31375 → 17.31. None on the deposit.
        #expect(try bills.lateFeeRun(through: day("2021-01-10")).bills == 2)
        var fees = try bills.list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-10"))).bills
        #expect(fees.map(\.amount) == [money("86.17"), money("17.31")])
        #expect(fees.allSatisfyAndNonEmpty { $0.dueOn == day("2021-01-10") && $0.periodStart == day("2021-01-02") && $0.periodEnd == day("2021-01-10") })
        #expect(try bills.lateFeeRun(through: day("2021-01-10")).bills == 0)
        // Two more days: 2 × 15815.48 × 0.0005 = 15.81548 → 15.82; 2 × 3847.50 × 0.0005 = 3.8475 → 3.85.
        #expect(try bills.lateFeeRun(through: day("2021-01-12")).bills == 2)
        fees = try bills.list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-12"))).bills
        #expect(fees.map(\.amount) == [money("86.17"), money("17.31"), money("15.82"), money("3.85")])
        #expect(fees.suffix(2).allSatisfyAndNonEmpty { $0.periodStart == day("2021-01-11") })
        // The rest of the rent, 15815.48, arrives dated 8 January, recorded after those runs.
        // Through the 14th the rent's late fees come to (3 × 25815.48 + 3 × 15815.48) × 0.0005 =
        // 124892.88 × 0.0005 = 62.44644 → 62.45, not the 101.99 charged: a correction of −39.54.
        // The fee's: 13 × 3847.50 × 0.0005 = 25.00875 → 25.01, less 21.16 charged: 3.85.
        let late = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("15815.48"), on: day("2021-01-08"))
        #expect(late.allocations.map(\.fee) == [.rent])
        #expect(try bills.lateFeeRun(through: day("2021-01-14")).bills == 2)
        fees = try bills.list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-14"))).bills
        #expect(fees.suffix(2).map(\.amount) == [money("-39.54"), money("3.85")] && fees[4].status == .credit)
        // The correction is credit: it pays the oldest open bill, the fee.
        #expect(try self.bills(session, asOf: "2021-01-14")["property_fee 2021-01-01"]?.paid == money("39.54"))
        // With 3 grace days (the park's), a bill due on the 1st is late from the 5th.
        let (_, other) = try makeSession()
        try signed(other)
        try other.connection.execute("UPDATE park SET grace_days = 3, late_fee_rate = 0.001 WHERE code = 'SW'")
        try BillService(other).run(through: day("2021-01-01"))
        // Fee bill, days 5-6 January at 0.1 %: 2 × 3847.50 × 0.001 = 7.695 → 7.70 (half up).
        try BillService(other).lateFeeRun(through: day("2021-01-06"))
        let graced = try BillService(other).list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-06"))).bills
        #expect(graced.map(\.amount) == [money("51.63"), money("7.70")])   // rent: 2 × 25815.48 × 0.001 = 51.63096 → 51.63
    }

    @Test func correctionsAreNewRowsAndTheDatabaseKeepsTheSums() throws {
        let (db, session) = try makeSession()
        try signed(session)
        let bills = BillService(session)
        try bills.run(through: day("2021-01-01"))
        let list = try self.bills(session)
        let fee = try #require(list["property_fee 2021-01-01"]), rent = try #require(list["rent 2021-01-01"])
        // 减免 847.50 of the fee: it owes 3847.50 − 847.50 = 3000.00.
        let waived = try bills.waive(fee.number, amount: money("847.50"), reason: "疫情减免", on: day("2021-01-03"))
        #expect(waived.bill.waived == money("847.50") && waived.bill.balance == money("3000.00") && waived.waivers.count == 1)
        // More than it owes: refused, nothing written.
        #expect { try bills.waive(fee.number, amount: money("3000.01"), reason: "x") } throws: {
            ($0 as? ParkError)?.kind == .invalidInput && "\($0)".contains("below zero")
        }
        // A bill with a waiver is not voided; one untouched is, and then pays nothing.
        #expect { try bills.void(fee.number, reason: "x") } throws: { ($0 as? ParkError)?.kind == .invalidInput }
        let voided = try bills.void(rent.number, reason: "开错", on: day("2021-01-02"))
        #expect(voided.bill.status == .void && voided.bill.balance == 0 && voided.voided?.reason == "开错")
        #expect { try bills.void(rent.number, reason: "again") } throws: { ($0 as? ParkError)?.kind == .conflict }
        // The payment skips the void bill: deposit 20000.00, fee 3000.00, the rest credit.
        let paid = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("25000"), on: day("2021-01-04"))
        #expect(paid.allocations.map(\.amount) == [money("20000.00"), money("3000.00")] && paid.payment.unallocated == money("2000.00"))

        // The ledger is append-only, and no allocation beyond a bill or a payment gets in, even by hand.
        #expect { try db.connection.execute("UPDATE bill SET amount = 1 WHERE number = \(fee.number)") } throws: {
            ($0 as? PostgresError)?.sqlState == .insufficientPrivilege
        }
        #expect { try db.connection.execute("DELETE FROM payment") } throws: { ($0 as? PostgresError)?.sqlState == .insufficientPrivilege }
        #expect {
            try db.connection.execute("""
                INSERT INTO allocation (park_id, tenant_id, bill_id, payment_id, amount, applied_on)
                SELECT b.park_id, b.tenant_id, b.id, (SELECT id FROM payment), 0.01, '2021-01-04' FROM bill b WHERE b.number = \(fee.number)
                """)
        } throws: { ($0 as? PostgresError)?.constraint == "allocation_within_bill" }
        let deposit = try #require(list["deposit 2021-01-01"])
        #expect {
            try db.connection.execute("""
                INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                SELECT 'B-2021-999999', park_id, lease_id, tenant_id, 'deposit', '[2022-12-31,2023-01-01)', '2022-12-31', -20000.01, 'x', '2022-12-31'
                FROM bill WHERE number = \(deposit.number)
                """)
        } throws: { ($0 as? PostgresError)?.constraint == "deposit_held_not_negative" }

        // A bounced transfer: its allocations are taken back, the bills reopen.
        let reversed = try PaymentService(session).reverse(paid.payment.number, reason: "退票", on: day("2021-01-06"))
        #expect(reversed.reversedOn == day("2021-01-06") && reversed.allocated == 0 && reversed.unallocated == 0)
        let after = try self.bills(session, asOf: "2021-01-06")
        #expect(after["deposit 2021-01-01"]?.balance == money("20000.00") && after["property_fee 2021-01-01"]?.balance == money("3000.00"))
        // As of the day before the reversal, they were paid.
        #expect(try self.bills(session, asOf: "2021-01-05")["deposit 2021-01-01"]?.status == .paid)
        #expect { try PaymentService(session).reverse(paid.payment.number, reason: "again") } throws: { ($0 as? ParkError)?.kind == .conflict }

        // A negative adjustment is a credit that pays like a payment: 1200.00 to the deposit.
        let credit = try bills.adjust(lease: list["deposit 2021-01-01"]!.lease, amount: money("-1200"), due: day("2021-01-07"), reason: "空调维修抵扣")
        #expect(credit.bill.bill.status == .credit && credit.allocations.map(\.amount) == [money("1200.00")] && credit.allocations[0].fee == .deposit)
    }

    @Test func aTerminationCreditsThePrepaidDaysAndASettlementReturnsTheDeposit() throws {
        let (_, session) = try makeSession()
        let lease = try signed(session, cycle: .quarterly)
        try BillService(session).run(through: day("2021-04-01"))
        // Everything paid: 20000 + 25815.48 + 3847.50 + 30780.00 + 3847.50 = 84290.48.
        _ = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("84290.48"), on: day("2021-01-02"))
        // Ended on 10 May 2021: Q2 keeps 1-30 April and 1-10 May: 10260 + 10260 × 10/31 = 10260 + 3309.6774… = 13569.68;
        // its fee 1282.50 + 1282.50 × 10/31 = 1282.50 + 413.7096… = 1696.21.
        // Credits: 30780.00 − 13569.68 = 17210.32 and 3847.50 − 1696.21 = 2151.29.
        _ = try LeaseService(session).terminate(lease.number, on: day("2021-05-10"), reason: "提前退租")
        let run = try BillService(session).run(through: day("2021-05-10"))
        #expect(run.bills == 0 && run.credits == 2)
        let credits = try BillService(session).list(BillService.Filter(fee: .adjustment, asOf: day("2021-05-11"))).bills
        #expect(credits.map(\.amount).sorted() == [money("-17210.32"), money("-2151.29")])
        #expect(credits.allSatisfyAndNonEmpty { $0.dueOn == day("2021-05-11") && $0.status == .credit })
        // Settlement on 12 May, deducting 800.00 for the walls: the deposit 20000.00 pays the 800.00;
        // its rest, 19200.00, and the two credits, 17210.32 + 2151.29, are refunded: 38561.61.
        let settled = try SettlementService(session).settle(lease.number, deductions: [Settlement.Deduction(amount: money("800"), reason: "墙面修复")],
                                                            on: day("2021-05-12"))
        #expect(settled.depositHeld == money("20000.00") && settled.deductions.map(\.reason) == ["墙面修复"] && settled.deductions[0].bill != nil)
        #expect(settled.stillOwed == 0 && settled.creditKept == 0)
        #expect(settled.allocations.map(\.amount) == [money("800.00")] && settled.refunded == money("38561.61"))
        #expect(settled.refunds.map(\.amount) == [money("19200.00"), money("17210.32"), money("2151.29")] && settled.refunds[0].source == "deposit")
        #expect { try SettlementService(session).settle(lease.number, on: day("2021-05-13")) } throws: { ($0 as? ParkError)?.kind == .conflict }
        let report = try ReceivablesReport(session).run(asOf: day("2021-05-12")).rows
        // Nothing owed, held or kept: only the (zero) total row.
        #expect(report.count == 1 && report[0].scope == "total" && report[0].depositHeld == 0 && report[0].credit == 0)
        // The statement: every line, and closing = opening + Σ lines:
        // 84290.48 billed − 84290.48 paid − 17210.32 − 2151.29 + 800 − 20000 + 19200 + 17210.32 + 2151.29 = 0.
        let statement = try StatementService(session).statement(tenant: bosi.creditCode, park: "SW", from: day("2021-01-01"), to: day("2021-05-31"))
        #expect(statement.opening == 0 && statement.closing == 0)
        #expect(statement.lines.reduce(Decimal(0)) { $0 + $1.amount } == statement.closing)
        #expect(statement.lines.map(\.kind).filter { $0 == "refund" }.count == 3)
    }

    @Test func aLeaseIsSettledOnItsLastDayOrLaterAndWhatIsOwedIsSaid() throws {
        let (_, session) = try makeSession()
        let lease = try signed(session)
        #expect { try SettlementService(session).settle(lease.number, on: day("2022-12-30")) } throws: {
            ($0 as? ParkError)?.kind == .invalidInput && "\($0)".contains("runs to 2022-12-31")
        }
        // Nothing paid: the deposit was never held, so all of it is owed: 8 quarters and the deposit.
        let settled = try SettlementService(session).settle(lease.number, on: day("2022-12-31"))
        #expect(settled.depositHeld == 0 && settled.refunded == 0 && settled.stillOwed > 0)
        let owed = try BillService(session).list(BillService.Filter(status: .open, asOf: day("2022-12-31"))).bills
        #expect(owed.reduce(Decimal(0)) { $0 + $1.balance } == settled.stillOwed && owed.count == 17)
    }

    @Test func invoicesCoverBillsNeverBeyondTheirAmount() throws {
        let (_, session) = try makeSession()
        try signed(session)
        try BillService(session).run(through: day("2021-01-01"))
        let list = try bills(session)
        let rent = try #require(list["rent 2021-01-01"]), fee = try #require(list["property_fee 2021-01-01"])
        // 10000.00 of the rent at 9 %: 10000 × 0.09 ÷ 1.09 = 825.6880… → 825.69; the whole fee at 6 %:
        // 3847.50 × 0.06 ÷ 1.06 = 217.7830… → 217.78.
        let invoices = InvoiceService(session)
        let first = try invoices.record(number: "04400001", bills: [rent.number, fee.number], amounts: [money("10000"), money("3847.50")],
                                        on: day("2021-01-05"))
        #expect(first.lines.map(\.tax) == [money("825.69"), money("217.78")] && first.total == money("13847.50"))
        // The rest of the rent on a second invoice: 25815.48 − 10000 = 15815.48.
        let second = try invoices.record(number: "04400002", bills: [rent.number])
        #expect(second.lines.map(\.amount) == [money("15815.48")])
        #expect(try invoices.uninvoiced(park: "SW").isEmpty)
        #expect { try invoices.record(number: "04400003", bills: [rent.number], amounts: [money("0.01")]) } throws: {
            ($0 as? ParkError)?.kind == .invalidInput && "\($0)".contains("invoiced")
        }
        #expect { try invoices.record(number: "04400004", bills: [list["deposit 2021-01-01"]!.number]) } throws: {
            ($0 as? ParkError)?.kind == .invalidInput
        }
        #expect(try BillService(session).show(rent.number).invoices.map(\.invoice) == ["04400001", "04400002"])
    }

    @Test func theCollectionRateCountsRentFeesAndAdjustmentsNotLateFeesOrDeposits() throws {
        let (_, session) = try makeSession()
        try signed(session)
        try BillService(session).run(through: day("2021-04-01"))
        _ = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("30000"), on: day("2021-01-05"))
        try BillService(session).lateFeeRun(through: day("2021-01-10"))
        // Due 1 Jan - 31 Mar: rent 25815.48 (paid 10000.00), fee 3847.50 (paid 0); rate 10000 / 29662.98 = 0.33712… → 0.3371.
        let rows = try CollectionReport(session).run(from: day("2021-01-01"), to: day("2021-03-31"), park: "SW")
        let total = try #require(rows.first { $0.scope == "total" })
        #expect(total.billed == money("29662.98") && total.collected == money("10000.00") && total.rate == money("0.3371"))
        #expect(rows.first { $0.fee == .deposit }?.inRate == false && rows.first { $0.fee == .deposit }?.collected == money("20000.00"))
        #expect(rows.first { $0.fee == .lateFee }?.billed == money("103.48") && rows.first { $0.fee == .lateFee }?.inRate == false)
        // An empty period: only the total row, with nothing billed and no rate.
        let empty = try CollectionReport(session).run(from: day("2030-01-01"), to: day("2030-12-31"))
        #expect(empty.count == 1 && empty[0].billed == 0 && empty[0].rate == nil)
    }

    /// 16 clients record payments for one tenant while a bill run and a late-fee run go
    /// on: no money is allocated twice, none is lost.
    @Test func sixteenClientsPayingOneTenantDuringRunsNeverOverAllocate() throws {
        let (db, session) = try makeSession()
        try signed(session, cycle: .monthly)
        try BillService(session).run(through: day("2021-06-01"))
        let conninfo = db.conninfo
        let outcomes = runConcurrently(18) { i -> Void in
            let conn = try Connection(conninfo)
            defer { conn.close() }
            let clerk = ParkSession(connection: conn, actor: "clerk\(i)")
            switch i {
            case 16: _ = try BillService(clerk).run(through: day("2022-12-01"))
            case 17: _ = try BillService(clerk).lateFeeRun(through: day("2021-08-01"))
            default:
                for k in 0..<3 {
                    _ = try PaymentService(clerk).record(tenant: bosi.creditCode, park: "SW", amount: money("\(3000 + 100 * i + k).37"),
                                                         on: day("2021-02-0\(k + 1)"))
                }
            }
        }
        for outcome in outcomes { _ = try outcome.get() }
        let sums = try db.connection.query("""
            SELECT (SELECT sum(amount) FROM payment) AS received,
                   (SELECT sum(amount) FROM allocation WHERE payment_id IS NOT NULL) AS paid_out,
                   (SELECT sum(amount) FROM allocation) AS allocated,
                   (SELECT sum(payment_left(id)) FROM payment) AS credit,
                   (SELECT sum(amount) FROM bill WHERE amount > 0) AS billed,
                   (SELECT coalesce(sum(amount), 0) FROM bill_waiver) AS waived,
                   (SELECT sum(bill_balance(id)) FROM bill WHERE amount > 0) AS open,
                   (SELECT count(*) FROM bill b WHERE bill_balance(b.id) < 0
                                             OR (SELECT coalesce(sum(a.amount), 0) FROM allocation a WHERE a.bill_id = b.id) > b.amount) AS broken_bills,
                   (SELECT count(*) FROM payment p WHERE payment_left(p.id) < 0) AS broken_payments,
                   (SELECT count(*) FROM payment) AS payments
            """).rows[0]
        let received: Decimal = try sums.decode("received"), allocated: Decimal = try sums.decode("allocated")
        let credit: Decimal = try sums.decode("credit")
        #expect(try sums.decode("payments", as: Int.self) == 48)
        // Σ payments = Σ allocations + credit; Σ bills − Σ allocations − Σ waivers = Σ open balances.
        #expect(received == (try sums.decode("paid_out", as: Decimal.self)) + credit && credit >= 0)
        #expect(try sums.decode("billed", as: Decimal.self) - allocated - sums.decode("waived", as: Decimal.self) == sums.decode("open", as: Decimal.self))
        #expect(try sums.decode("broken_bills", as: Int.self) == 0 && sums.decode("broken_payments", as: Int.self) == 0)
        // A payment that raced a run may have left credit beside the run's new bills;
        // the next run applies it: then money is all used, or credit with nothing open.
        try BillService(session).run(through: day("2022-12-01"))
        let after = try db.connection.query("""
            SELECT (SELECT sum(bill_balance(id)) FROM bill WHERE amount > 0) AS open, (SELECT sum(payment_left(id)) FROM payment) AS credit
            """).rows[0]
        #expect(try after.decode("open", as: Decimal.self) == 0 || after.decode("credit", as: Decimal.self) == 0)
    }

    /// A renewal's deposit carries over: it is billed only what it asks beyond the
    /// renewed lease's, and the last lease of the chain is the one settled.
    @Test func aRenewalCarriesTheDepositOverAndIsTheOneSettled() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2021-01-01", "2021-12-31", rent: "40.00")
        t.deposit = money("20000.00")
        t.cycle = .annual
        let first = try LeaseService(session).sign(t)
        var renewal = LeaseService.Renewal(end: day("2022-12-31"))
        renewal.deposit = money("25000.00")
        let second = try LeaseService(session).renew(first.number, renewal)
        try BillService(session).run(through: day("2022-01-01"))
        let deposits = try BillService(session).list(BillService.Filter(fee: .deposit, asOf: day("2022-01-01"))).bills
        // 20000.00 for the first lease; the renewal asks 25000.00: 5000.00 more.
        #expect(deposits.map(\.lease) == [first.number, second.number] && deposits.map(\.amount) == [money("20000.00"), money("5000.00")])
        // A year's rent each: 256.50 × 40 × 12 = 123120.00. Everything paid.
        _ = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("271240.00"), on: day("2022-01-01"))
        #expect { try SettlementService(session).settle(first.number, on: day("2022-01-05")) } throws: {
            ($0 as? ParkError)?.kind == .invalidInput && "\($0)".contains("renewed by \(second.number)")
        }
        let settled = try SettlementService(session).settle(second.number, on: day("2022-12-31"))
        #expect(settled.depositHeld == money("25000.00") && settled.refunded == money("25000.00") && settled.stillOwed == 0)
    }

    /// The park's settings move the due day and the late fee; a lease's own rate wins.
    @Test func theParksSettingsAndTheLeasesRateApply() throws {
        let (_, session) = try makeSession()
        try signed(session)
        var changes = PortfolioService.ParkChanges()
        changes.billing.payWithinDays = 10
        changes.billing.lateFeeRate = money("0.001")
        #expect(try PortfolioService(session).setPark("SW", changes).sorted() == ["late_fee_rate", "pay_within_days"])
        #expect(try PortfolioService(session).billingSettings("SW").payWithinDays == 10)
        try BillService(session).run(through: day("2021-01-01"))
        let rent = try #require(try bills(session)["rent 2021-01-01"])
        #expect(rent.dueOn == day("2021-01-11"))   // 1 January + 10 days
        // Late from 12 January; through the 13th, 2 days × 25815.48 × 0.001 = 51.63096 → 51.63.
        try BillService(session).lateFeeRun(through: day("2021-01-13"))
        let fees = try BillService(session).list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-13"))).bills
        #expect(fees.map(\.amount) == [money("51.63"), money("7.70")])   // fee: 2 × 3847.50 × 0.001 = 7.695 → 7.70
        // A lease with its own rate, 0.02 % a day, on SW/B1/0201 (256.50 m² at 32.00: 8208.00 a month).
        var own = terms(["SW/B1/0201"], "2021-01-01", "2021-12-31", rent: "32.00")
        own.lateFeeRate = money("0.0002")
        let second = try LeaseService(session).sign(own)
        try BillService(session).run(through: day("2021-01-01"), park: "SW")
        // Due 11 January; days 12-21: 10 × 8208.00 × 0.0002 = 16.416 → 16.42.
        try BillService(session).lateFeeRun(through: day("2021-01-21"), park: "SW")
        let own_ = try BillService(session).list(BillService.Filter(lease: second.number, fee: .lateFee, asOf: day("2021-01-21"))).bills
        #expect(own_.map(\.amount) == [money("16.42")])
    }

    /// A lease whose last quarter was cut short by its end, extended by an amendment:
    /// the rest of that quarter is billed, then the quarters after it.
    @Test func anExtensionBillsTheRestOfTheQuarterItsEndCutShort() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        var t = terms(["SW/B1/0101"], "2021-01-01", "2021-11-30", rent: "40.00")
        t.cycle = .quarterly
        let lease = try LeaseService(session).sign(t)
        try BillService(session).run(through: day("2021-10-01"))
        // The fourth quarter ends with the lease: October and November, 2 × 10260.00 = 20520.00.
        #expect(try bills(session)["rent 2021-10-01"]?.amount == money("20520.00") && bills(session)["rent 2021-10-01"]?.periodEnd == day("2021-11-30"))
        var change = LeaseService.Amendment(signedOn: day("2021-11-20"))
        change.end = day("2022-03-31")
        change.reason = "续签补充协议，补录"   // an ended lease is amended with a reason
        _ = try LeaseService(session).amend(lease.number, change)
        // December alone (10260.00, due 1 December), then the first quarter of 2022 (30780.00).
        #expect(try BillService(session).run(through: day("2022-01-01")).bills == 2)
        let after = try bills(session)
        #expect(after["rent 2021-12-01"]?.amount == money("10260.00") && after["rent 2021-12-01"]?.periodEnd == day("2021-12-31"))
        #expect(after["rent 2021-12-01"]?.dueOn == day("2021-12-01"))
        #expect(after["rent 2022-01-01"]?.amount == money("30780.00") && after["rent 2022-01-01"]?.periodEnd == day("2022-03-31"))
        #expect(try BillService(session).run(through: day("2022-03-31")).bills == 0)
    }

    /// The millionth bill is numbered with seven digits: no number repeats, no bill is
    /// dropped (lpad alone cut 1000000 to 100000, a number taken, and the run skipped it).
    @Test func numbersGrowPastAMillionWithoutRepeating() throws {
        let (db, session) = try makeSession()
        try signed(session)
        try db.connection.execute("SELECT setval('bill_number_seq', 999998)")
        #expect(try BillService(session).run(through: day("2021-04-01")).bills == 5)
        let numbers: [String] = try db.connection.query("SELECT number FROM bill ORDER BY id").rows.map { try $0.decode(0) }
        let year = String(numbers[0].dropFirst(2).prefix(4))
        #expect(numbers == ["B-\(year)-999999", "B-\(year)-1000000", "B-\(year)-1000001", "B-\(year)-1000002", "B-\(year)-1000003"])
    }

    /// The rent of a day is worked out inside the statements that use it: PostgreSQL
    /// inlines lease_rate_from (declared IMMUTABLE over a body that was only STABLE,
    /// through age() of two dates, it ran as a statement of its own per row: seconds of
    /// a bill run over 100,000 leases). Its results stay the same: 40.00 rising 5 % a
    /// year, on 2023-03-01 of a lease from 2020-02-29 (three whole years):
    /// 40 × 1.05³ = 46.305 → 46.31; the day before, two: 40 × 1.05² = 44.10.
    @Test func theRentOfADayIsInlinedIntoItsStatement() throws {
        let (db, _) = try makeSession()
        let plan: [String] = try db.connection.query("""
            EXPLAIN (VERBOSE, COSTS OFF)
            SELECT lease_rate_from(40.00 + g, 5, date '2020-02-29' + g, date '2020-02-29', date '2021-02-28' + g)
            FROM generate_series(1, 2) g
            """).rows.map { try $0.decode(0) }
        #expect(!plan.joined().contains("lease_rate_from("), "\(plan)")
        let row = try db.connection.query("""
            SELECT lease_rate_from(40.00, 5, '2020-02-29', '2020-02-29', '2023-03-01'),
                   lease_rate_from(40.00, 5, '2020-02-29', '2020-02-29', '2023-02-28')
            """).rows[0]
        #expect(try row.decode(0) == money("46.31") && row.decode(1) == money("44.10"))
    }

    /// A bill paid within its grace days whose payment bounces afterwards owes late fees
    /// from the day the money was taken back.
    @Test func aPaymentThatBouncesAfterTheGraceDaysStartsTheLateFees() throws {
        let (_, session) = try makeSession()
        try signed(session)
        var changes = PortfolioService.ParkChanges()
        changes.billing.graceDays = 5
        _ = try PortfolioService(session).setPark("SW", changes)
        try BillService(session).run(through: day("2021-01-01"))
        // 20000 + 25815.48 + 3847.50 = 49662.98, paid on 2 January; the transfer bounces on the 20th.
        let paid = try PaymentService(session).record(tenant: bosi.creditCode, park: "SW", amount: money("49662.98"), on: day("2021-01-02"))
        _ = try PaymentService(session).reverse(paid.payment.number, reason: "退票", on: day("2021-01-20"))
        // Late from the 7th; owed again from the 20th: days 20-31, 12 of them.
        // Rent 12 × 25815.48 × 0.0005 = 154.89288 → 154.89; fee 12 × 3847.50 × 0.0005 = 23.085 → 23.09.
        #expect(try BillService(session).lateFeeRun(through: day("2021-01-31")).bills == 2)
        let fees = try BillService(session).list(BillService.Filter(fee: .lateFee, asOf: day("2021-01-31"))).bills
        #expect(fees.map(\.amount) == [money("154.89"), money("23.09")])
    }
}
