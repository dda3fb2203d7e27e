/// A rule on the shape of a value that the database enforces with a CHECK constraint
/// (`code ~ '…'`), written here once for what checks it before the database does:
/// `Validate` (so that the message names the field and the value), the import's
/// line-by-line checks, and the message of the constraint itself when a change gets
/// past them. The database stays the authority: `CatalogueTests` compares every
/// pattern with its constraint's `pg_get_constraintdef`.
public struct PatternRule: Sendable {
    /// The CHECK constraint that enforces it.
    public let constraint: String
    /// A regular expression that means the same to ICU (Swift) and to PostgreSQL.
    public let pattern: String
    /// The rule in words, as messages give it.
    public let rule: String

    public func matches(_ value: String) -> Bool {
        value.range(of: pattern, options: .regularExpression) != nil
    }

    /// SQL that is true where `column` breaks the rule (program text: a column name
    /// and this pattern, which holds no quote).
    func isBroken(by column: String) -> String { "\(column) !~ '\(pattern)'" }
}

extension PatternRule {
    public static let parkCode = PatternRule(
        constraint: "park_code_format", pattern: #"^[A-Z][A-Z0-9]{0,9}$"#,
        rule: "a park code is 1-10 capital letters or digits, starting with a letter")
    public static let buildingCode = PatternRule(
        constraint: "building_code_format", pattern: #"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$"#,
        rule: "a building code is 1-16 letters, digits, - or _")
    public static let unitCode = PatternRule(
        constraint: "unit_code_format", pattern: #"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$"#,
        rule: "a unit code is 1-16 letters, digits, - or _")
    public static let meterCode = PatternRule(
        constraint: "meter_code_format", pattern: #"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"#,
        rule: "a meter code is 1-40 letters, digits, - or _ (e.g. E-101, W-B1-03)")
    public static let industry = PatternRule(
        constraint: "tenant_industry_format", pattern: #"^[a-z][a-z0-9_]{0,39}$"#,
        rule: "an industry is a lower-case word of a-z, 0-9 and _ that starts with a letter, at most 40 (e.g. software, ai, telecom_5g), or the name of a common one (软件, 人工智能, 电子商务)")
    public static let phone = PatternRule(
        constraint: "tenant_phone_format", pattern: #"^\+?[0-9][0-9 -]{4,24}$"#,
        rule: "a phone number is 5-25 digits, spaces or dashes, optionally starting with +")
    public static let email = PatternRule(
        constraint: "tenant_email_format", pattern: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#,
        rule: "an e-mail address looks like name@example.com")
    public static let leaseNumber = PatternRule(
        constraint: "lease_number_format", pattern: #"^L-[0-9]{4}-[0-9]{6,}$"#,
        rule: "a lease number looks like L-2026-000123")

    public static let staffName = PatternRule(
        constraint: "staff_name_format", pattern: "^[a-z][a-z0-9_]{0,62}$",
        rule: "a staff name is 1-63 lower-case letters, digits or _, starting with a letter")

    /// Every pattern rule, for the constraint messages and the catalogue test.
    public static let all: [PatternRule] = [parkCode, buildingCode, unitCode, meterCode, industry, phone, email, leaseNumber, staffName]
}
