import ArgumentParser
import Foundation
import ParkCore

struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Staff logins: a PostgreSQL role each, with a role and a park scope the database enforces.",
        discussion: """
            Roles: admin (everything), leasing (tenants, onboarding, leases), service (tickets), viewer (read, reports).
            A member of staff then works as themselves: parkctl --user li_lei …, or a --database-url with their user.
            """,
        subcommands: [Add.self, SetDisplayName.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff login.",
            discussion: "parkctl staff add li_lei --role leasing --parks SW,EC --password-stdin < secret.txt")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Login name: lower-case letters, digits and _.") var name: String
        @Option(choice: "Role") var role: StaffRole
        @Option(help: "Park codes separated by commas.") var parks: String?
        @Flag(help: "Every park, now and later.") var allParks = false
        @Option(parsing: .unconditional, help: "The name people know them by (李雷), shown beside the login in timelines.") var displayName: String?
        @Flag(help: "Read a password from standard input (for logins over TCP; the embedded cluster trusts its socket).")
        var passwordStdin = false
        @OptionGroup var output: FormatOptions

        static let maxPasswordBytes = 1_024

        func validate() throws {
            if (parks == nil) == !allParks { throw ValidationError("give either --parks CODES or --all-parks") }
        }

        func run() throws {
            let codes = parks.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            var password: String?
            if passwordStdin {
                // At most 1 KiB is read: a password is short, and a huge input must not fill memory.
                let data = FileHandle.standardInput.readData(ofLength: Self.maxPasswordBytes + 1)
                guard data.count <= Self.maxPasswordBytes else {
                    throw ParkError.invalid("password: standard input holds more than \(Self.maxPasswordBytes) bytes; give the password alone")
                }
                guard let text = String(data: data, encoding: .utf8) else { throw ParkError.invalid("password: not UTF-8 text") }
                password = text.trimmingCharacters(in: .newlines)
                if password!.unicodeScalars.contains(where: Validate.isUnsafeForTerminal) {
                    throw ParkError.invalid("password: one line, without control characters (standard input held a line break or one)")
                }
            }
            let member = try StaffService(staff.session()).add(name, role: role, parks: codes, password: password, displayName: displayName)
            try output.print([member.record])
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff, revoked ones last.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        func run() throws {
            try output.print(try StaffService(staff.session()).list().map(\.record))
        }
    }

    struct SetDisplayName: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Give a member of staff a display name (an empty one removes it).",
            discussion: "Example: parkctl staff set li_lei --display-name 李雷")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Login name.") var name: String
        @Option(parsing: .unconditional, help: "The name people know them by, shown beside the login in timelines.") var displayName: String
        @OptionGroup var output: FormatOptions
        func run() throws {
            let member = try StaffService(staff.session()).setDisplayName(name, displayName)
            try output.print([member.record])
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a login and its rights away; its open sessions end.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "Login name.") var name: String
        func run() throws {
            let (_, released) = try StaffService(staff.session()).revoke(name)
            say("staff \(name) revoked\n")
            if !released.isEmpty {
                say("\(released.count) tenant(s) it served have no account manager now: \(released.joined(separator: ", ")) "
                    + "(parkctl tenant manager TENANT --park PARK --to STAFF)\n")
            }
        }
    }
}

extension StaffMember {
    var record: Record {
        Record([("name", .text(name)), ("display_name", .optional(displayName)), ("role", .text(role.rawValue)), ("parks", parks.map { .list($0) } ?? .text("all")),
                ("created_at", .time(createdAt)), ("created_by", .text(createdBy)),
                ("revoked_at", .time(revokedAt)), ("revoked_by", .optional(revokedBy))])
    }
}
