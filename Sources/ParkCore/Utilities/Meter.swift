import Foundation
import Postgres

/// What a meter measures.
public enum MeterKind: String, Vocabulary {
    case water, electricity, gas, heat
    public static let fieldName = "meter kind"
}

/// How a reading follows the one before it.
public enum ReadingKind: String, Vocabulary {
    /// The register, higher than (or as high as) the reading before.
    case regular
    /// The register passed its last value and started again from 0.
    case rollover
    /// The meter was replaced: the old one's final register ends the days before; the
    /// reading is the new meter's first.
    case replacement
    public static let fieldName = "reading kind"
}

/// A register of a meter: `total` on an ordinary meter; a time band (分时) on a
/// time-of-use electricity meter, each read, rolled over and replaced on its own.
public enum MeterRegister: String, Vocabulary, Comparable {
    case total, sharp, peak, flat, valley
    public static let fieldName = "register"

    /// The bands a time-of-use meter has: 峰平谷, or 尖峰平谷 with the critical peak.
    public static let threeBands: [MeterRegister] = [.peak, .flat, .valley]
    public static let fourBands: [MeterRegister] = [.sharp, .peak, .flat, .valley]

    /// In the meter's order: total, then sharp, peak, flat, valley.
    public static func < (a: MeterRegister, b: MeterRegister) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A meter named `PARK/CODE`, e.g. `MG/E-101`.
public struct MeterAddress: Hashable, Sendable, CustomStringConvertible {
    public let park: String
    public let code: String

    public init(park: String, code: String) {
        self.park = park
        self.code = code
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ParkError.invalid("meter '\(text)' must be written PARK/CODE, e.g. MG/E-101\(Spelling.fullWidthHint(text, parts: 2))")
        }
        park = parts[0]
        code = parts[1]
    }

    public var description: String { "\(park)/\(code)" }
}

/// A water, electricity, gas or heat meter of a park: a tenant's sub-meter (on a unit),
/// a public meter, or a master meter over others.
public struct Meter: Sendable, Equatable {
    public var address: MeterAddress
    public var kind: MeterKind
    public var multiplier: Decimal
    /// `[.total]`, or a time-of-use meter's bands.
    public var registers: [MeterRegister]
    /// The unit a sub-meter measures (PARK/BUILDING/UNIT); nil for a public or master meter.
    public var unit: String?
    /// The master meter's code.
    public var parent: String?
    public var rollsOverAt: Decimal?
    public var installedOn: CalendarDate
    public var removedOn: CalendarDate?
    public var note: String?
    /// The last reading: its day and register (of a time-of-use meter, the sum of its
    /// bands read that day, which is what its 总 shows).
    public var lastReadOn: CalendarDate?
    public var lastValue: Decimal?

    public var isTimeOfUse: Bool { registers != [.total] }

    /// The SELECT that ``init(row:)`` decodes, over `meter m` and `park p`.
    static let selection: SQL = """
        SELECT p.code AS park, m.code, m.kind, m.multiplier, m.registers, m.rolls_over_at, m.installed_on, m.removed_on, m.note,
               (SELECT mp.code FROM meter mp WHERE mp.id = m.parent_id) AS parent,
               (SELECT up.code || '/' || ub.code || '/' || u.code FROM unit u JOIN building ub ON ub.id = u.building_id
                JOIN park up ON up.id = u.park_id WHERE u.id = m.unit_id) AS unit,
               last.read_on AS last_read_on, last.value AS last_value
        FROM meter m JOIN park p ON p.id = m.park_id
        LEFT JOIN LATERAL (SELECT r.read_on, sum(r.value) AS value FROM meter_reading r WHERE r.meter_id = m.id
                           GROUP BY r.read_on ORDER BY r.read_on DESC LIMIT 1) last ON true
        """

    init(row: PostgresRow) throws {
        address = MeterAddress(park: try row.decode("park"), code: try row.decode("code"))
        kind = try row.decode("kind")
        multiplier = try row.decode("multiplier")
        registers = try row.decode("registers", as: [String].self).map { try MeterRegister.parse($0) }
        unit = try row.decode("unit")
        parent = try row.decode("parent")
        rollsOverAt = try row.decode("rolls_over_at")
        installedOn = try row.decode("installed_on")
        removedOn = try row.decode("removed_on")
        note = try row.decode("note")
        lastReadOn = try row.decode("last_read_on")
        lastValue = try row.decode("last_value")
    }
}

/// A meter's register on a day, and what the meter used since the reading before.
public struct MeterReading: Sendable, Equatable {
    public var readOn: CalendarDate
    public var register: MeterRegister
    public var value: Decimal
    public var kind: ReadingKind
    public var multiplier: Decimal
    /// A replacement's old meter's final register.
    public var replacedFinal: Decimal?
    /// Since the reading before (times the multiplier); nil for the first.
    public var used: Decimal?
    public var readBy: String

    static let selection: SQL = """
        SELECT r.read_on, r.register, r.value, r.kind, r.multiplier, r.replaced_final, r.read_by, u.used
        FROM meter_reading r LEFT JOIN meter_usage u ON u.reading_id = r.id
        """

    /// By day, then register in the meter's order (total; sharp, peak, flat, valley).
    static let order: SQL = "ORDER BY r.read_on, array_position('{total,sharp,peak,flat,valley}'::text[], r.register)"

    init(row: PostgresRow) throws {
        readOn = try row.decode("read_on")
        register = try row.decode("register")
        value = try row.decode("value")
        kind = try row.decode("kind")
        multiplier = try row.decode("multiplier")
        replacedFinal = try row.decode("replaced_final")
        used = try row.decode("used")
        readBy = try row.decode("read_by")
    }
}

/// The registers given for a reading: one value (an ordinary meter's register), or a
/// value per band of a time-of-use meter, written `峰=400,平=800,谷=300` (or
/// `peak=400,flat=800,valley=300`).
public enum RegisterValues: Sendable, Equatable, ExpressibleByIntegerLiteral {
    case single(Decimal)
    case bands([MeterRegister: Decimal])

    public init(integerLiteral value: Int) { self = .single(Decimal(value)) }

    /// `1532.6`, or bands separated by `,` `，` `、` or `;`, each `BAND=VALUE` (or `BAND:VALUE`).
    public init(parsing text: String, field: String) throws {
        let parse = { (value: String) in try Validate.decimal(value, field: field, positive: false, maxIntegerDigits: 12) }
        guard text.contains(where: { "=:：＝".contains($0) }) else {
            self = .single(try parse(text))
            return
        }
        var bands: [MeterRegister: Decimal] = [:]
        for item in text.split(whereSeparator: { ",，、;；".contains($0) }) {
            let pair = item.split(whereSeparator: { "=:：＝".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let band = MeterRegister.fromLabel(pair[0]), band != .total else {
                throw ParkError.invalid("\(field) '\(item)' is BAND=VALUE, a band one of \(MeterRegister.bandChoices): e.g. 峰=400,平=800,谷=300")
            }
            guard bands[band] == nil else { throw ParkError.invalid("\(field) gives band \(band.rawValue) twice: '\(text)'") }
            bands[band] = try parse(pair[1])
        }
        self = .bands(bands)
    }

    /// The value of each of `registers` (a meter's), in their order. `spread`: one value
    /// is every band's (a new meter's first registers, all 0); `partial`: some bands may
    /// be left out (a correction).
    func values(for registers: [MeterRegister], meter: MeterAddress, field: String, spread: Bool = false,
                partial: Bool = false) throws -> [(register: MeterRegister, value: Decimal)] {
        switch self {
        case .single(let value) where registers == [.total] || spread:
            return registers.map { ($0, value) }
        case .single:
            let example = registers.map { "\($0.label(in: .zh))=…" }.joined(separator: ",")
            throw ParkError.invalid("meter \(meter) is a time-of-use meter with the bands \(Self.names(registers)): "
                                    + "give --\(field) per band, e.g. --\(field) \(example)")
        case .bands where registers == [.total]:
            throw ParkError.invalid("meter \(meter) has one register, no time-of-use bands: give --\(field) as one number")
        case .bands(let bands):
            let unknown = bands.keys.filter { !registers.contains($0) }.sorted()
            let missing = registers.filter { bands[$0] == nil }
            guard unknown.isEmpty, partial ? !bands.isEmpty : missing.isEmpty else {
                throw ParkError.invalid("meter \(meter) has the bands \(Self.names(registers)): --\(field) "
                                        + (unknown.isEmpty ? "misses \(Self.names(missing))" : "names \(Self.names(unknown)), which it has not"))
            }
            return registers.compactMap { register in bands[register].map { (register, $0) } }
        }
    }

    /// "峰(peak)、平(flat)、谷(valley)".
    static func names(_ registers: [MeterRegister]) -> String {
        registers.map { "\($0.label(in: .zh))(\($0.rawValue))" }.joined(separator: "、")
    }
}

extension MeterRegister {
    /// The bands as a rule's message lists them.
    static var bandChoices: String { RegisterValues.names(fourBands) }
}
