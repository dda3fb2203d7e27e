import Foundation

/// A lettable unit (房源), e.g. `SW/B1/0301`, with one lettable area.
public struct RentalUnit: Sendable, Equatable {
    public var address: UnitAddress
    public var floor: Int
    public var areaM2: Decimal
    public var kind: UnitKind
    /// List rent in 元/m²/month.
    public var listRent: Decimal
    /// Set when the unit is off the market (maintenance, not yet delivered).
    public var offMarketReason: String?
}
