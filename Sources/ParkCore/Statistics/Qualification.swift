import Foundation
import Postgres

/// The qualifications a zone counts (企业资质), by code; a park may record kinds of its
/// own by their name (省级工程技术研究中心).
public enum QualificationKind: String, Vocabulary {
    /// 高新技术企业.
    case highTech = "high_tech"
    /// 专精特新中小企业.
    case specializedSME = "specialized_sme"
    /// 专精特新"小巨人"企业.
    case littleGiant = "little_giant"
    /// 科技型中小企业.
    case techSME = "tech_sme"
    /// 规模以上企业 (规上).
    case aboveScale = "above_scale"
    /// 瞪羚企业.
    case gazelle
    public static let fieldName = "qualification kind"

    /// What is stored for a kind as written: a named kind's code (高新技术企业, high_tech), or
    /// a park's own kind by its name.
    static func stored(_ text: String) throws -> String {
        let trimmed = Spelling.halfWidth(text).trimmingCharacters(in: .whitespaces)
        if let named = fromLabel(trimmed) ?? aliases[trimmed] { return named.rawValue }
        return try Validate.text(text, field: "qualification kind", max: 40)
    }

    /// The other names the forms and people use for the named kinds.
    static let aliases: [String: QualificationKind] = [
        "国家高新技术企业": .highTech, "高企": .highTech, "高新企业": .highTech,
        "专精特新中小企业": .specializedSME, "专精特新企业": .specializedSME,
        "小巨人": .littleGiant, "专精特新小巨人企业": .littleGiant, "专精特新\"小巨人\"企业": .littleGiant,
        "科技型中小": .techSME, "规模以上企业": .aboveScale, "规上": .aboveScale, "规模以上": .aboveScale,
    ]
}

/// A tenant's qualification recorded by a park: its kind, certificate and valid days.
public struct Qualification: Sendable, Equatable {
    public var park: String
    public var tenant: String
    public var creditCode: String
    /// Whom to call about a renewal.
    public var contact: String
    public var phone: String
    /// A ``QualificationKind`` code, or a park's own kind by name.
    public var kind: String
    public var certificate: String?
    public var validFrom: CalendarDate
    /// The last valid day; nil for a status with no end (规上).
    public var validTo: CalendarDate?
    public var note: String?
    /// Days from today to the last valid day (negative once lapsed); nil with no end.
    public var daysLeft: Int?

    /// The SELECT that ``init(row:)`` decodes, over `qualification q`.
    static let selection: SQL = """
        SELECT p.code AS park, t.name AS tenant, t.credit_code, t.contact, t.phone, q.kind, q.certificate, lower(q.valid) AS valid_from,
               upper(q.valid) - 1 AS valid_to, q.note, upper(q.valid) - 1 - park_today(q.park_id) AS days_left
        FROM qualification q JOIN park p ON p.id = q.park_id JOIN tenant t ON t.id = q.tenant_id
        """

    init(row: PostgresRow) throws {
        park = try row.decode("park")
        tenant = try row.decode("tenant")
        creditCode = try row.decode("credit_code")
        contact = try row.decode("contact")
        phone = try row.decode("phone")
        kind = try row.decode("kind")
        certificate = try row.decode("certificate")
        validFrom = try row.decode("valid_from")
        validTo = try row.decode("valid_to")
        note = try row.decode("note")
        daysLeft = try row.decode("days_left")
    }
}

/// Qualifications (企业资质): recorded by a park's staff, listed, and the ones lapsing soon
/// reported so that the park helps renew them.
///
///     try QualificationService(session).add(tenant: "博思软件", park: "SW", kind: "高新技术企业",
///                                           certificate: "GR202343001234", from: day, to: lastDay)
public struct QualificationService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    @discardableResult
    public func add(tenant: String, park: String, kind: String, certificate: String? = nil, from: CalendarDate, to: CalendarDate? = nil,
                    note: String? = nil) throws -> Qualification {
        let kind = try QualificationKind.stored(kind)
        if let to, to < from { throw ParkError.invalid("to (\(to)) is before from (\(from)): a qualification is valid from its first day to its last") }
        let certificate = try certificate.map { try Validate.text($0, field: "certificate", max: 100) }
        let note = try note.map { try Validate.text($0, field: "note", max: 500) }
        return try session.write { conn in
            let (parkID, tenantID) = try Lookup.tenantOfPark(tenant, park, conn)
            let id: Int
            do {
                id = try conn.query("""
                    INSERT INTO qualification (park_id, tenant_id, kind, certificate, valid, note)
                    VALUES (\(parkID), \(tenantID), \(kind), \(certificate), daterange(\(from), \(to), '[]'), \(note)) RETURNING id
                    """).rows[0].decode(0)
            } catch let error as PostgresError where error.sqlState == .uniqueViolation {
                throw ParkError.translated(error)   // recorded already, in the rule's words
            }
            return try Qualification(row: conn.query((Qualification.selection + " WHERE q.id = \(id)").query).rows[0])
        }
    }

    /// Removes a qualification recorded by mistake (the audit trail keeps it): the
    /// tenant's of that kind whose first valid day is `from`.
    /// `to`: its last valid day, when two of the kind start that day.
    public func remove(tenant: String, park: String, kind: String, from: CalendarDate, to: CalendarDate? = nil) throws {
        let kind = try QualificationKind.stored(kind)
        try session.write { conn in
            let (parkID, tenantID) = try Lookup.tenantOfPark(tenant, park, conn)
            let matching: SQL = """
                park_id = \(parkID) AND tenant_id = \(tenantID) AND kind = \(kind) AND lower(valid) = \(from)
                AND (\(to)::date IS NULL OR upper(valid) - 1 = \(to)::date)
                """
            let found = try conn.query(("SELECT count(*) FROM qualification WHERE " + matching).query).rows[0].decode(0, as: Int.self)
            guard found == 1 else {
                throw ParkError(found == 0 ? .notFound : .invalidInput, found == 0
                    ? "\(tenant) has no \(kind) qualification valid from \(from) in \(park) (parkctl qualification list --tenant \(tenant))"
                    : "\(found) of \(tenant)'s \(kind) qualifications start on \(from): say which with --to, its last valid day")
            }
            try conn.execute(("DELETE FROM qualification WHERE " + matching).query)
        }
    }

    /// The qualifications recorded, by park, tenant, kind and first day.
    public func list(park: String? = nil, tenant: String? = nil, kind: String? = nil, validOnly: Bool = false) throws -> [Qualification] {
        let kind = try kind.map(QualificationKind.stored)
        return try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            let tenantID = try tenant.map { try Lookup.tenant($0, conn).id }
            let conditions: [SQL?] = [park.map { "p.code = \($0)" }, tenantID.map { "q.tenant_id = \($0)" }, kind.map { "q.kind = \($0)" },
                                      validOnly ? "q.valid @> park_today(q.park_id)" : nil]
            return try conn.query((Qualification.selection + " " + SQL.whereAll(conditions) + " ORDER BY p.code, t.name, q.kind, lower(q.valid)").query)
                .rows.map(Qualification.init(row:))
        }
    }

    /// The qualifications whose last valid day is today or within `days` (soonest first).
    public func expiring(within days: Int, park: String? = nil) throws -> [Qualification] {
        guard (0...3650).contains(days) else { throw ParkError.invalid("expiring-within is 0-3650 days, not \(days)") }
        return try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            return try conn.query((Qualification.selection + """
                 WHERE (q.park_id = \(parkID) OR \(parkID)::bigint IS NULL) AND NOT upper_inf(q.valid)
                   AND upper(q.valid) - 1 BETWEEN park_today(q.park_id) AND park_today(q.park_id) + \(Int32(days))
                   -- Renewed already: another of the kind goes on after it.
                   AND NOT EXISTS (SELECT 1 FROM qualification r WHERE r.park_id = q.park_id AND r.tenant_id = q.tenant_id AND r.kind = q.kind
                                      AND r.id <> q.id AND lower(r.valid) <= upper(q.valid) AND (upper_inf(r.valid) OR upper(r.valid) > upper(q.valid)))
                 ORDER BY upper(q.valid), p.code, t.name
                """).query).rows.map(Qualification.init(row:))
        }
    }

    /// How many tenants of each park hold each kind today (the zone's count of 高新, 专精特新…).
    public func counts(park: String? = nil) throws -> [(park: String, kind: String, tenants: Int)] {
        try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            return try conn.query("""
                SELECT p.code, q.kind, count(DISTINCT q.tenant_id) AS tenants
                FROM qualification q JOIN park p ON p.id = q.park_id
                WHERE (q.park_id = \(parkID) OR \(parkID)::bigint IS NULL) AND q.valid @> park_today(q.park_id)
                GROUP BY p.code, q.kind ORDER BY p.code, count(DISTINCT q.tenant_id) DESC, q.kind
                """).rows.map { (try $0.decode(0), try $0.decode(1), try $0.decode(2)) }
        }
    }
}
