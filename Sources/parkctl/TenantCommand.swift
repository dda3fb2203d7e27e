import ArgumentParser
import ParkCore

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Take tenants from application to move-in.",
        subcommands: [Apply.self, Approve.self, Reject.self, Check.self, FitOut.self, MoveIn.self, MoveOut.self,
                      List.self, Show.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a tenant's application to a park.")
        @OptionGroup var staff: StaffOptions
        @Option(help: "Park code.") var park: String
        @Option(parsing: .unconditional, help: "Company name (公司名).") var name: String
        @Option(help: "统一社会信用代码, 18 characters.") var creditCode: String
        @Option(help: "Industry, a lower-case word (software, ai, ecommerce...).") var industry: String
        @Option(help: "Contact person.") var contact: String
        @Option(help: "Phone.") var phone: String
        @Option(help: "E-mail.") var email: String?
        @Option(parsing: .unconditional, help: "Wanted area in m².") var wantedArea: String?
        @Option(help: UnitKind.help("Wanted unit kind"), completion: UnitKind.completion) var wantedKind: String?
        @Option(help: "Day of the application, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let application = TenantService.Application(
                park: park, name: name, creditCode: creditCode, industry: industry, contact: contact, phone: phone,
                email: email, wantedAreaM2: try parseDecimal(wantedArea, field: "wanted area"),
                wantedKind: try wantedKind.map(UnitKind.parse), on: try on.map { try Validate.date($0, field: "on") })
            let o = try TenantService(staff.session()).apply(application)
            say("\(o.tenant.name) (\(o.tenant.creditCode)) applied to \(o.park): stage \(o.stage.rawValue)\n")
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an application (checks the industry against the park's positioning).")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: "Why (kept in the timeline).") var reason: String?
        @Option(help: "Admit an industry outside the park's positioning, for this reason.") var override: String?
        @Option(help: "Day of the decision, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let o = try TenantService(staff.session()).approve(creditCode: tenant, park: park, reason: reason, override: override,
                                                               on: try on.map { try Validate.date($0, field: "on") })
            say("\(o.tenant.name) approved for \(o.park)\(o.overrideReason.map { " (override: \($0))" } ?? "")\n")
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject an application.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: "Why (required).") var reason: String
        @Option(help: "Day of the decision, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            let o = try TenantService(staff.session()).reject(creditCode: tenant, park: park, reason: reason,
                                                              on: try on.map { try Validate.date($0, field: "on") })
            say("\(o.tenant.name) rejected for \(o.park): \(reason)\n")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tick an item of the onboarding checklist.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: ChecklistItem.help("Checklist item"), completion: ChecklistItem.completion) var item: String
        @Option(help: "A note.") var note: String?

        func run() throws {
            let item = try ChecklistItem.parse(item)
            let done = try TenantService(staff.session()).check(creditCode: tenant, park: park, item: item, note: note)
            emit(done ? "checked \(item.rawValue) (\(item.chineseName))\n" : "\(item.rawValue) was checked already; nothing changed\n")
        }
    }

    struct FitOut: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fit-out", abstract: "Record that a tenant with a signed lease starts fitting out.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: "Day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            try TenantService(staff.session()).advance(creditCode: tenant, park: park, to: .fittingOut,
                                                        on: try on.map { try Validate.date($0, field: "on") })
            say("\(tenant) is fitting out at \(park)\n")
        }
    }

    struct MoveIn: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "move-in", abstract: "Record a move-in (needs a signed lease and the whole checklist).")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: "Day, YYYY-MM-DD (default: today).") var on: String?

        func run() throws {
            try TenantService(staff.session()).advance(creditCode: tenant, park: park, to: .movedIn,
                                                        on: try on.map { try Validate.date($0, field: "on") })
            say("\(tenant) moved in at \(park)\n")
        }
    }

    struct MoveOut: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "move-out", abstract: "Record a move-out (exiting, then exited).")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The tenant: its credit code, registered name or short name.") var tenant: String
        @Option(help: "Park code.") var park: String
        @Option(help: "Day, YYYY-MM-DD (default: today).") var on: String?
        @Option(help: "Why.") var reason: String?

        func run() throws {
            try TenantService(staff.session()).moveOut(creditCode: tenant, park: park,
                                                        on: try on.map { try Validate.date($0, field: "on") }, reason: reason)
            say("\(tenant) moved out of \(park)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applications and tenants.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: OnboardingStage.help("Only this stage"), completion: OnboardingStage.completion) var stage: String?
        @Option(parsing: .unconditional, help: "Only tenants whose name or short name contains this text (博思, soft).") var name: String?

        func run() throws {
            let stage = try stage.map(OnboardingStage.parse)
            let rows = try TenantService(staff.session()).list(park: park, stage: stage, name: name)
            emit(Renderer.render(rows.map(\.listRecord), as: output.format,
                                 columns: output.format == .table ? ["name", "short_name", "credit_code", "industry", "contact", "phone", "park", "stage"] : nil))
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
            emit(Renderer.renderOne(record, as: output.format))
        }
    }
}
