import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct SessionTests {
    /// A write inside a write runs in a savepoint: its reason marks its own changes
    /// only, and the outer call's changes after it carry the outer reason (here none).
    @Test func aNestedWritesReasonStaysWithItsOwnChanges() throws {
        let (db, session) = try makeSession(actor: "corrector")
        try smallPortfolio(session)
        _ = try session.write { conn in
            _ = try session.write(reason: "面积测量更正") { conn in
                try conn.execute("UPDATE unit SET list_rent = 40 WHERE code = '0101'")
            }
            return try conn.execute("UPDATE unit SET list_rent = 41 WHERE code = '0201'")
        }
        let reasons = try db.connection.query("""
            SELECT label, coalesce(reason, '∅') FROM audit_log WHERE table_name = 'unit' AND action = 'update' ORDER BY id
            """).rows.map { "\(try $0.decode(0, as: String.self)): \(try $0.decode(1, as: String.self))" }
        #expect(reasons == ["0101: 面积测量更正", "0201: ∅"])
    }
}
