import ArgumentParser
import Foundation
import ParkCore

/// `parkctl lead`: the investment pipeline (招商), leads from first contact to an application.
struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead", abstract: "Court companies (招商): leads, follow-ups, the shared pool (公海池), won or lost.",
        subcommands: [Add.self, List.self, Show.self, FollowUp.self, Claim.self, Assign.self, Advance.self, Lose.self, Win.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a lead; the one who adds it owns it (--pool: it starts in the shared pool).",
            discussion: "Example: parkctl lead add --park SW --company 长沙智谷科技 --industry 人工智能 --source event --contact 周明 --phone 0731-8888001 --wanted-area 800")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The park that courts it.") var park: String
        @Option(help: "The company's name.") var company: String
        @Option(help: "Its unified social credit code, if known.") var creditCode: String?
        @Option(help: "Its industry: a code or a name (软件, 人工智能…).") var industry: String
        @Option(choice: "Where it came from") var source: LeadSource
        @Option(parsing: .unconditional, help: "The area it wants, m².") var wantedArea: String?
        @Option(choice: "The kind of unit it wants") var wantedKind: UnitKind?
        @Option(help: "Its contact.") var contact: String
        @Option(help: "The contact's phone.") var phone: String
        @Flag(help: "Leave it in the shared pool for anyone to claim.") var pool = false

        func run() throws {
            let lead = try LeadService(staff.session()).add(.init(
                park: park, company: company, creditCode: creditCode, industry: industry, source: source,
                wantedAreaM2: try wantedArea.map { try Validate.decimal($0, field: "wanted-area") }, wantedKind: wantedKind,
                contact: contact, phone: phone, take: !pool))
            try output.printOne(lead.record)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads, newest first.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(choice: "Only this stage") var stage: LeadStage?
        @Option(help: "Only this owner's (not those back in the pool).") var owner: String?
        @Flag(help: "Only the leads in the shared pool (公海池), claimable.") var pool = false

        func run() throws {
            try output.print(try LeadService(staff.session()).list(park: park, stage: stage, owner: owner, inPool: pool).map(\.record))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a lead and its follow-ups.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The lead's number, LD-YYYY-NNNNNN.") var number: String

        func run() throws {
            let (lead, followUps) = try LeadService(staff.session()).show(number)
            let record = lead.record
            record.fields.append((key: "follow_ups", value: .records(followUps.map(\.record))))
            try output.printOne(record)
        }
    }

    struct FollowUp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-up", abstract: "Record a visit, call or meeting (跟进记录) and the next step's day.",
            discussion: "Example: parkctl lead follow-up LD-2026-000001 --way visit --note 参观园区,意向800㎡ --next 2026-12-15")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String
        @Option(choice: "How") var way: FollowUpWay
        @Option(help: "What was said or agreed.") var note: String
        @Option(help: "The day it happened, YYYY-MM-DD (default: today).") var on: String?
        @Option(name: .customLong("next"), help: "The next step's day, YYYY-MM-DD.") var nextStep: String?

        func run() throws {
            let lead = try LeadService(staff.session()).followUp(number, on: try optionalDate(on, "on"), way: way, note: note,
                                                                 nextStepOn: try optionalDate(nextStep, "next"))
            say("lead \(lead.number) (\(lead.company)) followed up \(on.map { "on \($0)" } ?? "today")\(nextStep.map { "; next step on \($0)" } ?? "")\n")
        }
    }

    struct Claim: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a lead from the shared pool (公海池) for yourself.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String

        func run() throws {
            let lead = try LeadService(staff.session()).claim(number)
            say("lead \(lead.number) (\(lead.company)) is \(lead.owner ?? "")'s\n")
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a lead to a member of staff, or back to the pool (admin).")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String
        @Option(help: "The staff login that takes it.") var to: String?
        @Flag(help: "Back to the shared pool.") var pool = false

        func run() throws {
            guard (to == nil) == pool else { throw ValidationError("give --to STAFF, or --pool") }
            let lead = try LeadService(staff.session()).assign(number, to: to)
            say("lead \(lead.number) (\(lead.company)) is \(lead.owner.map { "\($0)'s" } ?? "in the pool")\n")
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a lead on: contacted, visited or negotiating.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String
        @Option(choice: "The stage it reached") var to: LeadStage

        func run() throws {
            let lead = try LeadService(staff.session()).advance(number, to: to)
            say("lead \(lead.number) (\(lead.company)) is \(lead.stage.rawValue) since \(lead.stageSince)\n")
        }
    }

    struct Lose: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a lead as lost, with the reason.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String
        @Option(help: "Why (chose another park, no budget…).") var reason: String

        func run() throws {
            let lead = try LeadService(staff.session()).lose(number, reason: reason)
            say("lead \(lead.number) (\(lead.company)) is lost: \(lead.lostReason ?? "")\n")
        }
    }

    struct Win: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Win a lead: the company applies to the park (as tenant apply), and the lead keeps the link.",
            discussion: "Example: parkctl lead win LD-2026-000001 --credit-code 91430100MA4L00001J")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The lead's number.") var number: String
        @Option(help: "The company's credit code (if the lead has none).") var creditCode: String?
        @Option(help: "The company's e-mail.") var email: String?

        func run() throws {
            let lead = try LeadService(staff.session()).win(number, creditCode: creditCode, email: email)
            say("lead \(lead.number) is won: \(lead.company) applied to \(lead.park) (parkctl tenant show \(lead.tenantCreditCode ?? ""))\n")
        }
    }
}
