/// A building named `PARK/BUILDING`, e.g. `SW/B1`.
public struct BuildingAddress: Hashable, Sendable, CustomStringConvertible {
    public let park: String
    public let building: String

    public init(park: String, building: String) {
        self.park = park
        self.building = building
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ParkError.invalid("building '\(text)' must be written PARK/BUILDING, e.g. SW/B1\(Spelling.fullWidthHint(text, parts: 2))")
        }
        park = parts[0]
        building = parts[1]
    }

    public var description: String { "\(park)/\(building)" }
}

/// A unit named `PARK/BUILDING/UNIT`, e.g. `SW/B1/0301`.
public struct UnitAddress: Hashable, Sendable, CustomStringConvertible {
    public let park: String
    public let building: String
    public let unit: String

    public init(park: String, building: String, unit: String) {
        self.park = park
        self.building = building
        self.unit = unit
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ParkError.invalid("unit '\(text)' must be written PARK/BUILDING/UNIT, e.g. SW/B1/0301\(Spelling.fullWidthHint(text, parts: 3))")
        }
        park = parts[0]
        building = parts[1]
        unit = parts[2]
    }

    public var buildingAddress: BuildingAddress { BuildingAddress(park: park, building: building) }
    public var description: String { "\(park)/\(building)/\(unit)" }
}
