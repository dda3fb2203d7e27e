import Foundation
import Postgres

/// Meters and their readings (水电抄表): adding a meter with its register when installed,
/// reading it, and replacing it. The database keeps a register from going back
/// (migration 0026); these say which command to run instead.
///
///     let meters = MeterService(session)
///     try meters.add(MeterAddress(park: "MG", code: "E-101"), kind: .electricity, unit: unit, multiplier: 80,
///                    installedOn: day, initial: 0)
///     try meters.read(MeterAddress(park: "MG", code: "E-101"), on: later, value: 120.5)
public struct MeterService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// What a new meter is: its kind and where it is.
    public struct NewMeter: Sendable {
        public var kind: MeterKind
        /// The unit a tenant's sub-meter measures; nil for a public or master meter.
        public var unit: UnitAddress?
        /// The code of the master meter above it.
        public var parent: String?
        public var multiplier: Decimal
        /// `[.total]`, or the bands of a time-of-use electricity meter
        /// (``MeterRegister/threeBands``, ``MeterRegister/fourBands``).
        public var registers: [MeterRegister]
        public var rollsOverAt: Decimal?
        /// nil: the park's today.
        public var installedOn: CalendarDate?
        /// The register when installed: the first reading (of a time-of-use meter, one
        /// value for every band or a value per band).
        public var initial: RegisterValues
        public var note: String?

        public init(kind: MeterKind, unit: UnitAddress? = nil, parent: String? = nil, multiplier: Decimal = 1,
                    registers: [MeterRegister] = [.total], rollsOverAt: Decimal? = nil, installedOn: CalendarDate? = nil,
                    initial: RegisterValues = 0, note: String? = nil) {
            self.kind = kind; self.unit = unit; self.parent = parent; self.multiplier = multiplier; self.registers = registers
            self.rollsOverAt = rollsOverAt; self.installedOn = installedOn; self.initial = initial; self.note = note
        }
    }

    @discardableResult
    public func add(_ address: MeterAddress, _ new: NewMeter) throws -> Meter {
        let code = try Validate.code(address.code, field: "meter code", rule: .meterCode)
        guard new.multiplier > 0 else { throw ParkError.invalid("multiplier '\(new.multiplier)' is not a multiplier: it is more than 0 (80 for a 400/5 transformer)") }
        guard [[.total], MeterRegister.threeBands, MeterRegister.fourBands].contains(new.registers) else {
            throw ParkError.invalid("a meter's registers are one (total), or the bands \(RegisterValues.names(MeterRegister.threeBands)) "
                                    + "or \(RegisterValues.names(MeterRegister.fourBands)), not \(new.registers.map(\.rawValue).joined(separator: ","))")
        }
        if new.registers != [.total], new.kind != .electricity {
            throw ParkError.invalid("kind '\(new.kind.rawValue)' has no time-of-use bands: a time-of-use meter measures electricity")
        }
        let initial = try new.initial.values(for: new.registers, meter: address, field: "initial", spread: true)
        for (_, value) in initial {
            if let modulus = new.rollsOverAt, modulus <= value {
                throw ParkError.invalid("rolls-over-at '\(modulus)' must be above the initial register \(value)")
            }
            guard value >= 0 else { throw ParkError.invalid("initial '\(value)' is a register: 0 or more") }
        }
        if let unit = new.unit, unit.park != address.park {
            throw ParkError.invalid("unit \(unit) is not in park \(address.park), where meter \(address) is")
        }
        let note = try new.note.map { try Validate.text($0, field: "note", max: 500) }
        return try session.write { conn in
            let parkID = try Lookup.parkID(address.park, conn)
            if try conn.query("SELECT 1 FROM meter WHERE park_id = \(parkID) AND code = \(code)").rowCount > 0 {
                throw ParkError(.conflict, "meter \(address) exists already")
            }
            let unitID = try new.unit.map { try Lookup.unitIDs($0, conn).unit }
            let installedOn = try Self.day(new.installedOn, park: parkID, conn)
            var parentID: Int?
            if let parent = new.parent {
                guard let id: Int = try conn.query("SELECT id FROM meter WHERE park_id = \(parkID) AND code = \(parent)").rows.first?.decode(0) else {
                    throw try Self.notFound(MeterAddress(park: address.park, code: parent), parkID, conn)
                }
                parentID = id
            }
            let id: Int = try conn.query("""
                INSERT INTO meter (park_id, code, kind, multiplier, registers, unit_id, parent_id, rolls_over_at, installed_on, note)
                VALUES (\(parkID), \(code), \(new.kind.rawValue), \(new.multiplier), \(new.registers.map(\.rawValue)), \(unitID), \(parentID),
                        \(new.rollsOverAt), \(installedOn), \(note))
                RETURNING id
                """).rows[0].decode(0)
            try conn.execute("""
                INSERT INTO meter_reading (park_id, meter_id, read_on, register, value)
                SELECT \(parkID), \(id), \(installedOn), g.register, g.value::numeric
                FROM unnest(\(initial.map(\.register.rawValue))::text[], \(initial.map(\.value.description))::text[]) AS g(register, value)
                """)
            return try meter(address, conn)
        }
    }

    public func meters(park: String? = nil, kind: MeterKind? = nil) throws -> [Meter] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let conditions: [SQL?] = [park.map { "p.code = \($0)" }, kind.map { "m.kind = \($0.rawValue)" }]
            return try conn.query((Meter.selection + " " + SQL.whereAll(conditions) + " ORDER BY p.code, m.code").query)
                .rows.map(Meter.init(row:))
        }
    }

    /// A meter and its readings, oldest first, each with what was used since the one before.
    public func show(_ address: MeterAddress) throws -> (meter: Meter, readings: [MeterReading]) {
        try session.read { conn in
            let meter = try meter(address, conn)
            let id = try meterID(address, conn)
            let readings = try conn.query((MeterReading.selection + " WHERE r.meter_id = \(id) " + MeterReading.order).query)
                .rows.map(MeterReading.init(row:))
            return (meter, readings)
        }
    }

    /// Records the register read on a day (nil: the park's today); `rollover` when it
    /// passed its last value.
    @discardableResult
    public func read(_ address: MeterAddress, on day: CalendarDate? = nil, value: Decimal, rollover: Bool = false) throws -> MeterReading {
        try read(address, on: day, values: .single(value), rollover: rollover)[0]
    }

    /// Records the registers read on a day: an ordinary meter's one, or every band of a
    /// time-of-use meter. `rollover`: the register passed its last value and started
    /// again from 0 (of a time-of-use meter, each band that reads below its last).
    @discardableResult
    public func read(_ address: MeterAddress, on day: CalendarDate? = nil, values: RegisterValues, rollover: Bool = false) throws -> [MeterReading] {
        try session.write { conn in
            let (id, registers) = try meterRegisters(address, conn)
            let given = try checked(values.values(for: registers, meter: address, field: "value"))
            let day = try Self.day(day, park: try Lookup.parkID(address.park, conn), conn)
            try refuseSecondReading(address, id, day, conn)
            // A time-of-use meter rolls over band by band: the flag says some band did.
            if rollover, registers != [.total], try conn.query("""
                SELECT 1 FROM unnest(\(given.map(\.register.rawValue))::text[], \(given.map(\.value.description))::text[]) AS g(register, value)
                WHERE g.value::numeric < (SELECT r.value FROM meter_reading r WHERE r.meter_id = \(id) AND r.register = g.register AND r.read_on < \(day)
                                          ORDER BY r.read_on DESC LIMIT 1)
                """).rowCount == 0 {
                throw ParkError.invalid("meter \(address) rolled over in no band: none reads below its last reading (leave out --rollover)")
            }
            try conn.execute("""
                INSERT INTO meter_reading (park_id, meter_id, read_on, register, value, kind)
                SELECT m.park_id, m.id, \(day), g.register, g.value::numeric,
                       CASE WHEN \(rollover) AND (m.registers = '{total}' OR g.value::numeric <
                                (SELECT r.value FROM meter_reading r WHERE r.meter_id = m.id AND r.register = g.register AND r.read_on < \(day)
                                 ORDER BY r.read_on DESC LIMIT 1))
                            THEN 'rollover' ELSE 'regular' END
                FROM meter m, unnest(\(given.map(\.register.rawValue))::text[], \(given.map(\.value.description))::text[]) AS g(register, value)
                WHERE m.id = \(id)
                """)
            return try readings(id, day, conn)
        }
    }

    /// Corrects the register read on a day (a reading mistyped), unless a confirmed or
    /// posted period bills it (reverse the period first).
    @discardableResult
    public func correct(_ address: MeterAddress, on day: CalendarDate, value: Decimal) throws -> MeterReading {
        try correct(address, on: day, values: .single(value))[0]
    }

    /// Corrects registers read on a day: an ordinary meter's, or some bands of a
    /// time-of-use meter's. Returns the day's readings.
    @discardableResult
    public func correct(_ address: MeterAddress, on day: CalendarDate, values: RegisterValues) throws -> [MeterReading] {
        try session.write { conn in
            let (id, registers) = try meterRegisters(address, conn)
            let given = try checked(values.values(for: registers, meter: address, field: "value", partial: true))
            let corrected = try conn.execute("""
                UPDATE meter_reading r SET value = g.value::numeric
                FROM unnest(\(given.map(\.register.rawValue))::text[], \(given.map(\.value.description))::text[]) AS g(register, value)
                WHERE r.meter_id = \(id) AND r.read_on = \(day) AND r.register = g.register
                """)
            guard corrected == given.count else {
                throw ParkError(.notFound, "meter \(address) has no reading on \(day) to correct (parkctl meter show \(address))")
            }
            return try readings(id, day, conn)
        }
    }

    /// Replaces the meter on a day: the old one's final register closes its days, `start`
    /// is the new one's first; a new multiplier (a new transformer) counts from then on.
    @discardableResult
    public func replace(_ address: MeterAddress, on day: CalendarDate? = nil, finalValue: Decimal, start: Decimal = 0,
                        multiplier: Decimal? = nil) throws -> MeterReading {
        try replace(address, on: day, finals: .single(finalValue), starts: .single(start), multiplier: multiplier)[0]
    }

    /// The same for every register of the meter: a time-of-use meter's old bands' finals,
    /// and the new one's starts (one value: every band's).
    @discardableResult
    public func replace(_ address: MeterAddress, on day: CalendarDate? = nil, finals: RegisterValues, starts: RegisterValues = 0,
                        multiplier: Decimal? = nil) throws -> [MeterReading] {
        if let multiplier, multiplier <= 0 { throw ParkError.invalid("multiplier '\(multiplier)' is not a multiplier: it is more than 0") }
        return try session.write { conn in
            let (id, registers) = try meterRegisters(address, conn)
            let ends = try checked(finals.values(for: registers, meter: address, field: "final"))
            let begins = try checked(starts.values(for: registers, meter: address, field: "start", spread: true))
            let day = try Self.day(day, park: try Lookup.parkID(address.park, conn), conn)
            try refuseSecondReading(address, id, day, conn)
            // The readings keep the old multiplier (their days were measured so); the meter takes the new one.
            try conn.execute("""
                INSERT INTO meter_reading (park_id, meter_id, read_on, register, value, kind, replaced_final)
                SELECT m.park_id, m.id, \(day), g.register, g.value::numeric, 'replacement', g.final::numeric
                FROM meter m, unnest(\(begins.map(\.register.rawValue))::text[], \(begins.map(\.value.description))::text[],
                                     \(ends.map(\.value.description))::text[]) AS g(register, value, final)
                WHERE m.id = \(id)
                """)
            if let multiplier { try conn.execute("UPDATE meter SET multiplier = \(multiplier) WHERE id = \(id)") }
            return try readings(id, day, conn)
        }
    }

    /// A register is 0 or more.
    private func checked(_ values: [(register: MeterRegister, value: Decimal)]) throws -> [(register: MeterRegister, value: Decimal)] {
        if let negative = values.first(where: { $0.value < 0 }) {
            throw ParkError.invalid("value '\(negative.value)' is a register: 0 or more")
        }
        return values
    }

    /// The day given, or the park's today.
    static func day(_ day: CalendarDate?, park: Int, _ conn: Connection) throws -> CalendarDate {
        if let day { return day }
        return try conn.query("SELECT park_today(\(park))").rows[0].decode(0)
    }

    private func refuseSecondReading(_ address: MeterAddress, _ id: Int, _ day: CalendarDate, _ conn: Connection) throws {
        let read: [MeterReading] = try conn.query((MeterReading.selection + " WHERE r.meter_id = \(id) AND r.read_on = \(day) " + MeterReading.order).query)
            .rows.map(MeterReading.init(row:))
        if !read.isEmpty {
            let values = read.map { ($0.register == .total ? "" : $0.register.label(in: .zh) + " ") + "\($0.value)" }.joined(separator: ", ")
            throw ParkError(.conflict, "meter \(address) was read on \(day) already (\(values)): one reading a day "
                            + "(a reading mistyped: parkctl meter correct \(address) --on \(day))")
        }
    }

    /// A meter's readings of a day, register by register.
    private func readings(_ id: Int, _ day: CalendarDate, _ conn: Connection) throws -> [MeterReading] {
        try conn.query((MeterReading.selection + " WHERE r.meter_id = \(id) AND r.read_on = \(day) " + MeterReading.order).query)
            .rows.map(MeterReading.init(row:))
    }

    /// A meter's id and registers.
    private func meterRegisters(_ address: MeterAddress, _ conn: Connection) throws -> (Int, [MeterRegister]) {
        let id = try meterID(address, conn)
        let registers = try conn.query("SELECT registers FROM meter WHERE id = \(id)").rows[0].decode(0, as: [String].self)
        return (id, try registers.map { try MeterRegister.parse($0) })
    }

    func meter(_ address: MeterAddress, _ conn: Connection) throws -> Meter {
        guard let row = try conn.query((Meter.selection + " WHERE p.code = \(address.park) AND m.code = \(address.code)").query).rows.first else {
            throw try Self.notFound(address, try Lookup.parkID(address.park, conn), conn)
        }
        return try Meter(row: row)
    }

    func meterID(_ address: MeterAddress, _ conn: Connection) throws -> Int {
        let parkID = try Lookup.parkID(address.park, conn)
        guard let id: Int = try conn.query("SELECT id FROM meter WHERE park_id = \(parkID) AND code = \(address.code)").rows.first?.decode(0) else {
            throw try Self.notFound(address, parkID, conn)
        }
        return id
    }

    static func notFound(_ address: MeterAddress, _ parkID: Int, _ conn: Connection) throws -> ParkError {
        let codes: [String] = try conn.query("SELECT code FROM meter WHERE park_id = \(parkID) ORDER BY code").rows.map { try $0.decode(0) }
        return ParkError(.notFound, "meter \(address) not found" + Lookup.didYouMean(address.code, among: codes, prefix: address.park + "/"))
    }
}
