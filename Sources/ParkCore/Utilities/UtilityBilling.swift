import Foundation
import Postgres

/// How a public meter's usage, or a master meter's loss, is shared among the leases of
/// the units metered under the same master.
public enum ShareBasis: String, Vocabulary {
    /// Leased area × days.
    case area
    /// Each lease alike × days.
    case tenants
    /// A weight per unit × days.
    case weights
    public static let fieldName = "share basis"
}

/// draft → calculated → confirmed → posted → reversed.
public enum UtilityPeriodStatus: String, Vocabulary {
    case draft, calculated, confirmed, posted, reversed
    public static let fieldName = "utility period status"
}

/// A price of a park's water, electricity, gas or heat from a day: a flat price, or tiers
/// (阶梯) over a period's quantity.
public struct UtilityTariff: Sendable, Equatable {
    public var park: String
    public var kind: MeterKind
    public var fromDay: CalendarDate
    /// The price up to the first limit.
    public var basePrice: Decimal
    /// Above each limit, its price.
    public var tiers: [(above: Decimal, price: Decimal)]

    public static func == (a: Self, b: Self) -> Bool {
        a.park == b.park && a.kind == b.kind && a.fromDay == b.fromDay && a.basePrice == b.basePrice
            && a.tiers.map(\.above) == b.tiers.map(\.above) && a.tiers.map(\.price) == b.tiers.map(\.price)
    }
}

/// A billing period of a park and a kind, and what each lease pays for it.
public struct UtilityPeriod: Sendable {
    public var number: String
    public var park: String
    public var kind: MeterKind
    public var from: CalendarDate
    public var to: CalendarDate
    public var status: UtilityPeriodStatus
    /// The period a reversal reverses.
    public var reverses: String?
    public var reason: String?
    public var postedOn: CalendarDate?

    /// A lease's total: its quantity, the amount, and the bill posting issued.
    public struct LeaseTotal: Sendable, Equatable {
        public var lease: String
        public var tenant: String
        public var quantity: Decimal
        public var amount: Decimal
        public var bill: String?
    }

    /// A line: what a lease pays for of one meter's usage, and the figures it was computed from.
    public struct Line: Sendable, Equatable {
        public var lease: String
        public var meter: String
        /// own, public or loss.
        public var source: String
        /// days, area, tenants or weights.
        public var basis: String
        public var meterUsed: Decimal
        public var weight: Decimal
        public var totalWeight: Decimal
        public var quantity: Decimal
    }
}
