import Postgres

/// Finds what a person names on the command line (a park, a building, a unit, a
/// tenant) among the rows the login may see, and when nothing matches says so with
/// what they may have meant: a filter that names nothing is an error, never an
/// empty list that reads as "none".
///
/// ```
/// parkctl lease list --tenant 博思软件        # a tenant by its registered name,
/// parkctl lease list --tenant 博思            # its short name,
/// parkctl lease list --tenant 91350100M000100Y43   # or its credit code
/// parkctl unit show SW/B1/701                 # no unit 'SW/B1/701'; did you mean SW/B1/0701?
/// ```
enum Lookup {
    // MARK: Tenants

    /// The credit code of the tenant `reference` names: a credit code as it is
    /// (upper-cased; whether it exists is the caller's query), else the one visible
    /// tenant whose registered name or short name it is exactly. Several: they are
    /// listed and the command refused; none: ``tenantNotFound(_:_:)``.
    static func creditCode(_ reference: String, _ conn: Connection) throws -> String {
        // Eighteen letters and digits is a credit code, checked (a slip in it is named).
        let codeLike = reference.first?.isNumber == true && reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        if codeLike, reference.count == 18 {
            let upper = reference.uppercased()
            try CreditCode.validate(upper, field: "tenant credit code")
            return upper
        }
        // Digits and capitals a character or two from 18 long: a credit code with a slip, not a name.
        if codeLike, (15...21).contains(reference.count) {
            throw ParkError.invalid("tenant credit code '\(reference)' has \(reference.count) characters: a 统一社会信用代码 has 18")
        }
        let rows = try conn.query("""
            SELECT name, credit_code FROM tenant WHERE name = \(reference) OR short_name = \(reference)
            ORDER BY name, credit_code LIMIT 11
            """).rows
        switch rows.count {
        case 0: throw try tenantNotFound(reference, conn)
        case 1: return try rows[0].decode("credit_code")
        default:
            let names = try rows.prefix(10).map { "\(try $0.decode("name", as: String.self)) (\(try $0.decode("credit_code", as: String.self)))" }
            throw ParkError(.conflict, "'\(reference)' names \(rows.count > 10 ? "more than 10" : "\(rows.count)") tenants: "
                            + names.joined(separator: ", ") + "; name one by its credit code")
        }
    }

    /// The tenant `reference` names (see ``creditCode(_:_:)``), or ``tenantNotFound(_:_:)``.
    static func tenant(_ reference: String, _ conn: Connection) throws -> (id: Int, name: String, creditCode: String) {
        let code = try creditCode(reference, conn)
        guard let row = try conn.query("SELECT id, name FROM tenant WHERE credit_code = \(code)").rows.first else {
            throw try tenantNotFound(code, conn)
        }
        return (try row.decode("id"), try row.decode("name"), code)
    }

    /// "no tenant X", with the visible tenants whose names contain it, or whose credit
    /// code differs from it in one or two characters (a typing slip).
    static func tenantNotFound(_ reference: String, _ conn: Connection) throws -> ParkError {
        let upper = reference.uppercased()
        let near: [String] = try conn.query("""
            SELECT name || ' (' || credit_code || ')' FROM tenant t
            WHERE \(TenantSearch.condition("t", text: reference))
               OR (length(\(upper)) = 18 AND (SELECT count(*) FROM generate_series(1, 18) i
                                              WHERE substr(t.credit_code, i, 1) <> substr(\(upper), i, 1)) <= 2)
            ORDER BY name LIMIT 5
            """).rows.map { try $0.decode(0) }
        return .worded(.notFound) { language in
            (CreditCode.isValid(upper) ? Catalogue.text("error.tenant_code_not_found", in: language, ["code": upper])
                                       : Catalogue.text("error.tenant_name_not_found", in: language, ["name": reference]))
                + (near.isEmpty ? "" : Catalogue.text("error.did_you_mean", in: language, ["names": near.joined(separator: ", ")]))
                + Catalogue.text("error.find_tenant", in: language)
        }
    }

    // MARK: Parks, buildings, units

    /// The id of a park, or ``parkNotFound(_:_:)``.
    /// The park's and tenant's ids of a tenant of the park (one that applied to it): its
    /// statistics and qualifications are recorded there.
    static func tenantOfPark(_ tenant: String, _ park: String, _ conn: Connection) throws -> (park: Int, tenant: Int) {
        let parkID = try parkID(park, conn)
        let found = try Lookup.tenant(tenant, conn)
        guard try conn.query("""
            SELECT 1 FROM onboarding WHERE park_id = \(parkID) AND tenant_id = \(found.id) AND stage <> 'rejected'
            """).rowCount > 0 else {
            throw ParkError(.notFound, "\(found.name) is no tenant of park \(park): it applied to none of its units (parkctl tenant list --park \(park))")
        }
        return (parkID, found.id)
    }

    /// The login a filter names, given as a login or as the name people know them by
    /// (张伟). A login wins: the one asking, one seen in `seen`, or any staff login (login
    /// names are public); else the one login that display name stands for (as a ticket's
    /// assignee). Two staff going by the name are refused, and so is a name nobody
    /// answers to: a typo would otherwise print an empty list that reads as "nothing to do".
    static func person(_ name: String, seen: SQL, role: String, _ conn: Connection) throws -> String {
        let row = try conn.query("""
            SELECT \(name) = parkctl_actor() OR EXISTS (\(seen))
                   OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                              JOIN pg_catalog.pg_roles u ON u.oid = m.member
                              WHERE u.rolname = \(name) AND g.rolname IN ('parkctl_admin', 'parkctl_leasing', 'parkctl_service', 'parkctl_viewer'))
                   AS is_login,
                   ARRAY(SELECT parkctl_staff_named(\(name))) AS named
            """).rows[0]
        if try row.decode("is_login", as: Bool.self) { return name }
        let named: [String] = try row.decode("named")
        guard named.count <= 1 else {
            throw ParkError.invalid("several staff go by the name \(name) (\(named.joined(separator: ", "))): give one of these logins")
        }
        guard let login = named.first else {
            throw ParkError(.notFound, "nobody called '\(name)' is a member of staff or \(role) (parkctl staff list)")
        }
        return login
    }

    static func parkID(_ code: String, _ conn: Connection) throws -> Int {
        guard let row = try conn.query("SELECT id FROM park WHERE code = \(code)").rows.first else {
            throw try parkNotFound(code, conn)
        }
        return try row.decode(0)
    }

    static func parkNotFound(_ code: String, _ conn: Connection) throws -> ParkError {
        let known: [String] = try conn.query("SELECT code FROM park ORDER BY code").rows.map { try $0.decode(0) }
        return .worded(.notFound) { language in
            Catalogue.text("error.park_not_found", in: language, ["code": code]) + didYouMean(code, among: known, in: language)
                + Catalogue.text("error.parks_are", in: language,
                                 ["parks": known.isEmpty ? Catalogue.text("text.none_yet", in: language) : known.joined(separator: ", ")])
        }
    }

    /// Park id and building id of `PARK/BUILDING`, or a not-found error naming the
    /// park's buildings.
    static func buildingIDs(_ address: BuildingAddress, _ conn: Connection) throws -> (park: Int, building: Int) {
        let park = try parkID(address.park, conn)
        guard let row = try conn.query("SELECT id FROM building WHERE park_id = \(park) AND code = \(address.building)").rows.first else {
            let known: [String] = try conn.query("SELECT code FROM building WHERE park_id = \(park) ORDER BY code").rows.map { try $0.decode(0) }
            throw ParkError.worded(.notFound) { language in
                Catalogue.text("error.building_not_found", in: language, ["address": address.description])
                    + didYouMean(address.building, among: known, prefix: "\(address.park)/", in: language)
                    + Catalogue.text("error.buildings_are", in: language, ["park": address.park, "buildings":
                        known.isEmpty ? Catalogue.text("text.none_yet", in: language) : known.joined(separator: ", ")])
            }
        }
        return (park, try row.decode(0))
    }

    /// Park, building and unit ids of `PARK/BUILDING/UNIT`, or ``unitNotFound(_:_:)``.
    static func unitIDs(_ address: UnitAddress, _ conn: Connection) throws -> (park: Int, building: Int, unit: Int) {
        let ids = try buildingIDs(address.buildingAddress, conn)
        guard let row = try conn.query("SELECT id FROM unit WHERE building_id = \(ids.building) AND code = \(address.unit)").rows.first else {
            throw try unitNotFound(address, conn)
        }
        return (ids.park, ids.building, try row.decode(0))
    }

    /// "unit X not found", with the units of its building it may have meant
    /// (`SW/B1/701` for `SW/B1/0701`).
    static func unitNotFound(_ address: UnitAddress, _ conn: Connection) throws -> ParkError {
        let ids = try buildingIDs(address.buildingAddress, conn)
        let known: [String] = try conn.query("SELECT code FROM unit WHERE building_id = \(ids.building) ORDER BY code").rows.map { try $0.decode(0) }
        return .worded(.notFound) { language in
            Catalogue.text("error.unit_not_found", in: language, ["address": address.description])
                + didYouMean(address.unit, among: known, prefix: "\(address.buildingAddress)/", in: language)
        }
    }

    // MARK: Leases and tickets

    enum Numbered: String {
        case lease, ticket, bill, payment

        /// The letter its numbers start with: L-2026-000001.
        var letter: String {
            switch self {
            case .lease: "L"
            case .ticket: "T"
            case .bill: "B"
            case .payment: "P"
            }
        }
    }

    /// "lease 'L-2026-5' not found; did you mean L-2026-000005?": a number typed in
    /// lower case, without its zeros or dashes, that names a recorded one the login sees.
    static func numberNotFound(_ kind: Numbered, _ number: String, _ conn: Connection) throws -> ParkError {
        let notFound = ParkError.worded(.notFound) { language in
            Catalogue.text("error.\(kind.rawValue)_not_found", in: language, ["number": number])
        }
        let letter = kind.letter
        let upper = number.uppercased().replacingOccurrences(of: " ", with: "")
        guard let match = upper.wholeMatch(of: /([LTBP])-?(\d{4})-?0*(\d{1,12})/), match.1 == letter else { return notFound }
        let digits = String(match.3)
        let candidate = "\(letter)-\(match.2)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        guard candidate != number else { return notFound }
        let query: PostgresQuery = "SELECT 1 FROM \(identifier: kind.rawValue) WHERE number = \(candidate)"
        guard try conn.query(query).rowCount > 0 else { return notFound }
        return .worded(.notFound) { language in
            Catalogue.text("error.\(kind.rawValue)_not_found", in: language, ["number": number])
                + Catalogue.text("error.did_you_mean", in: language, ["names": candidate])
        }
    }

    // MARK: Did you mean

    /// "; did you mean X?" for the names among `known` that `typed` is close to (each
    /// written after `prefix`, e.g. the building of a unit), or "".
    static func didYouMean(_ typed: String, among known: [String], prefix: String = "", in language: Language = .en) -> String {
        let near = Spelling.closest(to: typed, among: known).map { prefix + $0 }
        return near.isEmpty ? "" : Catalogue.text("error.did_you_mean", in: language,
                                                   ["names": near.joined(separator: Catalogue.text("text.or", in: language))])
    }
}

/// Finding tenants by part of their names: the one expression migration 0014 indexes,
/// and a pattern that takes the text typed literally (`%` and `_` are not wildcards).
enum TenantSearch {
    /// SQL that is true when `alias`'s registered or short name contains `text`
    /// (Latin letters in any case; % and _ taken literally).
    static func condition(_ alias: String, text: String) -> SQL {
        let t = SQL(verbatim: alias)
        return """
            lower(\(t).name || ' ' || coalesce(\(t).short_name, '')) \
            LIKE '%' || replace(replace(replace(lower(\(text)::text), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
            """
    }
}
