import Postgres
import TestSupport

/// Sends `value` as a parameter cast to `sqlType` and decodes what comes back.
func roundTrip<T: PostgresCodable>(_ value: T, _ sqlType: String, on conn: Connection) throws -> T {
    // The type name is a constant of the test, never input.
    let query = PostgresQuery(unsafeSQL: "SELECT $1::" + sqlType + " AS v", binds: [PostgresBind(value)])
    return try conn.query(query).rows[0].decode("v", as: T.self)
}
