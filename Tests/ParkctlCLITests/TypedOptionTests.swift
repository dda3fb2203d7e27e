import Foundation
import ParkCore
import Testing
import TestSupport

/// Issue 15, section 3: typed options. A word outside a vocabulary is a usage error
/// (exit 64) that names the option, the value and the allowed values; the help and
/// the shell completions list the values from the model's `allCases`; a malformed
/// day, amount, percentage or area is still wrong data (exit 65) with the message
/// that names the field, the value and the rule.
@Suite struct TypedOptionTests {
    static func values<V: Vocabulary>(_: V.Type) -> [String] { V.allCases.map(\.rawValue) }

    /// The words of each vocabulary an option takes, with a command that takes it.
    static let wrongWords: [(args: [String], option: String, value: String, allowed: [String])] = [
        (["lease", "sign", "--tenant", "91350100M000100Y43", "--units", "SW/B1/0301", "--start", "2027-01-01",
          "--end", "2028-12-31", "--rent", "40", "--cycle", "weekly"], "--cycle", "weekly", values(PaymentCycle.self)),
        (["park", "add", "--code", "ZZ", "--name", "x", "--kind", "farm"], "--kind", "farm", values(ParkKind.self)),
        (["unit", "list", "--kind", "castle"], "--kind", "castle", values(UnitKind.self)),
        (["unit", "list", "--status", "let"], "--status", "let", values(UnitStatus.self)),
        (["tenant", "list", "--stage", "moving"], "--stage", "moving", values(OnboardingStage.self)),
        (["tenant", "check", "博思软件", "--park", "SW", "--item", "passport"], "--item", "passport", values(ChecklistItem.self)),
        (["ticket", "open", "--tenant", "博思软件", "--category", "plumbing", "--title", "x"], "--category", "plumbing",
         values(TicketCategory.self)),
        (["ticket", "open", "--tenant", "博思软件", "--category", "repair", "--priority", "asap", "--title", "x"], "--priority", "asap",
         values(TicketPriority.self)),
        (["ticket", "list", "--status", "done"], "--status", "done", values(TicketStatus.self)),
        (["sla", "set", "--category", "repair", "--priority", "high", "--clock", "9to5"], "--clock", "9to5", values(SLAClock.self)),
        (["staff", "add", "boss_1", "--role", "boss", "--parks", "SW"], "--role", "boss", values(StaffRole.self)),
        (["report", "occupancy", "--by", "tenant"], "--by", "tenant", values(OccupancyReport.Grouping.self)),
        (["report", "vacancy", "--kind", "castle"], "--kind", "castle", values(UnitKind.self)),
        (["export", "parks", "--encoding", "latin1"], "--encoding", "latin1", values(TextEncoding.self)),
        (["export", "widgets"], "<entity>", "widgets", values(TransferEntity.self)),
    ]

    @Test func aWrongWordExits64NamingTheOptionTheValueAndTheAllowedOnes() throws {
        let cli = try CLI()
        try cli.portfolio()
        let before = try cli.db.connection.tableChecksums()
        for (args, option, value, allowed) in Self.wrongWords {
            let out = try cli.run(args)
            let shown = "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)"
            #expect(out.status == 64, "\(shown)")
            #expect(out.stderr.contains("'\(value)' is invalid for '\(option)"), "\(shown)")
            #expect(out.stderr.contains("is not one of: "), "\(shown)")
            for word in allowed { #expect(out.stderr.contains(word), "\(shown): \(word) is not listed") }
            #expect(out.stdout.isEmpty, "\(shown)")
        }
        #expect(try cli.db.connection.tableChecksums() == before, "a refused word changed the database")
    }

    @Test func theRightWordsAndTheChecklistsChineseNamesAreTaken() throws {
        let cli = try CLI()
        try cli.portfolio()
        let units = try #require(try cli.json(["unit", "list", "--kind", "office", "--status", "vacant"]) as? [[String: Any]])
        #expect(units.count == 2)
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103", "--wanted-kind", "office"])
        #expect(try cli.ok(["tenant", "check", "博思软件", "--park", "SW", "--item", "押金"]) == "checked deposit_paid (押金)\n")
        #expect(try cli.ok(["tenant", "check", "博思软件", "--park", "SW", "--item", "fire_safety"]) == "checked fire_safety (消防验收)\n")
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        let number = try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2027-01-01",
                                 "--end", "2028-12-31", "--rent", "40", "--cycle", "quarterly", "--escalation-pct", "3%"])
        let lease = try #require(try cli.json(["lease", "show", number.trimmingCharacters(in: .whitespacesAndNewlines)]) as? [String: Any])
        #expect(lease["cycle"] as? String == "quarterly")
        #expect((lease["escalation_pct"] as? NSNumber)?.decimalValue == 3)
    }

    /// A wrong word is echoed in the message: its control characters are shown
    /// escaped, never sent to the terminal.
    @Test func aWrongWordWithAnEscapeSequenceIsShownEscaped() throws {
        let out = try Parkctl.run(["unit", "list", "--kind", "\u{1B}[31mred"])
        #expect(out.status == 64, "\(out.stderr)")
        #expect(!out.stderr.unicodeScalars.contains("\u{1B}"), "an escape character reached the terminal: \(out.stderr)")
        #expect(out.stderr.contains("'\\u{1B}[31mred'"), "\(out.stderr)")
    }

    @Test func theHelpListsEachVocabularysValues() throws {
        func help(_ command: [String]) throws -> String {
            let out = try Parkctl.run(command + ["--help"])
            #expect(out.status == 0, "\(out.stderr)")
            // The help wraps at the terminal's width: compare the words, not the lines.
            return out.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        func listed(_ values: [String]) -> String { values.dropLast().joined(separator: ", ") + " or " + values.last! }
        let sign = try help(["lease", "sign"])
        #expect(sign.contains("--cycle <cycle> Payment cycle: \(listed(Self.values(PaymentCycle.self))). (default: monthly)"), "\(sign)")
        let list = try help(["unit", "list"])
        #expect(list.contains("Only this kind: \(listed(Self.values(UnitKind.self)))."), "\(list)")
        #expect(list.contains("Only units in this status: \(listed(Self.values(UnitStatus.self)))."), "\(list)")
        #expect(list.contains("(values: table, json, csv, xlsx; default: table)"), "\(list)")
        let check = try help(["tenant", "check"])
        #expect(check.contains("Checklist item: " + listed(ChecklistItem.allCases.map { "\($0.rawValue) (\($0.chineseName))" }) + "."),
                "\(check)")
        let export = try help(["export"])
        #expect(export.contains("Export \(listed(Self.values(TransferEntity.self))) as CSV"), "\(export)")
    }

    @Test func theShellCompletionsOfferTheValues() throws {
        let out = try Parkctl.run(["--generate-completion-script", "bash"])
        #expect(out.status == 0, "\(out.stderr)")
        for value in Self.values(UnitKind.self) + Self.values(PaymentCycle.self) + Self.values(TicketStatus.self) {
            #expect(out.stdout.contains(value), "\(value) is not offered")
        }
    }

    /// Days, amounts, percentages and areas are parsed by one parser each, after the
    /// arguments: wrong data (exit 65), named by field, value and rule.
    @Test func aMalformedDayAmountPercentageOrAreaStillNamesTheFieldAndExits65() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        let before = try cli.db.connection.tableChecksums()
        let sign = ["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301"]
        let cases: [([String], String)] = [
            (sign + ["--start", "2027-02-30", "--end", "2028-12-31", "--rent", "40"],
             "start '2027-02-30' is not a date: write YYYY-MM-DD, a day that exists"),
            (sign + ["--start", "2027-01-01", "--end", "3000-01-01", "--rent", "40"],
             "end 3000-01-01 is out of range: a day from 1900-01-01 to 2999-12-31"),
            (sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", "1e3"], "rent '1e3' is not a number (write it like 256.50)"),
            (sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", "40.123"], "rent '40.123' has more than 2 decimals"),
            (sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", "40", "--property-fee", "-1"],
             "property fee must be 0 or more, not -1"),
            (sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", "40", "--escalation-pct", "3%%"],
             "escalation '3%' is not a number"),
            (sign + ["--start", "2027-01-01", "--end", "2028-12-31", "--rent", "40", "--escalation-pct", "1000"],
             "escalation '1000' is too large (at most 3 digits before the point)"),
            (["unit", "add", "SW/B1/0303", "--floor", "3", "--area", "0", "--kind", "office", "--list-rent", "1"],
             "area must be more than 0, not 0"),
            (["unit", "set", "SW/B1/0302", "--area", "12.345"], "area '12.345' has more than 2 decimals"),
            (["report", "vacancy", "--min-area", "big"], "min-area 'big' is not a number"),
        ]
        for (args, message) in cases {
            let out = try cli.run(args)
            #expect(out.status == 65, "parkctl \(args.joined(separator: " ")) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(message), "parkctl \(args.joined(separator: " ")): \(out.stderr)")
        }
        #expect(try cli.db.connection.tableChecksums() == before, "a refused value changed the database")
    }
}
