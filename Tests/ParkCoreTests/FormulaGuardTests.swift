import ParkCore
import Postgres
import Testing
import TestSupport

/// The formula guard is written twice, in Swift (`--format csv`) and in SQL (the COPY
/// export, `parkctl_csv_text`): both give the same answer for every kind of start.
@Suite struct FormulaGuardTests {
    static let samples = ["=1+1", "+86 734 8100109", "-减号公司", "@SUM(1)|cmd", "\tx", "\rx", "'abc", "''abc", "'=x", "'",
                          "''", "abc", "博思软件", "12.50", "-12.50", "", "=", "a=b"]

    @Test func swiftAndSQLProtectTheSameCells() throws {
        let db = try TestDatabase()
        let fromSQL = try db.connection.query("""
            SELECT parkctl_formula_guard(s), parkctl_csv_text(s) FROM unnest(\(Self.samples)::text[]) WITH ORDINALITY AS x(s, n) ORDER BY n
            """).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }
        #expect(fromSQL.map(\.0) == Self.samples.map(FormulaGuard.protect))
        // A whole cell: control characters but line breaks and tabs escaped, then guarded
        // (what `--format csv` writes for text).
        #expect(fromSQL.map(\.1) == Self.samples.map { FormulaGuard.protect(Validate.escapingControlCharacters($0, keeping: ["\n", "\t"])) })
        // What the guard writes, import reads back as it was (the `'` dropped).
        #expect(FormulaGuard.protect("=1+1") == "'=1+1" && FormulaGuard.protect("'=x") == "''=x" && FormulaGuard.protect("'abc") == "'abc")
    }
}
