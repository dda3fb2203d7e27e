import Foundation
import Postgres

/// Serving the enterprises already settled (持续跟踪服务): each tenant of a park has an
/// account manager (企业服务专员), and its visits, calls and meetings are recorded as a
/// lead's follow-ups are, so that what is due and who has not been visited are reports.
/// Who may be a manager, and which tenant may be followed up, are the database's
/// (migration 0037).
///
///     let care = EnterpriseCare(session)
///     try care.assign("博思软件", park: "SW", to: "zhang_wei")
///     try care.followUp("博思软件", park: "SW", way: .visit, note: "走访:扩租 200㎡ 意向", nextStepOn: day)
///     let due = try care.visits(period: .init(parsing: "2026-Q4"), notVisited: true)
public struct EnterpriseCare {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Gives a tenant of a park its account manager (a leasing member or an admin of the
    /// park), or takes it away (`to` nil). An admin's decision.
    @discardableResult
    public func assign(_ tenant: String, park: String, to manager: String?) throws -> (tenant: String, manager: String?) {
        try session.write { conn in
            // A manager is taken away from a tenant that has left too.
            let found = try Lookup.tenant(tenant, conn)
            let (parkID, tenantID) = manager == nil ? (try Lookup.parkID(park, conn), found.id)
                                                    : try Lookup.tenantOfPark(found.creditCode, park, conn)
            if let manager {
                try conn.execute("""
                    INSERT INTO account_manager (park_id, tenant_id, manager, since) VALUES (\(parkID), \(tenantID), \(manager), park_today(\(parkID)))
                    ON CONFLICT (park_id, tenant_id) DO UPDATE SET manager = EXCLUDED.manager
                    """)
            } else {
                try conn.execute("DELETE FROM account_manager WHERE park_id = \(parkID) AND tenant_id = \(tenantID)")
            }
            return (found.name, manager)
        }
    }

    /// Records a visit, call or meeting with a tenant (today unless `on`), with the next
    /// step's day. `park` may be left out for a tenant of one park.
    @discardableResult
    public func followUp(_ tenant: String, park: String? = nil, on day: CalendarDate? = nil, way: FollowUpWay, note: String,
                         nextStepOn: CalendarDate? = nil) throws -> (tenant: String, park: String) {
        let note = try Validate.text(note, field: "note", max: 1000)
        return try session.write { conn in
            let place = try tenancy(tenant, park: park, conn)
            try conn.execute("""
                INSERT INTO lead_follow_up (park_id, tenant_id, happened_on, way, note, next_step_on)
                VALUES (\(place.parkID), \(place.tenantID), coalesce(\(day)::date, park_today(\(place.parkID))), \(way.rawValue), \(note), \(nextStepOn))
                """)
            return (place.name, place.park)
        }
    }

    /// A tenant's account managers and follow-ups at its parks, newest first.
    public func followUps(_ tenant: String, park: String? = nil) throws -> [TenantFollowUp] {
        try session.read { conn in
            let found = try Lookup.tenant(tenant, conn)
            // A park it was never a tenant of is refused, not an empty list.
            if let park { _ = try Lookup.tenantOfPark(found.creditCode, park, conn) }
            return try conn.query("""
                SELECT p.code AS park, f.happened_on, f.way, f.note, f.next_step_on, f.actor,
                       (SELECT m.manager FROM account_manager m WHERE m.park_id = f.park_id AND m.tenant_id = f.tenant_id) AS manager
                FROM lead_follow_up f JOIN park p ON p.id = f.park_id
                WHERE f.tenant_id = \(found.id) AND (p.code = \(park) OR \(park)::text IS NULL)
                ORDER BY f.happened_on DESC, f.id DESC
                """).rows.map { row in
                TenantFollowUp(park: try row.decode("park"), manager: try row.decode("manager"), followUp: try FollowUp(row: row))
            }
        }
    }

    /// `report visits`: every enterprise in place in the period (holding a unit on one of
    /// its days up to today; the current quarter by default) with its account manager,
    /// its visits in the period (in person: a visit or a meeting; calls do not count),
    /// and its last visit ever. `notVisited`: only those nobody visited in the period.
    /// Ordered by manager (the unserved last), park, the longest unvisited first.
    public func visits(period: StatPeriod? = nil, park: String? = nil, manager: String? = nil, notVisited: Bool = false) throws -> [VisitRow] {
        try session.read { conn in
            try conn.query((try enterprisesInPlace(period: period, park: park, manager: manager, conn) + """
                SELECT * FROM e WHERE NOT \(notVisited) OR visits = 0
                ORDER BY manager NULLS LAST, park, last_visit NULLS FIRST, name
                """).query).rows.map { row in
                VisitRow(park: try row.decode("park"), tenant: try row.decode("name"), creditCode: try row.decode("credit_code"),
                         manager: try row.decode("manager"), visits: try row.decode("visits"), lastVisit: try row.decode("last_visit"),
                         daysSince: try row.decode("days_since"), contact: try row.decode("contact"), phone: try row.decode("phone"),
                         units: try row.decode("units"))
            }
        }
    }

    /// How `report visits --by manager|park` adds up.
    public enum Coverage: String, Vocabulary {
        case manager, park
        public static let fieldName = "visits by"
    }

    /// `report visits --by manager|park`: of the enterprises in place in the period, how
    /// many each manager (or park) has, how many were visited, and the share (4
    /// decimals); the unserved under no manager; a total row last.
    public func coverage(period: StatPeriod? = nil, park: String? = nil, by: Coverage) throws -> [CoverageRow] {
        try session.read { conn in
            let key: SQL = by == .manager ? "e.manager" : "e.park"
            return try conn.query((try enterprisesInPlace(period: period, park: park, manager: nil, conn) + """
                SELECT \(key) AS key, grouping(\(key)) = 1 AS is_total, count(*) AS enterprises, count(*) FILTER (WHERE e.visits > 0) AS visited,
                       round(count(*) FILTER (WHERE e.visits > 0)::numeric / nullif(count(*), 0), 4) AS rate
                FROM e GROUP BY GROUPING SETS ((\(key)), ()) HAVING count(*) > 0
                ORDER BY grouping(\(key)), \(key) NULLS LAST
                """).query).rows.map { row in
                CoverageRow(key: try row.decode("key"), isTotal: try row.decode("is_total"), enterprises: try row.decode("enterprises"),
                            visited: try row.decode("visited"), rate: try row.decode("rate"))
            }
        }
    }

    /// `WITH … e AS (…)`: the enterprises in place in the period, one row each, with their
    /// manager and visits; what both reports select from.
    private func enterprisesInPlace(period: StatPeriod?, park: String?, manager: String?, _ conn: Connection) throws -> SQL {
        let parkID = try park.map { try Lookup.parkID($0, conn) }
        let manager = try manager.map {
            try Lookup.person($0, seen: "SELECT 1 FROM account_manager WHERE manager = \($0)", role: "an account manager", conn)
        }
        return """
            WITH days AS (
                SELECT enterprise_stat_days(coalesce(\(period?.kind.rawValue), 'quarter'),
                                            coalesce(\(period?.start)::date, date_trunc('quarter', park_today(NULL))::date))
                       * daterange(NULL, park_today(NULL), '[]') AS d
            ), e AS (
                SELECT p.code AS park, t.name, t.credit_code, m.manager, t.contact, t.phone, ip.units,
                       count(f.id) FILTER (WHERE f.happened_on <@ days.d) AS visits, max(f.happened_on) AS last_visit,
                       park_today(ip.park_id) - max(f.happened_on) AS days_since
                FROM days CROSS JOIN LATERAL tenants_in_place(days.d) ip
                JOIN tenant t ON t.id = ip.tenant_id JOIN park p ON p.id = ip.park_id
                LEFT JOIN account_manager m ON m.park_id = ip.park_id AND m.tenant_id = ip.tenant_id
                LEFT JOIN lead_follow_up f ON f.tenant_id = ip.tenant_id AND f.park_id = ip.park_id AND f.way IN ('visit', 'meeting')
                WHERE (ip.park_id = \(parkID) OR \(parkID)::bigint IS NULL) AND (m.manager = \(manager) OR \(manager)::text IS NULL)
                GROUP BY p.code, t.name, t.credit_code, m.manager, t.contact, t.phone, ip.units, ip.park_id
            )

            """
    }

    /// The park a tenant is followed up at: the one named, or its only one.
    private func tenancy(_ tenant: String, park: String?, _ conn: Connection) throws -> (parkID: Int, tenantID: Int, name: String, park: String) {
        if let park {
            let (parkID, tenantID) = try Lookup.tenantOfPark(tenant, park, conn)
            return (parkID, tenantID, try Lookup.tenant(tenant, conn).name, park)
        }
        let found = try Lookup.tenant(tenant, conn)
        let parks = try conn.query("""
            SELECT DISTINCT p.id, p.code FROM onboarding o JOIN park p ON p.id = o.park_id
            WHERE o.tenant_id = \(found.id) AND o.stage NOT IN ('rejected', 'exited') ORDER BY p.code
            """).rows
        guard parks.count == 1 else {
            let codes: [String] = try parks.map { try $0.decode("code") }
            throw ParkError.invalid(codes.isEmpty ? "\(found.name) is no tenant of any park (parkctl tenant show \(found.creditCode))"
                                                  : "\(found.name) is a tenant of \(codes.joined(separator: ", ")): name the park (--park)")
        }
        return (try parks[0].decode("id"), found.id, found.name, try parks[0].decode("code"))
    }
}

/// A follow-up of a tenant at a park, with the tenant's account manager there.
public struct TenantFollowUp: Sendable, Equatable {
    public var park: String
    public var manager: String?
    public var followUp: FollowUp
}

/// An enterprise in place in the period, and how it was visited.
public struct VisitRow: Sendable, Equatable {
    public var park: String
    public var tenant: String
    public var creditCode: String
    public var manager: String?
    /// Visits and meetings in the period.
    public var visits: Int
    /// The last visit or meeting ever, and the days from it to today.
    public var lastVisit: CalendarDate?
    public var daysSince: Int?
    public var contact: String
    public var phone: String
    public var units: [String]
}

/// A manager's (or a park's) enterprises in place in the period, and how many were visited.
public struct CoverageRow: Sendable, Equatable {
    /// The manager or park; nil for the unserved (or on the total row).
    public var key: String?
    public var isTotal: Bool
    public var enterprises: Int
    public var visited: Int
    /// visited ÷ enterprises, 4 decimals.
    public var rate: Decimal
}
