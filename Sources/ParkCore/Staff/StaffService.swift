import Foundation
import Postgres

/// What a member of staff may do; each is a PostgreSQL group role (`parkctl_<role>`).
public enum StaffRole: String, Vocabulary {
    /// Everything (the audit trail stays append-only).
    case admin
    /// Portfolio read; tenants, onboarding and leases write.
    case leasing
    /// Tickets write; the rest read.
    case service
    /// Read and reports only.
    case viewer
    public static let fieldName = "staff role"
}

/// A member of staff: a PostgreSQL login role with one ``StaffRole`` and a park scope.
public struct StaffMember: Sendable, Equatable {
    public var name: String
    /// The name people know them by (李雷), shown beside the login in timelines.
    public var displayName: String?
    public var role: StaffRole
    /// Park codes; nil for every park.
    public var parks: [String]?
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?
    public var revokedBy: String?
}

/// Adds, lists and revokes staff. The database does the work (SECURITY DEFINER
/// functions of migration 0008): only the owner and admins may call them, and an
/// admin scoped to some parks hands out only those.
public struct StaffService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Creates the login role `name` in group `role`, seeing `parks` (nil: every park).
    /// A `password` is turned into a SCRAM verifier here; it never reaches the server.
    ///
    /// ```swift
    /// try StaffService(session).add("li_lei", role: .leasing, parks: ["SW", "EC"])
    /// ```
    @discardableResult
    public func add(_ name: String, role: StaffRole, parks: [String]?, password: String? = nil,
                    displayName: String? = nil) throws -> StaffMember {
        let name = try Self.validName(name)
        let displayName = try displayName.map(Self.validDisplayName)
        if let parks, parks.isEmpty { throw ParkError.invalid("parks: give at least one park, or every park") }
        if let password, password.count < 8 || password.count > 200 {
            throw ParkError.invalid("password: 8-200 characters")
        }
        return try session.write { conn in
            let parkIDs = try parks.map { codes in try Set(codes).sorted().map { try Lookup.parkID($0, conn) } }
            let verifier = try password.map { try conn.passwordVerifier($0, user: name) }
            try conn.query("SELECT parkctl_staff_add(\(name), \(role.rawValue), \(parkIDs), \(verifier))")
            if let displayName { try conn.query("SELECT parkctl_staff_set_display_name(\(name), \(displayName))") }
            return try Self.member(name, conn)
        }
    }

    /// Every member of staff, revoked ones last.
    public func list() throws -> [StaffMember] {
        try session.read { conn in
            try conn.query("\(Self.select) ORDER BY s.revoked_at IS NOT NULL, s.name").rows.map(Self.decode)
        }
    }

    /// Takes the login and the rights away (the role stays, so the audit trail's names
    /// still mean someone); open sessions of that role are ended. The tenants it served
    /// as account manager have none after it (`released`, their names): a departed
    /// colleague serves nobody, and ``EnterpriseCare/visits`` lists them as unserved.
    @discardableResult
    public func revoke(_ name: String) throws -> (member: StaffMember, released: [String]) {
        let name = try Self.validName(name)
        return try session.write { conn in
            // The revoke releases them (migration 0037); named here before it does.
            let released: [String] = try conn.query("""
                SELECT t.name || ' (' || p.code || ')' FROM account_manager m JOIN tenant t ON t.id = m.tenant_id JOIN park p ON p.id = m.park_id
                WHERE m.manager = \(name) ORDER BY p.code, t.name
                """).rows.map { try $0.decode(0) }
            do {
                try conn.query("SELECT parkctl_staff_revoke(\(name))")
            } catch let error as PostgresError where error.sqlState == SQLState("P0002") {
                throw ParkError.notFound("no staff named \(name) (see `parkctl staff list`)")
            }
            return (try Self.member(name, conn), released)
        }
    }

    /// Sets the display name of a member of staff (an empty one removes it).
    @discardableResult
    public func setDisplayName(_ name: String, _ displayName: String) throws -> StaffMember {
        let name = try Self.validName(name)
        let displayName = displayName.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Self.validDisplayName(displayName)
        return try session.write { conn in
            do {
                try conn.query("SELECT parkctl_staff_set_display_name(\(name), \(displayName))")
            } catch let error as PostgresError where error.sqlState == SQLState("P0002") {
                throw ParkError.notFound("no staff named \(name) (see `parkctl staff list`)")
            }
            return try Self.member(name, conn)
        }
    }

    static func validDisplayName(_ text: String) throws -> String {
        try Validate.text(text, field: "display name", max: 50)
    }

    static func validName(_ name: String) throws -> String {
        guard Validate.isStaffName(name), !name.hasPrefix("pg_"), !name.hasPrefix("parkctl") else {
            throw ParkError.invalid("staff name '\(name.prefix(80))': 1-63 lower-case letters, digits or _, starting with a letter (not pg_… or parkctl…)")
        }
        return name
    }

    static let select: SQL = """
        SELECT s.name, s.display_name, s.role, s.created_at, s.created_by, s.revoked_at, s.revoked_by,
               (SELECT array_agg(p.code ORDER BY p.code) FROM park p WHERE p.id = ANY (s.park_ids)) AS parks,
               s.park_ids IS NULL AS every_park
        FROM staff s
        """

    static func member(_ name: String, _ conn: Connection) throws -> StaffMember {
        try decode(conn.query("\(select) WHERE s.name = \(name)").rows[0])
    }

    static func decode(_ row: PostgresRow) throws -> StaffMember {
        let everyPark: Bool = try row.decode("every_park")
        return StaffMember(name: try row.decode("name"), displayName: try row.decode("display_name"), role: try row.decode("role", as: StaffRole.self),
                           parks: everyPark ? nil : (try row.decode("parks", as: [String]?.self) ?? []),
                           createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"),
                           revokedAt: try row.decode("revoked_at"), revokedBy: try row.decode("revoked_by"))
    }
}
