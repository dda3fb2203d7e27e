import Foundation
import Postgres

/// Reads the audit trail that the database writes for every change.
public struct AuditService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Every audited table (a test holds this to the audit triggers in the catalogue).
    public static let entities = ["park", "building", "unit", "tenant", "onboarding", "onboarding_step", "onboarding_check", "onboarding_check_undone",
                                  "lease", "lease_unit", "lease_amendment", "ticket", "ticket_event", "service_level", "calendar_day", "work_hours", "staff",
                                  "bill", "payment", "allocation", "bill_waiver", "bill_void", "payment_reversal", "refund", "invoice",
                                  "invoice_line", "lease_settlement", "meter", "meter_reading", "utility_tariff", "utility_share_rule",
                                  "utility_share_weight", "utility_period", "enterprise_stat", "qualification", "lead", "lead_follow_up", "lead_stage", "account_manager"]

    /// The newest `limit` changes, oldest first, optionally of one entity (table),
    /// one park, and since a day (in the park group's default time zone).
    public func entries(entity: String? = nil, park: String? = nil, since: CalendarDate? = nil, limit: Int = 200) throws -> [AuditEntry] {
        if let entity, !Self.entities.contains(entity) {
            throw ParkError.invalid("entity '\(entity)' is not one of: \(Self.entities.joined(separator: ", "))")
        }
        guard (1...100_000).contains(limit) else { throw ParkError.invalid("limit must be 1-100000, not \(limit)") }
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                SELECT * FROM (
                    SELECT a.id, a.at, a.actor, parkctl_actor_name(a.actor) AS actor_name, a.table_name, a.row_key, a.action, p.code AS park, a.reason,
                           -- What a person calls the row: SW/B1/0301, a lease or ticket number, a company's name.
                           coalesce(CASE a.table_name
                             WHEN 'unit' THEN (SELECT bp.code || '/' || b.code || '/' || (j.r->>'code') FROM building b JOIN park bp ON bp.id = b.park_id
                                               WHERE b.id = (j.r->>'building_id')::bigint)
                             WHEN 'building' THEN p.code || '/' || (j.r->>'code')
                             WHEN 'tenant' THEN (j.r->>'name') || ' (' || (j.r->>'credit_code') || ')'
                             WHEN 'lease_unit' THEN (SELECT l.number FROM lease l WHERE l.id = (j.r->>'lease_id')::bigint)
                                                    || coalesce(' ' || (SELECT up.code || '/' || b.code || '/' || u.code FROM unit u
                                                                        JOIN building b ON b.id = u.building_id JOIN park up ON up.id = u.park_id
                                                                        WHERE u.id = (j.r->>'unit_id')::bigint), '')
                             WHEN 'ticket_event' THEN (SELECT t.number FROM ticket t WHERE t.id = (j.r->>'ticket_id')::bigint) || ' ' || (j.r->>'kind')
                             WHEN 'staff' THEN j.r->>'name'
                             ELSE (SELECT tn.name FROM onboarding o JOIN tenant tn ON tn.id = o.tenant_id
                                   WHERE a.table_name LIKE 'onboarding%'
                                     AND o.id = (CASE WHEN a.table_name = 'onboarding' THEN j.r->>'id' ELSE j.r->>'onboarding_id' END)::bigint)
                                  || coalesce(': ' || a.label, '')
                           END, a.label) AS label,
                           CASE a.action
                             WHEN 'update' THEN (
                               SELECT string_agg(format('%s: %s → %s', k, coalesce(a.old_row->>k, '∅'), coalesce(a.new_row->>k, '∅')), '; ' ORDER BY k)
                               FROM jsonb_object_keys(a.new_row) k
                               WHERE a.old_row->k IS DISTINCT FROM a.new_row->k AND k NOT IN ('updated_at', 'sys_period'))
                             ELSE (
                               SELECT string_agg(format('%s=%s', k, v), ' ' ORDER BY k)
                               FROM jsonb_each_text(coalesce(a.new_row, a.old_row)) AS e(k, v)
                               WHERE k IN ('code', 'name', 'stage', 'to_stage', 'item', 'area_m2', 'kind', 'reason', 'off_market_reason')
                                  -- What an amendment changes, from when.
                                  OR (a.table_name = 'lease_amendment' AND v IS NOT NULL AND v <> '[]'
                                      AND k IN ('effective_on', 'rent', 'property_fee', 'end_before', 'end_after', 'note')))
                           END AS changes
                    FROM audit_log a LEFT JOIN park p ON p.id = a.park_id
                    CROSS JOIN LATERAL (SELECT coalesce(a.new_row, a.old_row) AS r) j
                    \(SQL.whereAll([
                        entity.map { "a.table_name = \($0)" },
                        park.map { "p.code = \($0)" },
                        since.map { "a.at >= (\($0)::date::timestamp AT TIME ZONE park_time_zone(NULL))" },
                    ]))
                    ORDER BY a.id DESC LIMIT \(limit)
                ) recent ORDER BY id
                """).rows.map { row in
                AuditEntry(id: try row.decode("id"), at: try row.decode("at"), actor: try row.decode("actor"), actorName: try row.decode("actor_name"),
                           entity: try row.decode("table_name"), key: try row.decode("row_key"), label: try row.decode("label"),
                           action: try row.decode("action"), park: try row.decode("park"),
                           changes: try row.decode("changes", as: String?.self) ?? "", reason: try row.decode("reason"))
            }
        }
    }
}
