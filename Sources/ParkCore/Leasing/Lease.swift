import Foundation
import Postgres

public enum LeaseStatus: String, Vocabulary {
    case draft, signed, terminated, cancelled
    public static let fieldName = "lease status"
}

public enum PaymentCycle: String, Vocabulary {
    case monthly, quarterly, semiannual, annual
    public static let fieldName = "payment cycle"
}

/// A lease: one tenant, one or more units of one park, for a term.
public struct Lease: Sendable, Equatable {
    public var number: String
    public var tenantName: String
    public var tenantCreditCode: String
    public var park: String
    public var units: [String]
    public var areaM2: Decimal
    /// The contracted term, both days included.
    public var term: DateRange
    /// The last day of a lease ended early.
    public var terminatedOn: CalendarDate?
    /// Rent in 元/m²/month at the start, before escalation.
    public var rent: Decimal
    /// Rent in 元/m²/month in force today (after escalations).
    public var currentRent: Decimal
    public var propertyFee: Decimal
    public var freeWindow: DateRange?
    public var fitOutWindow: DateRange?
    public var deposit: Decimal
    public var escalationPct: Decimal
    public var cycle: PaymentCycle
    public var status: LeaseStatus
    public var renews: String?
    public var renewedBy: String?
    public var endReason: String?
    /// Property fee in 元/m²/month in force today (after amendments).
    public var currentPropertyFee: Decimal = 0
    /// Units held for part of the lease's days only (added or released by an
    /// amendment), with those days; filled by `LeaseService.lease(_:)`. (`units` are
    /// those held on the reference day: today, within the lease's days.)
    public var partialUnits: [UnitDays] = []
    /// The supplementary agreements (补充协议), oldest first; filled by `LeaseService.lease(_:)`.
    public var amendments: [LeaseAmendment] = []

    /// The days the lease holds its units (the term, or up to the termination).
    public var occupancy: DateRange {
        guard let terminatedOn else { return term }
        return DateRange(first: term.first, last: terminatedOn) ?? term
    }
}

/// A unit a lease holds on some of its days only.
public struct UnitDays: Sendable, Equatable {
    public var unit: String
    public var days: DateRange

    public init(unit: String, days: DateRange) {
        self.unit = unit
        self.days = days
    }
}

/// A supplementary agreement (补充协议): what it changed on a lease, and from when.
public struct LeaseAmendment: Sendable, Equatable {
    /// The lease's number and the amendment's place, e.g. L-2026-000001-A2.
    public var number: String
    public var signedOn: CalendarDate
    /// The day its rent, property fee and unit changes take effect.
    public var effectiveOn: CalendarDate?
    public var rent: Decimal?
    public var propertyFee: Decimal?
    public var endBefore: CalendarDate?
    public var endAfter: CalendarDate?
    public var unitsAdded: [String]
    public var unitsReleased: [String]
    public var note: String?
    public var actor: String
    /// The last day its rent (or property fee) is in force, when a later amendment
    /// sets it again; before `effectiveOn` when a later one replaced it outright.
    public var rentUntil: CalendarDate?
    public var propertyFeeUntil: CalendarDate?
}

/// One month of a lease's rent schedule.
public struct RentMonth: Sendable, Equatable {
    public var month: CalendarDate
    public var period: DateRange
    public var days: Int
    public var freeDays: Int
    /// Rent in 元/m²/month in force (the highest in the month, if it escalated).
    public var rentPerM2: Decimal
    public var rentDue: Decimal
    public var propertyFeeDue: Decimal
    /// The area leased in the month (the largest, when units came or went in it).
    public var areaM2: Decimal = 0
}

/// What a unit is, as of a day.
public enum UnitStatus: String, Vocabulary {
    case leased, reserved, vacant
    case offMarket = "off_market"
    public static let fieldName = "unit status"
}

/// A unit with its status as of a day and the lease behind it.
public struct UnitOccupancy: Sendable, Equatable {
    public var unit: RentalUnit
    public var status: UnitStatus
    public var fittingOut: Bool
    public var lease: String?
    public var tenant: String?
    public var asOf: CalendarDate
}
