import Foundation
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
                  parkctl meter add MG/E-102 --kind electricity --bands 峰平谷 --unit MG/F1/102 --parent E-000 --initial 0
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE, e.g. MG/E-101.") var meter: String
        @Option(choice: "What it measures") var kind: MeterKind
        @Option(help: "The unit a tenant's sub-meter measures, PARK/BUILDING/UNIT (none: a public or master meter).") var unit: String?
        @Option(help: "The code of the master meter above it.") var parent: String?
        @Option(parsing: .unconditional, help: "Multiplier (倍率), e.g. 80 behind a 400/5 current transformer.") var multiplier: String = "1"
        @Option(help: "A time-of-use electricity meter's bands (分时): 峰平谷 (peak, flat, valley) or 尖峰平谷 (with the sharp peak).")
        var bands: String?
        @Option(parsing: .unconditional, help: "The register's modulus: 100000 for a meter that shows 0 again after 99999.") var rollsOverAt: String?
        @Option(help: "The day it was installed, YYYY-MM-DD (default: today).") var installedOn: String?
        @Option(parsing: .unconditional, help: "Its register when installed (the first reading); of a time-of-use meter one value for every band, or 峰=120,平=300,谷=80.")
        var initial: String = "0"
        @Option(help: "A note.") var note: String?

        func run() throws {
            let new = MeterService.NewMeter(
                kind: kind, unit: try unit.map(UnitAddress.init(parsing:)), parent: parent,
                multiplier: try Register(option: multiplier, field: "multiplier").value,
                registers: try bands.map(Self.bands) ?? [.total],
                rollsOverAt: try rollsOverAt.map { try Register(option: $0, field: "rolls-over-at").value },
                installedOn: try optionalDate(installedOn, "installed-on"),
                initial: try RegisterValues(parsing: initial, field: "initial"), note: note)
            let m = try MeterService(staff.session()).add(try MeterAddress(parsing: meter), new)
            say("added meter \(m.address) (\(m.kind.rawValue)\(m.unit.map { ", unit \($0)" } ?? ", public")"
                + "\(m.parent.map { ", under \($0)" } ?? ""), ×\(OutputValue.fixed(m.multiplier, places: 2))"
                + (m.isTimeOfUse ? ", bands \(m.registers.map(\.rawValue).joined(separator: "/"))" : "")
                + "; register \(OutputValue.fixed(m.lastValue ?? 0, places: 2)) on \(m.installedOn))\n")
        }

        /// 峰平谷 or 尖峰平谷 (also peak,flat,valley and sharp,peak,flat,valley).
        static func bands(_ text: String) throws -> [MeterRegister] {
            switch text.replacingOccurrences(of: " ", with: "").lowercased() {
            case "峰平谷", "peak,flat,valley": return MeterRegister.threeBands
            case "尖峰平谷", "sharp,peak,flat,valley": return MeterRegister.fourBands
            default: throw ValidationError("--bands '\(text)' is 峰平谷 (peak,flat,valley) or 尖峰平谷 (sharp,peak,flat,valley)")
            }
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
            discussion: """
                Examples:
                  parkctl meter read MG/E-101 --on 2026-11-30 --value 1532.6
                  parkctl meter read MG/E-102 --on 2026-11-30 --value 峰=400,平=800,谷=300   (a time-of-use meter: every band)
                """)
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day it was read, YYYY-MM-DD (default: today).") var on: String?
        @Option(parsing: .unconditional, help: "The register; of a time-of-use meter each band's, e.g. 峰=400,平=800,谷=300.") var value: String
        @Flag(help: "The register passed its last value and started again from 0 (of a time-of-use meter: each band that reads below its last).")
        var rollover = false

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let readings = try MeterService(staff.session()).read(address, on: try optionalDate(on, "on"),
                                                                   values: try RegisterValues(parsing: value, field: "value"), rollover: rollover)
            say("meter \(address) read \(readings.registers) on \(readings[0].readOn)" + readings.usedSince + "\n")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a reading mistyped (not one a confirmed or posted period bills: reverse that period first).",
            discussion: "Example: parkctl meter correct MG/E-101 --on 2026-11-30 --value 1523.6")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day of the reading, YYYY-MM-DD.") var on: String
        @Option(parsing: .unconditional, help: "The register as it should have been recorded (of a time-of-use meter, the bands to correct: 峰=410).")
        var value: String

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let readings = try MeterService(staff.session()).correct(address, on: try Day(option: on, field: "on").date,
                                                                      values: try RegisterValues(parsing: value, field: "value"))
            say("meter \(address) on \(readings[0].readOn) now reads \(readings.registers)" + readings.usedSince + "\n")
        }
    }

    struct Replace: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a meter: the old one's final register, the new one's first (and its multiplier).",
            discussion: "Example: parkctl meter replace MG/E-101 --on 2026-11-15 --final 1498.2 --start 0 --multiplier 40")
        @OptionGroup var staff: StaffOptions
        @Argument(help: "PARK/CODE.") var meter: String
        @Option(help: "The day of the replacement, YYYY-MM-DD (default: today).") var on: String?
        @Option(name: .customLong("final"), parsing: .unconditional, help: "The old meter's last register (time-of-use: 峰=…,平=…,谷=…).")
        var finalValue: String
        @Option(parsing: .unconditional, help: "The new meter's register (time-of-use: one value for every band, or each band's).") var start: String = "0"
        @Option(parsing: .unconditional, help: "The new meter's multiplier (default: the old one's).") var multiplier: String?

        func run() throws {
            let address = try MeterAddress(parsing: meter)
            let readings = try MeterService(staff.session()).replace(
                address, on: try optionalDate(on, "on"), finals: try RegisterValues(parsing: finalValue, field: "final"),
                starts: try RegisterValues(parsing: start, field: "start"),
                multiplier: try multiplier.map { try Register(option: $0, field: "multiplier").value })
            say("meter \(address) replaced on \(readings[0].readOn): the old one used \(readings.used) "
                + "since the reading before; the new one starts at \(readings.registers)\n")
        }
    }
}

extension [MeterReading] {
    /// "1532.60", or a time-of-use meter's "峰 400.00, 平 800.00, 谷 300.00".
    var registers: String { describe(\.value) }

    /// What the registers used since the readings before: "1,532.60" or per band.
    var used: String { describe { $0.used ?? 0 } }

    /// ": used … since the reading before", or nothing for a first reading.
    var usedSince: String {
        allSatisfy({ $0.used == nil }) ? "" : ": used \(used) since the reading before"
    }

    private func describe(_ value: (MeterReading) -> Decimal) -> String {
        map { ($0.register == .total ? "" : $0.register.label(in: .zh) + " ") + OutputValue.fixed(value($0), places: 2) }
            .joined(separator: ", ")
    }
}
