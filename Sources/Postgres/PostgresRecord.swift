/// A row type that keeps its SELECT beside its decoder, as GRDB's `FetchableRecord`:
/// the columns a record needs and the code that reads them change together.
///
/// ```swift
/// struct ParkRow: PostgresRecord {
///     var code: String
///     var name: String
///     static let selection: SQL = "SELECT p.code, p.name FROM park p"
///     init(row: PostgresRow) throws {
///         code = try row.decode("code")
///         name = try row.decode("name")
///     }
/// }
/// let parks = try ParkRow.fetchAll(conn, "ORDER BY p.code")
/// let one = try ParkRow.fetchOne(conn, "WHERE p.code = \(code)")
/// ```
public protocol PostgresRecord {
    /// `SELECT … FROM …`, to which a fetch appends its conditions and order.
    static var selection: SQL { get }
    /// Reads one row of ``selection``.
    init(row: PostgresRow) throws
}

extension PostgresRecord {
    /// Every row of ``selection`` followed by `rest` (`WHERE …`, `GROUP BY …`, `ORDER BY …`).
    public static func fetchAll(_ conn: Connection, _ rest: SQL = .empty) throws -> [Self] {
        let result = try conn.query((selection + " " + rest).query)
        defer { result.clear() }
        return try result.rows.map(Self.init(row:))
    }

    /// The first row of ``selection`` followed by `rest`, or nil when there is none.
    public static func fetchOne(_ conn: Connection, _ rest: SQL = .empty) throws -> Self? {
        let result = try conn.query((selection + " " + rest).query)
        defer { result.clear() }
        return try result.rows.first.map(Self.init(row:))
    }
}
