import ArgumentParser
import ParkCore

/// `parkctl meter`: water, electricity, gas and heat meters, read each month (水电抄表).
struct MeterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meter", abstract: "Record utility meters and read them.",
        subcommands: [Add.self, List.self, Show.self, Read.self, Correct.self, Replace.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a meter: a tenant's sub-meter (--unit), a public meter, or a master meter over others.",
            discussion: """
                Examples:
                  parkctl meter add MG/E-000 --kind electricity --multiplier 80 --installed-on 2026-01-01 --initial 1200
                  parkctl meter add MG/E-101 --kind electricity --unit MG/F1/101 --parent E-000 --installed-on 2026-01-01
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE, e.g. MG/E-101.") var meter: String
        @Option(choice: "What it measures") var kind: MeterKind
        @Option(help: "The unit a tenant's sub-meter measures, PARK/BUILDING/UNIT (none: a public or master meter).") var unit: String?
        @Option(help: "The code of the master meter above it.") var parent: String?
        @Option(parsing: .unconditional, help: "Multiplier (倍率), e.g. 80 behind a 400/5 current transformer.") var multiplier: String = "1"
        @Option(parsing: .unconditional, help: "The register's modulus: 100000 for a meter that shows 0 again after 99999.") var rollsOverAt: String?
        @Option(help: "The day it was installed, YYYY-MM-DD (default: today).") var installedOn: String?
        @Option(parsing: .unconditional, help: "Its register when installed (the first reading).") var initial: String = "0"
        @Option(help: "A note.") var note: String?

        func run() throws {
            let new = MeterService.NewMeter(
                kind: kind, unit: try unit.map(UnitAddress.init(parsing:)), parent: parent,
                multiplier: try Register(option: multiplier, field: "multiplier").value,
                rollsOverAt: try rollsOverAt.map { try Register(option: $0, field: "rolls-over-at").value },
                installedOn: try optionalDate(installedOn, "installed-on"),
                initial: try Register(option: initial, field: "initial").value, note: note)
            let m = try MeterService(staff.session()).add(try MeterAddress(parsing: meter), new)
            say("added meter \(m.address) (\(m.kind.rawValue)\(m.unit.map { ", unit \($0)" } ?? ", public")"
                + "\(m.parent.map { ", under \($0)" } ?? ""), ×\(OutputValue.fixed(m.multiplier, places: 2)); "
                + "register \(OutputValue.fixed(m.lastValue ?? 0, places: 2)) on \(m.installedOn))\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List meters with their last reading.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this park.") var park: String?
        @Option(choice: "Only this kind") var kind: MeterKind?

        func run() throws {
            try output.print(try MeterService(staff.session()).meters(park: park, kind: kind).map(\.record))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a meter and its readings, each with what was used since the one before.")
        @OptionGroup var staff: StaffOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "PARK/CODE.") var meter: String

        func run() throws {
            let (m, readings) = try MeterService(staff.session()).show(try MeterAddress(parsing: meter))
            let record = m.record
            record.fields.append((key: "readings", value: .records(readings.map(\.record))))
            try output.printOne(record)
        }
    }

    struct Read: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a meter's register on a day.",
            discussion: "Example: parkctl meter read MG/E-101 --on 2026-11-30 --value 1532.6")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day it was read, YYYY-MM-DD (default: today).") var on: String?
        @Option(parsing: .unconditional, help: "The register.") var value: String
        @Flag(help: "The register passed its last value and started again from 0.") var rollover = false

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let r = try MeterService(staff.session()).read(address, on: try optionalDate(on, "on"),
                                                            value: try Register(option: value, field: "value").value, rollover: rollover)
            say("meter \(address) read \(OutputValue.fixed(r.value, places: 2)) on \(r.readOn)"
                + (r.used.map { ": used \(OutputValue.fixed($0, places: 2)) since the reading before" } ?? "") + "\n")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a reading mistyped (not one a confirmed or posted period bills: reverse that period first).",
            discussion: "Example: parkctl meter correct MG/E-101 --on 2026-11-30 --value 1523.6")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day of the reading, YYYY-MM-DD.") var on: String
        @Option(parsing: .unconditional, help: "The register as it should have been recorded.") var value: String

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let r = try MeterService(staff.session()).correct(address, on: try Day(option: on, field: "on").date,
                                                               value: try Register(option: value, field: "value").value)
            say("meter \(address) on \(r.readOn) now reads \(OutputValue.fixed(r.value, places: 2))"
                + (r.used.map { ": used \(OutputValue.fixed($0, places: 2)) since the reading before" } ?? "") + "\n")
        }
    }

    struct Replace: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a meter: the old one's final register, the new one's first (and its multiplier).",
            discussion: "Example: parkctl meter replace MG/E-101 --on 2026-11-15 --final 1498.2 --start 0 --multiplier 40")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day of the replacement, YYYY-MM-DD (default: today).") var on: String?
        @Option(name: .customLong("final"), parsing: .unconditional, help: "The old meter's last register.") var finalValue: String
        @Option(parsing: .unconditional, help: "The new meter's register.") var start: String = "0"
        @Option(parsing: .unconditional, help: "The new meter's multiplier (default: the old one's).") var multiplier: String?

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let r = try MeterService(staff.session()).replace(
                address, on: try optionalDate(on, "on"), finalValue: try Register(option: finalValue, field: "final").value,
                start: try Register(option: start, field: "start").value,
                multiplier: try multiplier.map { try Register(option: $0, field: "multiplier").value })
            say("meter \(address) replaced on \(r.readOn): the old one used \(OutputValue.fixed(r.used ?? 0, places: 2)) "
                + "since the reading before; the new one starts at \(OutputValue.fixed(r.value, places: 2))\n")
        }
    }
}
