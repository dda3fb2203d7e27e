import Postgres

extension Connection {
    /// One digest per table of the public schema (rows sorted by their text form),
    /// to show that a refused command changed nothing at all.
    public func tableChecksums() throws -> [String: String] {
        let tables: [String] = try query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1
            """).rows.map { try $0.decode(0) }
        var sums: [String: String] = [:]
        for table in tables {
            // Table names come from the catalog, quoted by the server, never from input.
            let quoted: String = try query("SELECT quote_ident(\(table))").rows[0].decode(0)
            sums[table] = try query(PostgresQuery(unsafeSQL: """
                SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM \(quoted) x
                """)).rows[0].decode(0)
        }
        return sums
    }
}
