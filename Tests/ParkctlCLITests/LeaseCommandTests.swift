import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct LeaseCommandTests {
    func approvedTenant(_ cli: CLI) throws {
        try cli.portfolio()
        // Applied and approved in 2024: the leases of these tests start in 2025 or later,
        // and an application's steps follow the calendar.
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--on", "2024-12-01"])
        try cli.ok(["tenant", "approve", "91350100M000100Y43", "--park", "SW", "--on", "2024-12-02"])
    }

    @Test func signShowListRenewTerminate() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301,SW/B1/0302",
                                 "--start", "2026-12-15", "--end", "2029-12-14", "--rent", "35.00", "--property-fee", "4.50",
                                 "--free-from", "2026-12-15", "--free-to", "2027-01-14", "--deposit-months", "2",
                                 "--escalation-pct", "3", "--cycle", "quarterly"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(number.range(of: #"^L-2026-\d{6}$"#, options: .regularExpression) != nil)

        let shown = try #require(try cli.json(["lease", "show", number]) as? [String: Any])
        #expect(shown["units"] as? [String] == ["SW/B1/0301", "SW/B1/0302"])
        #expect(shown["start"] as? String == "2026-12-15" && shown["end"] as? String == "2029-12-14")
        #expect((shown["deposit"] as? NSNumber)?.decimalValue == Decimal(string: "101955"))   // 2 × 35 × 1456.50
        let schedule = try #require(shown["schedule"] as? [[String: Any]])
        #expect(schedule.count == 37)
        #expect(schedule[0]["month"] as? String == "2026-12" && (schedule[0]["rent_due"] as? NSNumber)?.intValue == 0)

        let units = try #require(try cli.json(["unit", "list", "--building", "SW/B1", "--as-of", "2027-01-01"]) as? [[String: Any]])
        let leased = units.filter { $0["status"] as? String == "leased" }
        #expect(leased.map { $0["code"] as? String } == ["SW/B1/0301", "SW/B1/0302"])
        #expect(leased.allSatisfyAndNonEmpty { $0["lease"] as? String == number && $0["tenant"] as? String == "博思软件" })
        let reserved = try #require(try cli.json(["unit", "list", "--status", "reserved", "--as-of", "2026-12-14"]) as? [[String: Any]])
        #expect(reserved.count == 2)
        #expect(try (cli.json(["unit", "list", "--status", "vacant", "--as-of", "2029-12-15"]) as? [Any])?.count == 2)

        let active = try #require(try cli.json(["lease", "list", "--active-on", "2027-06-01"]) as? [[String: Any]])
        #expect(active.map { $0["number"] as? String } == [number])
        #expect(try (cli.json(["lease", "list", "--active-on", "2026-12-14"]) as? [Any])?.isEmpty == true)

        let renewal = try cli.ok(["lease", "renew", number, "--end", "2032-12-14"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((try cli.json(["lease", "show", renewal]) as? [String: Any])?["renews"] as? String == number)
        let refused = try cli.run(["lease", "terminate", number, "--on", "2028-06-30", "--reason", "x"])
        #expect(refused.status == 65 && refused.stderr.contains("renewed by \(renewal)"))
        let done = try cli.ok(["lease", "terminate", renewal, "--on", "2030-06-30", "--reason", "提前解约"])
        #expect(done.contains("units free from 2030-07-01"))
        let csv = try cli.ok(["lease", "list", "--format", "csv"])
        #expect(csv.hasPrefix("number,tenant,credit_code,park,units,area_m2,start,end,"))
    }

    @Test func overlapsAndBadTermsExit65WithNothingWritten() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301",
                                 "--start", "2026-11-01", "--end", "2027-11-30", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try cli.ok(["audit", "--format", "csv", "--limit", "100000"])
        let base = ["lease", "sign", "--tenant", "91350100M000100Y43"]
        let cases: [([String], Int32, String)] = [
            (base + ["--units", "SW/B1/0301", "--start", "2027-06-01", "--end", "2028-05-31", "--rent", "35"], 65,
             "SW/B1/0301 is already leased to 博思软件 under \(number)"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-06-01", "--end", "2027-05-31", "--rent", "35"], 65, "must be after the start"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-06-01", "--end", "2028-05-31", "--rent", "0"], 65, "rent must be more than 0"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-06-01", "--end", "2028-05-31", "--rent=-1"], 65, "rent must be more than 0, not -1"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-06-01", "--end", "2028-05-31", "--rent", "35",
                     "--free-from", "2027-05-01", "--free-to", "2027-06-30"], 65, "not inside the term"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-02-30", "--end", "2028-05-31", "--rent", "35"], 65, "start '2027-02-30'"),
            (base + ["--units", "SW/B1/0302", "--start", "2027-06-01", "--end", "2028-05-31", "--rent", "35", "--free-from", "2027-06-01"], 64,
             "--free-to"),
            (["lease", "terminate", "L-2026-999999", "--on", "2027-01-01", "--reason", "x"], 65, "lease 'L-2026-999999' not found"),
            (["lease", "cancel", number, "--reason", "x"], 65, "terminate it instead"),
        ]
        for (args, status, message) in cases {
            let out = try cli.run(args)
            #expect(out.status == status, "\(args.joined(separator: " ")): \(out.stderr)")
            #expect(out.stderr.contains(message), "\(args.joined(separator: " ")): \(out.stderr)")
        }
        #expect(try cli.ok(["audit", "--format", "csv", "--limit", "100000"]) == before)
    }

    @Test func moveInNeedsTheChecklistThenMoveOutNeedsTheLeaseEnded() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301",
                                 "--start", "2025-01-01", "--end", "2027-12-31", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let early = try cli.run(["tenant", "move-in", "91350100M000100Y43", "--park", "SW", "--on", "2025-01-10"])
        #expect(early.status == 65 && early.stderr.contains("checklist is not complete"))
        for item in ["business_license", "fire_safety", "fit_out_plan", "deposit_paid", "keys_handed"] {
            try cli.ok(["tenant", "check", "91350100M000100Y43", "--park", "SW", "--item", item])
        }
        try cli.ok(["tenant", "move-in", "91350100M000100Y43", "--park", "SW", "--on", "2025-01-10"])
        let out = try cli.run(["tenant", "move-out", "91350100M000100Y43", "--park", "SW", "--on", "2026-06-30"])
        #expect(out.status == 65 && out.stderr.contains("\(number) runs until 2027-12-31"))
        try cli.ok(["lease", "terminate", number, "--on", "2026-06-30", "--reason", "退租"])
        try cli.ok(["tenant", "move-out", "91350100M000100Y43", "--park", "SW", "--on", "2026-06-30"])
        let list = try #require(try cli.json(["tenant", "list"]) as? [[String: Any]])
        #expect(list.first?["stage"] as? String == "exited")
    }

    @Test func theDemoShowsEveryStatus() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let units = try #require(try cli.json(["unit", "list"]) as? [[String: Any]])
        let statuses = Set(units.compactMap { $0["status"] as? String })
        #expect(statuses == ["leased", "reserved", "vacant", "off_market"])
        #expect(units.contains { $0["fitting_out"] as? Bool == true })
        let expiring = try #require(try cli.json(["lease", "list", "--expiring-within", "90"]) as? [[String: Any]])
        #expect(expiring.count >= 2)
        let leases = try #require(try cli.json(["lease", "list"]) as? [[String: Any]])
        #expect(leases.contains { $0["status"] as? String == "terminated" })
        #expect(leases.contains { $0["renewed_by"] is String })
    }

    @Test func aStartedLeaseEndsNoEarlierThanItsFirstDayAndSaysSo() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301", "--start", "2026-01-01",
                                 "--end", "2027-12-31", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // Started: not to be cancelled, and terminated on its first day at the earliest (the
        // message once sent the user to cancel, which sent them back to terminate).
        let early = try cli.run(["lease", "terminate", number, "--on", "2025-12-01", "--reason", "录错"])
        #expect(early.status == 65)
        #expect(early.stderr.contains("its last day is 2026-01-01 at the earliest") && !early.stderr.contains("cancel"), "\(early.stderr)")
        let cancel = try cli.run(["lease", "cancel", number, "--reason", "录错"])
        #expect(cancel.status == 65 && cancel.stderr.contains("terminate it instead"), "\(cancel.stderr)")
        #expect(try cli.run(["lease", "terminate", number, "--on", "2026-01-01", "--reason", "录错"]).status == 0)
        // A terminated lease is listed with its last day in force, and its contract end beside it.
        let table = try cli.ok(["lease", "list"]).split(separator: "\n").map(String.init)
        #expect(table[0].contains("last_day") && table[0].contains("end"), "\(table[0])")
        let csv = try cli.ok(["lease", "list", "--format", "csv"]).split(separator: "\r\n").map(String.init)
        let header = csv[0].split(separator: ",").map(String.init)
        let row = csv[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(row[header.firstIndex(of: "last_day")!] == "2026-01-01" && row[header.firstIndex(of: "end")!] == "2027-12-31", "\(csv)")
    }

    /// A unit a lease holds (today, or later) cannot go off the market: it was accepted
    /// silently, and the lease then hid the flag.
    @Test func aLeasedOrReservedUnitDoesNotGoOffTheMarket() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let now = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301", "--start", "2026-01-01",
                              "--end", "2030-12-31", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let later = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0302", "--start", "2031-01-01",
                                "--end", "2031-12-31", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try cli.db.connection.tableChecksums()
        let leased = try cli.run(["unit", "off-market", "SW/B1/0301", "--reason", "维修"])
        #expect(leased.status == 65 && leased.stderr.contains("is leased to 博思软件 under \(now) until 2030-12-31"), "\(leased.stderr)")
        let reserved = try cli.run(["unit", "off-market", "SW/B1/0302", "--reason", "维修"])
        #expect(reserved.status == 65 && reserved.stderr.contains("is reserved for 博思软件 under \(later) from 2031-01-01"), "\(reserved.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
        // Once the lease is cancelled, it can.
        try cli.ok(["lease", "cancel", later, "--reason", "客户放弃"])
        #expect(try cli.ok(["unit", "off-market", "SW/B1/0302", "--reason", "维修"]).contains("off the market"))
    }

    /// A lease cancelled after signing takes the application back to approved (it was
    /// left at lease_signed, and fit-out and move-in went ahead with no lease).
    @Test func anApplicationFollowsItsLeaseAndItsStepsFollowTheCalendar() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301", "--start", "2099-01-01",
                                 "--end", "2099-12-31", "--rent", "35"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.ok(["lease", "cancel", number, "--reason", "客户放弃"])
        let shown = try #require(try cli.json(["tenant", "show", "91350100M000100Y43"]) as? [String: Any])
        let application = try #require((shown["applications"] as? [[String: Any]])?.first)
        #expect(application["stage"] as? String == "approved", "\(application)")
        let steps = try #require(application["timeline"] as? [[String: Any]])
        #expect(steps.last?["to"] as? String == "approved" && steps.last?["reason"] as? String == "lease \(number) cancelled", "\(steps)")
        let before = try cli.db.connection.tableChecksums()
        for args in [["tenant", "fit-out", "91350100M000100Y43", "--park", "SW"], ["tenant", "move-in", "91350100M000100Y43", "--park", "SW"]] {
            let out = try cli.run(args)
            #expect(out.status == 65, "\(args): \(out.stderr)")
        }
        // Steps: none in the future, none before the previous one.
        let future = try cli.run(["tenant", "reject", "91350100M000100Y43", "--park", "SW", "--reason", "x", "--on", "2099-01-01"])
        #expect(future.status == 65 && future.stderr.contains("cannot take effect in the future"), "\(future.stderr)")
        let earlier = try cli.run(["tenant", "reject", "91350100M000100Y43", "--park", "SW", "--reason", "x", "--on", "2024-11-30"])
        #expect(earlier.status == 65 && earlier.stderr.contains("before its previous step"), "\(earlier.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    @Test func aPercentMayCarryItsSignAndAWordRuleSaysWhatItAsks() throws {
        let cli = try CLI()
        try approvedTenant(cli)
        let number = try cli.ok(["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301", "--start", "2027-01-01",
                                 "--end", "2029-12-31", "--rent", "35", "--escalation-pct", "3%"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try #require(try cli.json(["lease", "show", number]) as? [String: Any])
        #expect((shown["escalation_pct"] as? NSNumber)?.decimalValue == 3)
        // "5g" breaks the rule because it starts with a digit: the message says so.
        let industry = try cli.run(["tenant", "apply", "--park", "SW", "--name", "通信公司", "--credit-code", "91440300708461136T",
                                    "--industry", "5g", "--contact", "李明", "--phone", "0734-8100101"])
        #expect(industry.status == 65 && industry.stderr.contains("starts with a letter"), "\(industry.stderr)")
    }
}
