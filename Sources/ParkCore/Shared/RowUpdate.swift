import Postgres

/// Corrects one recorded row: sets the columns given where they differ from what is
/// recorded, in one statement, and says which changed (`park|building|unit set`,
/// `tenant update`). A value equal to the recorded one writes nothing, so the audit
/// trail stays quiet about it.
///
/// ```swift
/// let changed = try RowUpdate.assign([.init("list_rent", "numeric", Decimal(42))], table: "unit", id: 7, conn)
/// // ["list_rent"], or [] when it was 42 already
/// ```
enum RowUpdate {
    /// One column to set: its name and SQL type (constants in the
    /// caller's code, never input) and the value (nil sets NULL).
    struct Assignment {
        let column: String
        let type: String
        let value: PostgresBind
        init<T: PostgresEncodable>(_ column: String, _ type: String, _ value: T) {
            self.column = column; self.type = type; self.value = PostgresBind(value)
        }
    }

    /// Sets `columns` of row `id` of `table` where they differ, and returns the names of
    /// those that changed (none: nothing is written, and the audit trail stays quiet).
    static func assign(_ columns: [Assignment], table: String, id: Int, _ conn: Connection) throws -> [String] {
        guard !columns.isEmpty else { return [] }
        let values: [SQL] = columns.map { "\(bind: $0.value)::\(SQL(verbatim: $0.type))" }
        let changed = zip(columns, values).map { c, v -> SQL in "(\(c.column), t.\(identifier: c.column) IS DISTINCT FROM \(v))" }
        let sets = zip(columns, values).map { c, v -> SQL in "\(identifier: c.column) = \(v)" }
        let differs = zip(columns, values).map { c, v -> SQL in "t.\(identifier: c.column) IS DISTINCT FROM \(v)" }
        return try conn.query("""
            WITH old AS (SELECT ARRAY(SELECT c FROM (VALUES \(changed.joined(separator: ", "))) v(c, d) WHERE d) AS changed
                         FROM \(identifier: table) t WHERE t.id = \(id) FOR UPDATE),
                 upd AS (UPDATE \(identifier: table) t SET \(sets.joined(separator: ", ")) WHERE t.id = \(id)
                         AND (\(differs.joined(separator: " OR "))) RETURNING t.id)
            SELECT changed FROM old
            """).rows.first?.decode(0) ?? []
    }

    /// Whether any of `columns` differs from row `id` of `table`.
    static func differs(_ columns: [Assignment], table: String, id: Int, _ conn: Connection) throws -> Bool {
        guard !columns.isEmpty else { return false }
        let tests = columns.map { c -> SQL in "t.\(identifier: c.column) IS DISTINCT FROM \(bind: c.value)::\(SQL(verbatim: c.type))" }
        return try conn.query("SELECT \(tests.joined(separator: " OR ")) FROM \(identifier: table) t WHERE t.id = \(id)").rows[0].decode(0)
    }
}
