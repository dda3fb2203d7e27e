import Foundation
import Postgres

/// Supplementary agreements (补充协议): a signed lease changed from a day.
///
/// What an amendment may change, each from its effective day: the rent and the
/// property fee (per m² per month), the units (a unit added, or released so that it
/// is free from that day). It may also move the lease's last day (extend or
/// shorten). The database numbers and keeps it (`lease_amendment`, append-only),
/// keeps each lease unit's days (`lease_unit.agreed`), and still refuses a unit
/// leased twice for a day and a day of the lease with no unit.
///
/// ```swift
/// var change = LeaseService.Amendment(signedOn: "2027-02-20")
/// change.effectiveOn = "2027-03-01"
/// change.rent = 60
/// change.addUnits = [try UnitAddress(parsing: "SW/B1/0302")]
/// try LeaseService(session).amend("L-2027-000001", change)
/// ```
extension LeaseService {
    /// What a supplementary agreement changes.
    public struct Amendment: Sendable {
        /// The day the agreement was signed (default: today in the park's zone).
        public var signedOn: CalendarDate?
        /// The day the rent, property fee and unit changes take effect.
        public var effectiveOn: CalendarDate?
        public var rent: Decimal?
        public var propertyFee: Decimal?
        public var addUnits: [UnitAddress] = []
        /// Units released: free from `effectiveOn`, their last day on the lease the day before.
        public var releaseUnits: [UnitAddress] = []
        /// The lease's new last day.
        public var end: CalendarDate?
        public var note: String?
        /// Why a lease that has ended is amended (kept in the audit): required then.
        public var reason: String?

        public init(signedOn: CalendarDate? = nil) { self.signedOn = signedOn }

        var changesFromADay: Bool { rent != nil || propertyFee != nil || !addUnits.isEmpty || !releaseUnits.isEmpty }
    }

    /// Records a supplementary agreement and applies it, in one transaction; returns the
    /// lease as amended.
    @discardableResult
    public func amend(_ number: String, _ change: Amendment) throws -> Lease {
        guard change.changesFromADay || change.end != nil else {
            throw ParkError.invalid("""
                an amendment changes something: give --rent, --property-fee, --add-unit, --release-unit (each with --from) \
                or --end
                """)
        }
        if !change.changesFromADay && change.effectiveOn != nil {
            throw ParkError.invalid("""
                --from dates a new rent, property fee or unit change; with --end alone leave it out (the new last day \
                is the date --end gives)
                """)
        }
        if change.changesFromADay && change.effectiveOn == nil {
            throw ParkError.invalid("give --from: the day the new rent, property fee or units take effect")
        }
        if let rent = change.rent, rent <= 0 { throw ParkError.invalid("rent must be more than 0 元/m²/month, not \(rent)") }
        if let fee = change.propertyFee, fee < 0 { throw ParkError.invalid("property fee must not be negative, not \(fee)") }
        let named = change.addUnits + change.releaseUnits
        if let twice = Dictionary(grouping: named, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ParkError.invalid("unit \(twice) is named twice: a unit is either added or released, once")
        }
        let note = try change.note.map { try Validate.text($0, field: "note", max: 500) }
        var overlapTerm: DateRange?
        var overlapUnits: [UnitAddress] = []
        _ = try withOverlapMessage(units: { overlapUnits }, term: { overlapTerm }) {
            try session.write(reason: try change.reason.map { try Validate.text($0, field: "reason", max: 500) }) { conn in
                let lease = try Self.locked(number, conn)
                switch lease.status {
                case .signed:
                    break
                case .terminated:
                    // Its money may still be corrected; its units and end are the termination's.
                    if change.end != nil || !change.addUnits.isEmpty || !change.releaseUnits.isEmpty {
                        throw ParkError.invalid("""
                            lease \(number) was terminated (last day \(lease.occupancy.last)): its units and end are the \
                            termination's; only its rent or property fee can still be corrected
                            """)
                    }
                default:
                    throw ParkError.invalid("lease \(number) is \(lease.status.rawValue); only a signed or terminated lease is amended")
                }
                let today = try Self.today(conn, park: lease.park)
                if lease.occupancy.last < today && change.reason == nil {
                    throw ParkError.invalid("""
                        lease \(number) ended on \(lease.occupancy.last): amending it changes what was due; give --reason \
                        (kept in the audit) to go ahead
                        """)
                }
                let signedOn = change.signedOn ?? today
                if signedOn > today {
                    throw ParkError.invalid("the amendment's signing day \(signedOn) lies in the future (today is \(today) in the park)")
                }
                if let from = change.effectiveOn, !lease.occupancy.contains(from) {
                    throw ParkError.invalid("""
                        lease \(number) runs \(lease.occupancy.first) to \(lease.occupancy.last): --from \(from) is not within it
                        """)
                }
                let ids = try conn.query("SELECT id, park_id FROM lease WHERE number = \(number)").rows[0]
                let leaseID: Int = try ids.decode("id"), parkID: Int = try ids.decode("park_id")

                // The units: those added must be free and of the park, those released held on the day.
                let added = try Self.units(change.addUnits, conn)
                for unit in added {
                    if unit.parkID != parkID {
                        throw ParkError.invalid("unit \(unit.address) is in another park than lease \(number) (park \(lease.park))")
                    }
                    if let reason = unit.offMarketReason {
                        throw ParkError.invalid("unit \(unit.address) is off the market (\(reason)); put it on the market first")
                    }
                }
                // Each unit on the lease: the days its agreement gives it (`agreed`, empty
                // when it is no longer on the lease) and the days it is held.
                let current = try conn.query("""
                    SELECT lu.unit_id, lu.during, lu.cancelled, isempty(lu.agreed) AS gone, lower(lu.agreed) AS agreed_from,
                           upper(lu.agreed) AS agreed_until, p.code || '/' || b.code || '/' || u.code AS address
                    FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                    JOIN park p ON p.id = u.park_id
                    WHERE lu.lease_id = \(leaseID)
                    """).rows.map { row in
                    LeaseUnitDays(id: try row.decode("unit_id"), address: try row.decode("address"), during: try row.decode("during"),
                                  cancelled: try row.decode("cancelled"), gone: try row.decode("gone"),
                                  from: try row.decode("agreed_from"), until: try row.decode("agreed_until"))
                }
                let from = change.effectiveOn
                // Added: new to the lease (held from `from`), or back on it: a release undone
                // (`from` no later than the release day), an addition moved earlier, or a
                // unit taken off the lease added again. One run of days per unit and lease.
                for unit in added {
                    let from = from!
                    if let there = current.first(where: { $0.id == unit.id }), !there.gone, there.from.map({ $0 <= from }) ?? true {
                        guard let until = there.until else {
                            throw ParkError(.conflict, "unit \(unit.address) is on lease \(number) already (from \(there.during.first))")
                        }
                        if until < from {
                            throw ParkError.invalid("""
                                lease \(number) released unit \(unit.address) from \(until): a unit is held under a lease for one run of \
                                days, so it comes back from \(until) at the latest (parkctl lease amend \(number) --from \(until) \
                                --add-unit \(unit.address), which undoes the release), or under a new lease (parkctl lease sign)
                                """)
                        }
                    }
                }
                // Released: free from `from`; from its first day, the unit is off the lease
                // (an addition undone).
                var released: [Int] = []
                for address in change.releaseUnits {
                    let from = from!
                    guard let there = current.first(where: { $0.address == address.description }), !there.cancelled else {
                        let held = current.filter { !$0.cancelled }.map(\.address)
                        throw ParkError.notFound("""
                            unit \(address) is not on lease \(number) (its units: \(held.joined(separator: ", ")))
                            """)
                    }
                    guard there.during.contains(from) else {
                        if from > there.during.last {
                            throw ParkError.invalid("""
                                lease \(number) holds unit \(address) until \(there.during.last); it is free from \
                                \(there.during.last.adding(days: 1)) already. To release it later, add it back from that day \
                                (--add-unit), then release it from the later day
                                """)
                        }
                        throw ParkError.invalid("""
                            lease \(number) holds unit \(address) from \(there.during.first): release it from \(there.during.first) \
                            to take it off the lease
                            """)
                    }
                    released.append(there.id)
                }

                // The end: moved, and not past a renewal that takes over the day after.
                var endBefore: CalendarDate?
                if let end = change.end {
                    guard end != lease.term.last else {
                        throw ParkError.invalid("lease \(number) ends on \(end) already; --end changes nothing")
                    }
                    if let by = lease.renewedBy {
                        throw ParkError(.conflict, "lease \(number) is renewed by \(by) from \(lease.term.last.adding(days: 1)); its end cannot move (cancel \(by) first)")
                    }
                    if let term = DateRange(first: lease.term.first, last: end) { try Self.checkTwentyYears(term) }
                    guard end >= lease.term.first else {
                        throw ParkError.invalid("lease \(number) starts on \(lease.term.first): its new last day \(end) cannot come before (to end it, parkctl lease cancel or terminate)")
                    }
                    if let from = change.effectiveOn, change.changesFromADay, end < from {
                        throw ParkError.invalid("the new last day \(end) comes before --from \(from): the changes would never take effect")
                    }
                    endBefore = lease.term.last
                }

                // An extension, or a unit added, may meet another lease of a unit: which
                // units and days, for the message that names that lease.
                var firstDay: CalendarDate?
                if let end = change.end, end > lease.term.last {
                    overlapUnits += try current.filter { !$0.cancelled }.map { try UnitAddress(parsing: $0.address) }
                    firstDay = lease.term.last.adding(days: 1)
                }
                if let from = change.effectiveOn, !added.isEmpty {
                    overlapUnits += change.addUnits
                    firstDay = min(firstDay ?? from, from)
                }
                overlapTerm = firstDay.flatMap { DateRange(first: $0, last: max(change.end ?? lease.term.last, $0)) }

                // Recorded, and applied, by the database, which checks it against the lease.
                let amendment: String = try conn.query("""
                    INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent, property_fee, end_before,
                                                 end_after, units_added, units_released, note)
                    VALUES (\(parkID), \(leaseID), \(signedOn), \(change.effectiveOn), \(change.rent), \(change.propertyFee),
                            \(endBefore), \(endBefore == nil ? nil : change.end), \(added.map(\.id))::bigint[],
                            \(released)::bigint[], \(note))
                    RETURNING number
                    """).rows[0].decode(0)
                // The database applies it (lease_amendment_applies): the end, then the units.
                // The deferred rules (a day with no unit) are checked now, inside this
                // command, so that their refusal is this command's message.
                try conn.execute("SET CONSTRAINTS lease_units_cover_lease IMMEDIATE")
                return amendment
            }
        }
        return try lease(number)
    }

    /// A unit on a lease, with the days its agreement gives it.
    struct LeaseUnitDays {
        var id: Int
        var address: String
        var during: DateRange
        var cancelled: Bool
        /// No longer on the lease (released from its first day).
        var gone: Bool
        /// The agreed days' first day and the day after the last (nil: unbounded).
        var from: CalendarDate?
        var until: CalendarDate?
    }

    /// The units a lease holds for part of its days, and its amendments.
    static func amendmentDetails(_ number: String, _ conn: Connection) throws -> (partial: [UnitDays], amendments: [LeaseAmendment]) {
        let partial = try conn.query("""
            SELECT p.code || '/' || b.code || '/' || u.code AS unit, lu.during
            FROM lease l JOIN lease_unit lu ON lu.lease_id = l.id JOIN unit u ON u.id = lu.unit_id
            JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
            WHERE l.number = \(number) AND NOT isempty(lease_occupancy(l.term, l.terminated_on) * lu.agreed)
              AND lu.agreed <> '(,)'::daterange AND lu.during <> lease_occupancy(l.term, l.terminated_on)
            ORDER BY b.code, u.floor, u.code
            """).rows.map { row in UnitDays(unit: try row.decode("unit"), days: try row.decode("during")) }
        let amendments = try conn.query("""
            SELECT a.number, a.signed_on, a.effective_on, a.rent, a.property_fee, a.end_before, a.end_after, a.note, a.actor,
                   -- The day before a later amendment sets the rent (or fee) again: this one's
                   -- is in force until then (before its own day: never, it was superseded).
                   CASE WHEN a.rent IS NOT NULL THEN
                       (SELECT min(b.effective_on) - 1 FROM lease_amendment b WHERE b.lease_id = a.lease_id AND b.rent IS NOT NULL
                        AND (b.effective_on > a.effective_on OR (b.effective_on = a.effective_on AND b.seq > a.seq))) END AS rent_until,
                   CASE WHEN a.property_fee IS NOT NULL THEN
                       (SELECT min(b.effective_on) - 1 FROM lease_amendment b WHERE b.lease_id = a.lease_id AND b.property_fee IS NOT NULL
                        AND (b.effective_on > a.effective_on OR (b.effective_on = a.effective_on AND b.seq > a.seq))) END AS fee_until,
                   ARRAY(SELECT p.code || '/' || b.code || '/' || u.code FROM unnest(a.units_added) x
                         JOIN unit u ON u.id = x JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                         ORDER BY b.code, u.floor, u.code) AS added,
                   ARRAY(SELECT p.code || '/' || b.code || '/' || u.code FROM unnest(a.units_released) x
                         JOIN unit u ON u.id = x JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
                         ORDER BY b.code, u.floor, u.code) AS released
            FROM lease_amendment a JOIN lease l ON l.id = a.lease_id
            WHERE l.number = \(number)
            ORDER BY a.seq
            """).rows.map { row in
            LeaseAmendment(number: try row.decode("number"), signedOn: try row.decode("signed_on"),
                           effectiveOn: try row.decode("effective_on"), rent: try row.decode("rent"),
                           propertyFee: try row.decode("property_fee"), endBefore: try row.decode("end_before"),
                           endAfter: try row.decode("end_after"), unitsAdded: try row.decode("added"),
                           unitsReleased: try row.decode("released"), note: try row.decode("note"), actor: try row.decode("actor"),
                           rentUntil: try row.decode("rent_until"), propertyFeeUntil: try row.decode("fee_until"))
        }
        return (partial, amendments)
    }
}
