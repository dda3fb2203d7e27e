import Foundation

/// An estate run by the group, with the industries it admits (its positioning).
public struct Park: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: ParkKind
    /// Empty means the park admits any industry.
    public var industries: [String]
    public var address: String?
    public var timeZone: String
    public var buildingCount: Int
    public var unitCount: Int
    public var areaM2: Decimal
    /// The park's land in 亩, for tax per mu (亩均税收); nil until set.
    public var landMu: Decimal? = nil

    public func admits(industry: String) -> Bool {
        industries.isEmpty || industries.contains(industry)
    }
}

/// How a park bills (the receivables' settings): rent and property fee are due
/// `payWithinDays` after their period starts; late fees accrue `graceDays` after the
/// due day at `lateFeeRate` a day (0.0005 = 万分之五) unless the lease has its own;
/// invoices carry the tax rates (rent, late fees and adjustments at the rent's; a
/// utility bill at its kind's: electricity's is `utilityTaxRate`, 13 %; water, gas and
/// heat 9 %).
public struct BillingSettings: Sendable, Equatable {
    public var payWithinDays: Int
    public var graceDays: Int
    public var lateFeeRate: Decimal
    public var rentTaxRate: Decimal
    public var propertyFeeTaxRate: Decimal
    public var utilityTaxRate: Decimal
    public var waterTaxRate: Decimal
    public var gasTaxRate: Decimal
    public var heatTaxRate: Decimal

    /// What `park set` changes; nil: unchanged. The ranges are the database's.
    public struct Changes: Sendable {
        public var payWithinDays: Int?
        public var graceDays: Int?
        public var lateFeeRate: Decimal?
        public var rentTaxRate: Decimal?
        public var propertyFeeTaxRate: Decimal?
        public var utilityTaxRate: Decimal?
        public var waterTaxRate: Decimal?
        public var gasTaxRate: Decimal?
        public var heatTaxRate: Decimal?

        public init() {}

        public var isEmpty: Bool {
            payWithinDays == nil && graceDays == nil && lateFeeRate == nil && rentTaxRate == nil && propertyFeeTaxRate == nil
                && utilityTaxRate == nil && waterTaxRate == nil && gasTaxRate == nil && heatTaxRate == nil
        }
    }
}
