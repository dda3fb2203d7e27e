import ArgumentParser
import ParkCore

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Take tenants from application to move-in.",
        subcommands: [Apply.self, Update.self, Approve.self, Reject.self, Check.self, Uncheck.self, FitOut.self, MoveIn.self, MoveOut.self,
                      List.self, Show.self, Manager.self, FollowUp.self, FollowUps.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a tenant's application to a park.")
        @OptionGroup var staff: StaffOptions
        @Option(help: "Park code.") var park: String
        @Option(parsing: .unconditional, help: "Company name (公司名).") var name: String
        @Option(help: "统一社会信用代码, 18 characters.") var creditCode: String
        @Option(help: "Industry: a code (software, ai, ecommerce...) or its name (软件, 人工智能, 电子商务).") var industry: String
        @Option(help: "Contact person.") var contact: String
        @Option(help: "Phone.") var phone: String
        @Option(help: "E-mail.") var email: String?
        @Option(parsing: .unconditional, help: "Wanted area in m².") var wantedArea: String?
        @Option(choice: "Wanted unit kind") var wantedKind: UnitKind?
        @Option(help: "Day of the application, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let application = TenantService.Application(
                park: park, name: name, creditCode: creditCode, industry: industry, contact: contact, phone: phone,
                email: email, wantedAreaM2: try wantedArea.map { try Area(option: $0, field: "wanted area").squareMetres },
                wantedKind: wantedKind, on: try on.map { try Day(option: $0, field: "on").date })
            let o = try TenantService(staff.session()).apply(application)
            say("\(o.tenant.name) (\(o.tenant.creditCode)) applied to \(o.park): stage \(o.stage.rawValue)\n")
            // A tenant known already keeps its recorded details: say so, never drop them silently.
            var given: [(field: String, option: String, recorded: String, typed: String)] = [
                ("industry", "--industry", o.tenant.industry, Industry.codeOfName(industry) ?? industry), ("contact", "--contact", o.tenant.contact, contact),
                ("phone", "--phone", o.tenant.phone, phone)]
            if let email { given.append(("email", "--email", o.tenant.email ?? "", email)) }
            let differ = given.filter { $0.recorded != $0.typed }
            if !differ.isEmpty {
                say("note: \(o.tenant.name) is known already and keeps its recorded "
                    + differ.map { "\($0.field) \($0.recorded.isEmpty ? "(none)" : $0.recorded)" }.joined(separator: ", ")
                    + "; to record the ones given here: parkctl tenant update \(o.tenant.creditCode) "
                    + differ.map { "\($0.option) '\($0.typed)'" }.joined(separator: " ") + "\n")
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a tenant's profile: name, short name, industry, contact, phone, e-mail.",
            discussion: """
                Only the options given change; the audit trail keeps the values they replace. \
                An empty --short-name or --email removes it.
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(parsing: .unconditional, help: "The registered company name (公司名).") var name: String?
        @Option(parsing: .unconditional, help: "Short name (简称), at most 8 characters, shown in narrow tables.") var shortName: String?
        @Option(help: "Industry: a code (software, ai, ecommerce...) or its name (软件, 人工智能, 电子商务).") var industry: String?
        @Option(parsing: .unconditional, help: "Contact person.") var contact: String?
        @Option(parsing: .unconditional, help: "Phone.") var phone: String?
        @Option(parsing: .unconditional, help: "E-mail.") var email: String?

        func run() throws {
            var changes = TenantService.Changes()
            changes.name = name; changes.shortName = shortName; changes.industry = industry
            changes.contact = contact; changes.phone = phone; changes.email = email
            guard [name, shortName, industry, contact, phone, email].contains(where: { $0 != nil }) else {
                throw ValidationError("give at least one of --name, --short-name, --industry, --contact, --phone, --email")
            }
            let (recorded, changed) = try TenantService(staff.session()).update(tenant, changes)
            say(changed.isEmpty ? "\(recorded.name) (\(recorded.creditCode)) has these details already; nothing changed\n"
                                : "\(recorded.name) (\(recorded.creditCode)): changed \(changed.joined(separator: ", "))\n")
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an application (checks the industry against the park's positioning).")
        @OptionGroup var application: ApplicationArguments
        @Option(help: "Why (kept in the timeline).") var reason: String?
        @Option(help: "Admit an industry outside the park's positioning, for this reason.") var override: String?
        @OptionGroup var day: DayOfTheStep

        func run() throws {
            let o = try TenantService(application.staff.session()).approve(creditCode: application.tenant, park: application.park, reason: reason, override: override,
                                                               on: try day.date)
            say("\(o.tenant.name) approved for \(o.park)\(o.overrideReason.map { " (override: \($0))" } ?? "")\n")
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject an application.")
        @OptionGroup var application: ApplicationArguments
        @Option(help: "Why (required).") var reason: String
        @OptionGroup var day: DayOfTheStep

        func run() throws {
            let o = try TenantService(application.staff.session()).reject(creditCode: application.tenant, park: application.park, reason: reason,
                                                              on: try day.date)
            say("\(o.tenant.name) rejected for \(o.park): \(reason)\n")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tick an item of the onboarding checklist.")
        @OptionGroup var application: ApplicationArguments
        @Option(choice: "Checklist item") var item: ChecklistItem
        @Option(help: "A note.") var note: String?

        func run() throws {
            let done = try TenantService(application.staff.session()).check(creditCode: application.tenant, park: application.park, item: item, note: note)
            emit(done ? "checked \(item.rawValue) (\(item.chineseName))\n" : "\(item.rawValue) was checked already; nothing changed\n")
        }
    }

    struct Uncheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a tick of the onboarding checklist entered by mistake (before the move-in).",
            discussion: "The tick is kept in the record with who undid it, when and why. Example: parkctl tenant uncheck 博思软件 --park SW --item deposit_paid --reason 押金未到账")
        @OptionGroup var application: ApplicationArguments
        @Option(choice: "Checklist item") var item: ChecklistItem
        @Option(help: "Why (required; kept in the record).") var reason: String

        func run() throws {
            let undone = try TenantService(application.staff.session()).uncheck(creditCode: application.tenant, park: application.park, item: item, reason: reason)
            emit(undone ? "unchecked \(item.rawValue) (\(item.chineseName))\n" : "\(item.rawValue) was not checked; nothing changed\n")
        }
    }

    struct FitOut: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fit-out", abstract: "Record that a tenant with a signed lease starts fitting out.")
        @OptionGroup var application: ApplicationArguments
        @OptionGroup var day: DayOfTheStep

        func run() throws {
            try TenantService(application.staff.session()).advance(creditCode: application.tenant, park: application.park, to: .fittingOut,
                                                        on: try day.date)
            say("\(application.tenant) is fitting out at \(application.park)\n")
        }
    }

    struct MoveIn: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "move-in", abstract: "Record a move-in (needs a signed lease and the whole checklist).")
        @OptionGroup var application: ApplicationArguments
        @OptionGroup var day: DayOfTheStep

        func run() throws {
            try TenantService(application.staff.session()).advance(creditCode: application.tenant, park: application.park, to: .movedIn,
                                                        on: try day.date)
            say("\(application.tenant) moved in at \(application.park)\n")
        }
    }

    struct MoveOut: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "move-out", abstract: "Record a move-out (exiting, then exited).")
        @OptionGroup var application: ApplicationArguments
        @OptionGroup var day: DayOfTheStep
        @Option(help: "Why.") var reason: String?

        func run() throws {
            try TenantService(application.staff.session()).moveOut(creditCode: application.tenant, park: application.park,
                                                        on: try day.date, reason: reason)
            say("\(application.tenant) moved out of \(application.park)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applications and tenants.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(choice: "Only this stage") var stage: OnboardingStage?
        @Option(parsing: .unconditional, help: "Only tenants whose name or short name contains this text (博思, soft).") var name: String?

        func run() throws {
            let rows = try TenantService(staff.session()).list(park: park, stage: stage, name: name)
            try output.print(rows.map(\.listRecord), columns: output.format == .table ? ["name", "short_name", "credit_code", "industry", "contact", "phone", "park", "stage"] : nil)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a tenant: profile, onboarding timeline, checklist.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String

        func run() throws {
            let (profile, applications) = try TenantService(staff.session()).show(creditCode: tenant)
            let record = Record(profile.fields + [("applications", .records(applications.map(\.detailRecord)))])
            try output.printOne(record)
        }
    }

    struct Manager: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a tenant its account manager at a park (企业服务专员, a leasing member or admin of the park), or take it away (admin).",
            discussion: "Example: parkctl tenant manager 博思软件 --park SW --to zhang_wei")
        @OptionGroup var application: ApplicationArguments
        @Option(help: "The staff login that serves it.") var to: String?
        @Flag(help: "Take its account manager away.") var none = false

        func run() throws {
            guard (to != nil) != none else { throw ValidationError("give --to STAFF, or --none") }
            let (tenant, manager) = try EnterpriseCare(application.staff.session()).assign(application.tenant, park: application.park, to: to)
            say(manager.map { "\(tenant) at \(application.park) is served by \($0)\n" } ?? "\(tenant) at \(application.park) has no account manager now\n")
        }
    }

    struct FollowUp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-up", abstract: "Record a visit, call or meeting with a tenant (走访, 跟进记录) and the next step's day.",
            discussion: "Example: parkctl tenant follow-up 博思软件 --way visit --note 走访:扩租200㎡意向 --next 2027-01-15")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code (needed for a tenant of several parks).") var park: String?
        @Option(choice: "How") var way: FollowUpWay
        @Option(help: "What was said or agreed.") var note: String
        @Option(help: "The day it happened, YYYY-MM-DD (default: today).") var on: String?
        @Option(name: .customLong("next"), help: "The next step's day, YYYY-MM-DD.") var nextStep: String?

        func run() throws {
            let done = try EnterpriseCare(staff.session()).followUp(tenant, park: park, on: try optionalDate(on, "on"), way: way, note: note,
                                                                    nextStepOn: try optionalDate(nextStep, "next"))
            say("\(done.tenant) at \(done.park) followed up \(on.map { "on \($0)" } ?? "today")\(nextStep.map { "; next step on \($0)" } ?? "")\n")
        }
    }

    struct FollowUps: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-ups", abstract: "List a tenant's visits, calls and meetings, newest first, with its account manager.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Only at this park.") var park: String?

        func run() throws {
            try output.print(try EnterpriseCare(staff.session()).followUps(tenant, park: park).map(\.record))
        }
    }
}

/// The application a step of onboarding acts on: the tenant and the park, and who acts.
struct ApplicationArguments: ParsableArguments {
    @OptionGroup var staff: StaffOptions
    @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
    @Option(help: "Park code.") var park: String
}

/// The day a step of an application takes effect.
struct DayOfTheStep: ParsableArguments {
    @Option(help: "Day, YYYY-MM-DD (default: today).") var on: String?

    var date: CalendarDate? { get throws { try on.map { try Day(option: $0, field: "on").date } } }
}
