import ArgumentParser
import Foundation
import ParkCore

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The working calendar: public holidays and make-up working days.",
        subcommands: [List.self, AddHoliday.self, AddWorkday.self, Import.self, Update.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List holidays and make-up working days.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this year.") var year: Int?
        @Option(help: "Only days that apply to this park.") var park: String?
        func run() throws {
            try output.print(try CalendarService(staff.session()).list(year: year, park: park).map(\.record))
        }
    }

    struct DayOptions: ParsableArguments {
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The day, YYYY-MM-DD.") var day: String
        @Option(parsing: .unconditional, help: "Its name, e.g. 春节.") var name: String?
        @Option(help: "Only for this park (default: every park).") var park: String?
        @Flag(help: "Change a day recorded as the other kind (a holiday into a working day, or back).") var replace = false

        func set(_ kind: CalendarEntry.Kind) throws {
            let date = try Day(option: day, field: "date").date
            let changed = try CalendarService(staff.session()).set(CalendarEntry(day: date, kind: kind, name: name, park: park),
                                                                   replacing: replace)
            say(changed ? "\(date) is a \(kind == .holiday ? "holiday" : "working day")\(name.map { " (\($0))" } ?? "")\n"
                         : "\(date) was recorded like that already; nothing changed\n")
        }
    }

    struct AddHoliday: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-holiday", abstract: "Record a public holiday.")
        @OptionGroup var day: DayOptions
        func run() throws { try day.set(.holiday) }
    }

    struct AddWorkday: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-workday", abstract: "Record a make-up working day (调休上班).")
        @OptionGroup var day: DayOptions
        func run() throws { try day.set(.workday) }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV with the header date,kind,name (kind holiday or workday); - reads standard input.")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Only for this park (default: every park).") var park: String?

        /// A year of holidays is a few KiB; more is not a calendar, and is not read.
        static let maxBytes = 1 << 20

        func run() throws {
            // Read before connecting: standard input must not be the connection's descriptor.
            let text = try Self.read(file)
            let result = try CalendarService(staff.session()).importCSV(text, park: park)
            say("read \(result.read) days, \(result.changed) new or changed\n")
        }

        /// A calendar file's text (- is standard input), at most 1 MiB of UTF-8.
        static func read(_ file: String) throws -> String {
            let handle: FileHandle
            if file == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let h = FileHandle(forReadingAtPath: file) else { throw ParkError.invalid("cannot read the file '\(file)'") }
                handle = h
            }
            var isDirectory: ObjCBool = false
            if file != "-", FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ParkError.invalid("'\(file)' is a folder, not a calendar file")
            }
            let data: Data
            do {
                data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            } catch {
                throw ParkError.invalid("cannot read the calendar file '\(file)': \(error.localizedDescription)")
            }
            guard data.count <= maxBytes else {
                throw ParkError.invalid("the calendar file '\(file)' is larger than 1 MiB; a calendar holds a few lines a year")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ParkError.invalid("the file '\(file)' is not UTF-8 text")
            }
            return text
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a year's official holiday arrangement (国务院放假安排) for every park, from a CSV like import's.",
            discussion: """
                The arrangements of 2025 and 2026 are built in. When the State Council publishes the next year's, write \
                it as date,kind,name lines (kind holiday or workday: the weekend days worked in exchange) and load it. \
                It replaces what an earlier notice said of the same year; days recorded by hand and a park's own days stay.
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "The CSV file (header date,kind,name); - reads standard input.") var file: String
        @Option(help: "The notice it comes from (default: 国务院办公厅关于YEAR年部分节假日安排的通知).") var source: String?

        func run() throws {
            let text = try Import.read(file)
            let result = try CalendarService(staff.session()).update(text, source: source)
            func days(_ n: Int) -> String { n == 1 ? "1 day" : "\(n) days" }
            var out = "loaded the arrangement of \(result.year): \(days(result.read)) read, \(result.changed) new or changed"
            out += result.removed.isEmpty ? "\n" : "; no longer in it, removed: \(result.removed.map(\.description).joined(separator: ", "))\n"
            if !result.keptByHand.isEmpty {
                out += "kept as recorded by hand (change them with add-holiday/add-workday --replace): "
                    + result.keptByHand.map(\.description).joined(separator: ", ") + "\n"
            }
            say(out)
        }
    }
}
