import Foundation
import Postgres

/// A tenant's service request and where it stands against its service level.
public struct Ticket: Sendable, Equatable {
    public var number: String
    public var park: String
    public var tenantName: String
    public var tenantCreditCode: String
    public var unit: String?
    public var category: TicketCategory
    public var priority: TicketPriority
    public var title: String
    public var description: String?
    public var reporter: String?
    public var assignee: String?
    public var status: TicketStatus
    public var clock: SLAClock
    public var openedAt: Date
    public var firstResponseAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var responseDueAt: Date
    public var resolutionDueAt: Date
    public var responseBreached: Bool
    public var resolutionBreached: Bool
    public var events: [TicketEvent]
    /// The assignee's display name (王芳), when the assignee is a member of staff who has one.
    public var assigneeName: String? = nil
    /// The years its working-time clock runs through (from opening to the later due
    /// time) that have no official holiday arrangement loaded: there, holidays count as
    /// working days. Filled by `show`.
    public var unarrangedYears: [Int] = []

    public var breached: Bool { responseBreached || resolutionBreached }

    /// What `unarrangedYears` means, for people; nil when every year is arranged.
    public var calendarWarning: String? {
        CalendarService.unarrangedWarning(unarrangedYears, in: "this ticket's due times")
    }
}

/// One entry of a ticket's timeline.
public struct TicketEvent: Sendable, Equatable {
    /// Its place in the order events were recorded (1 is the opening): what
    /// `ticket correct --event N` names.
    public var number: Int? = nil
    public var at: Date
    /// The login that recorded it.
    public var actor: String
    /// Its display name (李雷), when it has one.
    public var actorName: String? = nil
    public var kind: String
    public var from: String?
    public var to: String?
    public var note: String?
}

/// A service-level target: a number of working minutes, hours or days.
public struct SLATarget: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable { case m, h, d }
    public var value: Decimal
    public var unit: Unit

    public init(value: Decimal, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// Parses `30m`, `4h`, `0.5h`, `3d`.
    public init(parsing text: String, field: String) throws {
        guard let last = text.last, let unit = Unit(rawValue: String(last)) else {
            throw ParkError.invalid("\(field) '\(text)' must end in m (minutes), h (hours) or d (working days), e.g. 4h or 3d")
        }
        let number = try Validate.decimal(String(text.dropLast()), field: field, scale: 2, maxIntegerDigits: 5)
        self.init(value: number, unit: unit)
    }

    public var description: String {
        var v = value
        var r = Decimal()
        NSDecimalRound(&r, &v, 2, .plain)
        return "\(r)\(unit.rawValue)"
    }
}

/// The targets for one category and priority.
public struct ServiceLevel: Sendable, Equatable {
    public var category: TicketCategory
    public var priority: TicketPriority
    public var response: SLATarget
    public var resolution: SLATarget
    public var clock: SLAClock
}

/// A holiday or make-up working day.
public struct CalendarEntry: Sendable, Equatable {
    public enum Kind: String, Vocabulary {
        case holiday, workday
        public static let fieldName = "kind"
    }
    public var day: CalendarDate
    public var kind: Kind
    public var name: String?
    /// nil: every park.
    public var park: String?
    /// The official notice the day was loaded from (`calendar update`); nil for a day
    /// staff recorded themselves.
    public var source: String?

    public init(day: CalendarDate, kind: Kind, name: String? = nil, park: String? = nil, source: String? = nil) {
        self.day = day
        self.kind = kind
        self.name = name
        self.park = park
        self.source = source
    }
}
