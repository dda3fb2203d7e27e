/// A run of whole days, first to last inclusive: a lease term, a rent-free window.
///
/// PostgreSQL stores it as a `daterange` `[first, last + 1)`; parkctl's users say
/// "from 2026-12-01 to 2029-11-30", both days included.
public struct DateRange: Hashable, Sendable, CustomStringConvertible {
    public let first: CalendarDate
    public let last: CalendarDate

    /// A range, or nil when `last` is before `first`.
    public init?(first: CalendarDate, last: CalendarDate) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public func contains(_ day: CalendarDate) -> Bool { first <= day && day <= last }

    public func contains(_ other: DateRange) -> Bool { first <= other.first && other.last <= last }

    public var dayCount: Int { first.days(until: last) + 1 }

    public var description: String { "\(first)…\(last)" }
}
