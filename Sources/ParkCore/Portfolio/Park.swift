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

    public func admits(industry: String) -> Bool {
        industries.isEmpty || industries.contains(industry)
    }
}
