import Foundation
import Postgres

/// The service levels: first-response and resolution targets per category and priority.
public struct ServiceLevelService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public func list() throws -> [ServiceLevel] {
        try session.read { conn in
            try conn.query("""
                SELECT category, priority, response_value, response_unit, resolution_value, resolution_unit, clock
                FROM service_level
                ORDER BY array_position(\(TicketCategory.allCases.map(\.rawValue)), category),
                         array_position(\(TicketPriority.allCases.map(\.rawValue)), priority)
                """).rows.map { row in
                ServiceLevel(category: try row.decode("category", as: TicketCategory.self),
                             priority: try row.decode("priority", as: TicketPriority.self),
                             response: SLATarget(value: try row.decode("response_value"),
                                                 unit: try row.decode("response_unit", as: SLATarget.Unit.self)),
                             resolution: SLATarget(value: try row.decode("resolution_value"),
                                                   unit: try row.decode("resolution_unit", as: SLATarget.Unit.self)),
                             clock: try row.decode("clock", as: SLAClock.self))
            }
        }
    }

    /// Changes the targets of one category and priority; tickets opened later use them.
    public func set(category: TicketCategory, priority: TicketPriority, response: SLATarget?, resolution: SLATarget?,
                    clock: SLAClock?) throws {
        if let response, let resolution, minutes(response) > minutes(resolution) {
            throw ParkError.invalid("the response target \(response) is longer than the resolution target \(resolution)")
        }
        _ = try session.write { conn in
            try conn.execute("""
                UPDATE service_level SET
                    response_value = coalesce(\(response?.value), response_value),
                    response_unit = coalesce(\(response?.unit.rawValue), response_unit),
                    resolution_value = coalesce(\(resolution?.value), resolution_value),
                    resolution_unit = coalesce(\(resolution?.unit.rawValue), resolution_unit),
                    clock = coalesce(\(clock?.rawValue), clock)
                WHERE category = \(category.rawValue) AND priority = \(priority.rawValue)
                """)
        }
    }

    /// Minutes with an 8-hour working day, only to compare two targets.
    private func minutes(_ t: SLATarget) -> Decimal {
        t.value * (t.unit == .m ? 1 : t.unit == .h ? 60 : 480)
    }
}

/// Stored as m, h or d in service_level's unit columns.
extension SLATarget.Unit: PostgresCodable {}
