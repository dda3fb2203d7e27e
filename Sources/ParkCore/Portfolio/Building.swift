import Foundation
import Postgres

/// A building of a park (楼栋), e.g. `SW/B1`.
public struct Building: Sendable, Equatable {
    public var address: BuildingAddress
    public var name: String
    public var floorsAbove: Int
    public var floorsBelow: Int
    public var deliveredOn: CalendarDate?
    public var unitCount: Int
    public var areaM2: Decimal
}
