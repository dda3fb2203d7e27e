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
    /// The unit a sub-meter measures (PARK/BUILDING/UNIT); nil for a public or master meter.
    public var unit: String?
    /// The master meter's code.
    public var parent: String?
    public var rollsOverAt: Decimal?
    public var installedOn: CalendarDate
    public var removedOn: CalendarDate?
    public var note: String?
    /// The last reading: its day and register.
    public var lastReadOn: CalendarDate?
    public var lastValue: Decimal?

    /// The SELECT that ``init(row:)`` decodes, over `meter m` and `park p`.
    static let selection: SQL = """
        SELECT p.code AS park, m.code, m.kind, m.multiplier, m.rolls_over_at, m.installed_on, m.removed_on, m.note,
               (SELECT mp.code FROM meter mp WHERE mp.id = m.parent_id) AS parent,
               (SELECT up.code || '/' || ub.code || '/' || u.code FROM unit u JOIN building ub ON ub.id = u.building_id
                JOIN park up ON up.id = u.park_id WHERE u.id = m.unit_id) AS unit,
               last.read_on AS last_read_on, last.value AS last_value
        FROM meter m JOIN park p ON p.id = m.park_id
        LEFT JOIN LATERAL (SELECT r.read_on, r.value FROM meter_reading r WHERE r.meter_id = m.id
                           ORDER BY r.read_on DESC LIMIT 1) last ON true
        """

    init(row: PostgresRow) throws {
        address = MeterAddress(park: try row.decode("park"), code: try row.decode("code"))
        kind = try row.decode("kind")
        multiplier = try row.decode("multiplier")
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
    public var value: Decimal
    public var kind: ReadingKind
    public var multiplier: Decimal
    /// A replacement's old meter's final register.
    public var replacedFinal: Decimal?
    /// Since the reading before (times the multiplier); nil for the first.
    public var used: Decimal?
    public var readBy: String

    static let selection: SQL = """
        SELECT r.read_on, r.value, r.kind, r.multiplier, r.replaced_final, r.read_by, u.used
        FROM meter_reading r LEFT JOIN meter_usage u ON u.reading_id = r.id
        """

    init(row: PostgresRow) throws {
        readOn = try row.decode("read_on")
        value = try row.decode("value")
        kind = try row.decode("kind")
        multiplier = try row.decode("multiplier")
        replacedFinal = try row.decode("replaced_final")
        used = try row.decode("used")
        readBy = try row.decode("read_by")
    }
}
