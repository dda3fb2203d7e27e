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
                ServiceLevel(category: try TicketCategory.parse(try row.decode("category")),
                             priority: try TicketPriority.parse(try row.decode("priority")),
                             response: SLATarget(value: try row.decode("response_value"),
                                                 unit: SLATarget.Unit(rawValue: try row.decode("response_unit"))!),
                             resolution: SLATarget(value: try row.decode("resolution_value"),
                                                   unit: SLATarget.Unit(rawValue: try row.decode("resolution_unit"))!),
                             clock: try SLAClock.parse(try row.decode("clock")))
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
