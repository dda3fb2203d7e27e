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
        var query = PostgresQuery(unsafeSQL: "")
        let idBind = query.bind(id)
        let values = columns.map { column -> String in
            query.binds.append(column.value)
            return "$\(query.binds.count)::\(column.type)"
        }
        let changed = zip(columns, values).map { "('\($0.column)', t.\($0.column) IS DISTINCT FROM \($1))" }.joined(separator: ", ")
        let sets = zip(columns, values).map { "\($0.column) = \($1)" }.joined(separator: ", ")
        let differs = zip(columns, values).map { "t.\($0.column) IS DISTINCT FROM \($1)" }.joined(separator: " OR ")
        query.sql = """
            WITH old AS (SELECT ARRAY(SELECT c FROM (VALUES \(changed)) v(c, d) WHERE d) AS changed
                         FROM \(table) t WHERE t.id = \(idBind) FOR UPDATE),
                 upd AS (UPDATE \(table) t SET \(sets) WHERE t.id = \(idBind) AND (\(differs)) RETURNING t.id)
            SELECT changed FROM old
            """
        return try conn.query(query).rows.first?.decode(0) ?? []
    }

    /// Whether any of `columns` differs from row `id` of `table`.
    static func differs(_ columns: [Assignment], table: String, id: Int, _ conn: Connection) throws -> Bool {
        guard !columns.isEmpty else { return false }
        var query = PostgresQuery(unsafeSQL: "")
        let idBind = query.bind(id)
        let tests = columns.map { column -> String in
            query.binds.append(column.value)
            return "t.\(column.column) IS DISTINCT FROM $\(query.binds.count)::\(column.type)"
        }
        query.sql = "SELECT \(tests.joined(separator: " OR ")) FROM \(table) t WHERE t.id = \(idBind)"
        return try conn.query(query).rows[0].decode(0)
    }
}
