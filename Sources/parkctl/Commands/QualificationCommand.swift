import ArgumentParser
import ParkCore

/// `parkctl qualification`: enterprises' qualifications (企业资质) and their certificates.
struct QualificationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qualification", abstract: "Record enterprises' qualifications (高新技术企业, 专精特新…) and list them.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a qualification of a tenant of the park: its kind, certificate and valid days.",
            discussion: """
                Kinds by name or code: \(QualificationKind.choicesWithLabels); any other name is the park's own kind.
                Examples:
                  parkctl qualification add --tenant 博思软件 --park SW --kind 高新技术企业 --certificate GR202343001234 --from 2023-12-08 --to 2026-12-07
                  parkctl qualification add --tenant 万魔声学 --park MF --kind 规上企业 --from 2025-01-01
                """)
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The enterprise: its name or credit code.") var tenant: String
        @Option(help: "The park that records it (one the tenant applied to).") var park: String
        @Option(help: "The kind: 高新技术企业, 专精特新, 专精特新小巨人, 科技型中小企业, 规上企业, 瞪羚企业 (or their codes), or the park's own.")
        var kind: String
        @Option(help: "The certificate's number.") var certificate: String?
        @Option(help: "The first valid day, YYYY-MM-DD.") var from: String
        @Option(help: "The last valid day, YYYY-MM-DD (none: no end, as 规上).") var to: String?
        @Option(help: "A note.") var note: String?

        func run() throws {
            let q = try QualificationService(staff.session()).add(
                tenant: tenant, park: park, kind: kind, certificate: certificate, from: try Day(option: from, field: "from").date,
                to: try optionalDate(to, "to"), note: note)
            try output.printOne(q.record)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List qualifications.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(help: "Only this enterprise (name or credit code).") var tenant: String?
        @Option(help: "Only this kind.") var kind: String?
        @Flag(help: "Only those valid today.") var valid = false

        func run() throws {
            try output.print(try QualificationService(staff.session()).list(park: park, tenant: tenant, kind: kind, validOnly: valid).map(\.record))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a qualification recorded by mistake (the audit trail keeps it).")
        @OptionGroup var staff: StaffOptions
        @Option(help: "The enterprise: its name or credit code.") var tenant: String
        @Option(help: "The park that recorded it.") var park: String
        @Option(help: "Its kind.") var kind: String
        @Option(help: "Its first valid day, YYYY-MM-DD.") var from: String
        @Option(help: "Its last valid day, when two start the same day.") var to: String?

        func run() throws {
            try QualificationService(staff.session()).remove(tenant: tenant, park: park, kind: kind, from: try Day(option: from, field: "from").date,
                                                             to: try optionalDate(to, "to"))
            say("removed \(tenant)'s \(kind) qualification valid from \(from) in \(park)\n")
        }
    }
}
