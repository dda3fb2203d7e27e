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

/// A public meter's or master meter's sharing rule, as `utility shares` lists it.
public struct ShareRule: Sendable, Equatable {
    /// PARK/CODE.
    public var meter: String
    public var basis: ShareBasis
    /// What it shares: `public` (a public meter's usage) or `loss` (a master's).
    public var shares: String
    /// For the weights basis: PARK/BUILDING/UNIT=WEIGHT.
    public var weights: [String]

    public init(meter: String, basis: ShareBasis, shares: String, weights: [String]) {
        self.meter = meter; self.basis = basis; self.shares = shares; self.weights = weights
    }
}

/// A price of a park's water, electricity, gas or heat from a day: a flat price, tiers
/// (阶梯) over a period's quantity, or, for electricity, time-of-use (分时) band prices.
public struct UtilityTariff: Sendable, Equatable {
    public var park: String
    public var kind: MeterKind
    public var fromDay: CalendarDate
    /// The price up to the first limit; of a time-of-use tariff, the flat band's (平)
    /// and that of every quantity that is no band's (a public share, a loss).
    public var basePrice: Decimal
    /// Above each limit, its price.
    public var tiers: [(above: Decimal, price: Decimal)]
    /// A time-of-use tariff's peak (峰), valley (谷) and sharp (尖) prices; the sharp band
    /// is priced as peak when it has no price of its own.
    public var bands: TimeOfUsePrices?

    public init(park: String, kind: MeterKind, fromDay: CalendarDate, basePrice: Decimal,
                tiers: [(above: Decimal, price: Decimal)] = [], bands: TimeOfUsePrices? = nil) {
        self.park = park; self.kind = kind; self.fromDay = fromDay; self.basePrice = basePrice
        self.tiers = tiers; self.bands = bands
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.park == b.park && a.kind == b.kind && a.fromDay == b.fromDay && a.basePrice == b.basePrice && a.bands == b.bands
            && a.tiers.map(\.above) == b.tiers.map(\.above) && a.tiers.map(\.price) == b.tiers.map(\.price)
    }
}

/// The band prices of a time-of-use electricity tariff (峰/谷, and 尖 where the province
/// has a critical peak); the flat band (平) is the tariff's base price.
public struct TimeOfUsePrices: Sendable, Equatable {
    public var peak: Decimal
    public var valley: Decimal
    public var sharp: Decimal?

    public init(peak: Decimal, valley: Decimal, sharp: Decimal? = nil) {
        self.peak = peak; self.valley = valley; self.sharp = sharp
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
        /// The band of a time-of-use meter's own line; `total` otherwise.
        public var register: MeterRegister
    }
}
