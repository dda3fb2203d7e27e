import Foundation
import Postgres

/// Exports with COPY TO STDOUT, streamed: the same columns the import reads, so
/// that export → import into an empty database round-trips. Memory stays bounded.
/// Free-text cells that a spreadsheet would run as a formula get a leading `'`
/// (`parkctl_csv_text`), which import drops again; control characters that rows
/// older than the text rules may hold are written as `\u{1B}`.
public struct ExportService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Writes the CSV (header first) to `sink` chunk by chunk; returns the rows.
    @discardableResult
    public func run(_ entity: TransferEntity, park: String? = nil, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try session.write { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            // COPY takes no parameters: the park travels in a setting of the transaction.
            try conn.execute("SELECT set_config('parkctl.export_park', \(park ?? ""), true)")
            return try conn.copyOut("COPY (\(Self.query(entity, onePark: park != nil))) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
        }
    }

    /// The whole export has no park condition at all: an `'' = '' OR ...` filter made
    /// the planner expect a handful of rows and give up the parallel sort (half speed).
    static func query(_ entity: TransferEntity, onePark: Bool) -> String {
        let inPark = onePark ? "p.code = current_setting('parkctl.export_park')" : "true"
        return switch entity {
        case .parks:
            """
            SELECT p.code, parkctl_csv_text(p.name) AS name, p.kind, array_to_string(p.industries, ',') AS industries,
                   parkctl_csv_text(p.address) AS address
            FROM park p WHERE \(inPark) ORDER BY p.code
            """
        case .buildings:
            """
            SELECT p.code AS park, b.code AS building, parkctl_csv_text(b.name) AS name, b.floors_above AS floors, b.floors_below, b.delivered_on
            FROM building b JOIN park p ON p.id = b.park_id WHERE \(inPark) ORDER BY p.code, b.code
            """
        case .units:
            """
            SELECT p.code AS park, b.code AS building, u.code AS unit, u.floor, u.area_m2, u.kind, u.list_rent,
                   parkctl_csv_text(u.off_market_reason) AS off_market_reason
            FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
            WHERE \(inPark) ORDER BY p.code, b.code, u.floor, u.code
            """
        case .tenants:
            """
            SELECT parkctl_csv_text(t.name) AS name, t.credit_code, t.industry, parkctl_csv_text(t.contact) AS contact,
                   parkctl_csv_text(t.phone) AS phone, parkctl_csv_text(t.email) AS email, p.code AS park, o.stage,
                   parkctl_csv_text(t.short_name) AS short_name
            FROM tenant t
            LEFT JOIN onboarding o ON o.tenant_id = t.id
            LEFT JOIN park p ON p.id = o.park_id
            WHERE \(inPark)
            ORDER BY t.credit_code, p.code NULLS FIRST, o.applied_at, o.id
            """
        case .leases:
            """
            SELECT l.number, t.credit_code AS tenant_credit_code,
                   -- A unit held for part of the lease carries its agreed days: SW/B1/0301[2027-03-11..].
                   (SELECT string_agg(p2.code || '/' || b.code || '/' || u.code
                                      || CASE WHEN lu.agreed <> '(,)'::daterange
                                              THEN '[' || coalesce(lower(lu.agreed)::text, '') || '..'
                                                   || coalesce((upper(lu.agreed) - 1)::text, '') || ']' ELSE '' END,
                                      ';' ORDER BY b.code, u.floor, u.code)
                    FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                    JOIN park p2 ON p2.id = u.park_id
                    WHERE lu.lease_id = l.id AND NOT isempty(lease_occupancy(l.term, l.terminated_on) * lu.agreed)) AS units,
                   lower(l.term) AS start, upper(l.term) - 1 AS "end", l.rent, l.property_fee,
                   lower(l.free_window) AS free_from, upper(l.free_window) - 1 AS free_to,
                   lower(l.fit_out_window) AS fit_out_from, upper(l.fit_out_window) - 1 AS fit_out_to,
                   l.deposit, l.escalation_pct, l.cycle, l.status, l.terminated_on, r.number AS renews
            FROM lease l JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = l.park_id
            LEFT JOIN lease r ON r.id = l.renews_lease_id
            WHERE l.status IN ('signed', 'terminated') AND \(inPark)
            ORDER BY lower(l.term), l.number
            """
        case .amendments:
            """
            SELECT a.number, l.number AS lease, a.signed_on, a.effective_on AS "from", a.rent, a.property_fee,
                   a.end_before, a.end_after,
                   (SELECT string_agg(up.code || '/' || b.code || '/' || u.code, ';' ORDER BY b.code, u.floor, u.code)
                    FROM unnest(a.units_added) x JOIN unit u ON u.id = x JOIN building b ON b.id = u.building_id
                    JOIN park up ON up.id = u.park_id) AS units_added,
                   (SELECT string_agg(up.code || '/' || b.code || '/' || u.code, ';' ORDER BY b.code, u.floor, u.code)
                    FROM unnest(a.units_released) x JOIN unit u ON u.id = x JOIN building b ON b.id = u.building_id
                    JOIN park up ON up.id = u.park_id) AS units_released,
                   parkctl_csv_text(a.note) AS note, parkctl_csv_text(a.actor) AS "by"
            FROM lease_amendment a JOIN lease l ON l.id = a.lease_id JOIN park p ON p.id = a.park_id
            WHERE \(inPark) ORDER BY lower(l.term), l.number, a.seq
            """
        case .tickets:
            """
            SELECT t.number, p.code AS park, tn.credit_code AS tenant_credit_code,
                   CASE WHEN u.id IS NOT NULL THEN p.code || '/' || b.code || '/' || u.code END AS unit,
                   t.category, t.priority, parkctl_csv_text(t.title) AS title, parkctl_csv_text(t.description) AS description,
                   parkctl_csv_text(t.reporter) AS reporter, parkctl_csv_text(t.assignee) AS assignee, t.status, t.clock,
                   t.opened_at, t.first_response_at, t.resolved_at, t.closed_at, t.response_due_at, t.resolution_due_at
            FROM ticket t JOIN park p ON p.id = t.park_id JOIN tenant tn ON tn.id = t.tenant_id
            LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN building b ON b.id = u.building_id
            WHERE \(inPark) ORDER BY t.opened_at, t.number
            """
        case .audit:
            """
            SELECT a.id, a.at, parkctl_csv_text(a.actor) AS actor, a.table_name AS entity, parkctl_csv_text(a.row_key) AS key,
                   parkctl_csv_text(a.label) AS label, a.action, p.code AS park,
                   parkctl_csv_text(a.old_row::text) AS old_row, parkctl_csv_text(a.new_row::text) AS new_row
            FROM audit_log a LEFT JOIN park p ON p.id = a.park_id
            WHERE \(inPark) ORDER BY a.id
            """
        }
    }
}
