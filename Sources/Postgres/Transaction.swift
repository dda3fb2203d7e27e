#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The isolation level of a transaction.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// A serialization failure (40001) or a deadlock (40P01), whether raised by a
    /// statement or by COMMIT, rolls back and runs `body` again, at most
    /// `maxRetries` more times, so `body` must be safe to repeat (no side effects
    /// outside the database).
    ///
    /// ```swift
    /// let id = try conn.transaction(isolation: .serializable) { conn in
    ///     try conn.query("INSERT INTO park (code) VALUES (\(code)) RETURNING id")
    ///         .rows[0].decode(0, as: Int.self)
    /// }
    /// ```
    ///
    /// `setUp` statements (such as `SELECT set_config(...)` for the transaction) are
    /// sent in the same round trip as BEGIN, through the pipeline.
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        maxRetries: Int = 3,
        setUp: [PostgresQuery] = [],
        _ body: (Connection) throws -> T
    ) throws -> T {
        guard !isInTransaction else {
            throw PostgresError(kind: .client, message: "a transaction is already open on this connection")
        }
        var attempt = 0
        while true {
            let begin = PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL " + isolation.rawValue + (readOnly ? " READ ONLY" : ""))
            if setUp.isEmpty {
                try simpleQuery(begin.sql)
            } else {
                let outcomes = try pipeline([begin] + setUp)
                if let failure = outcomes.lazy.compactMap({ outcome -> PostgresError? in
                    if case .failure(let e) = outcome { return e }
                    return nil
                }).first {
                    if isOpen && isInTransaction { try? simpleQuery("ROLLBACK") }
                    throw failure
                }
                for case .success(let result) in outcomes { result.clear() }
            }
            do {
                let value = try body(self)
                try simpleQuery("COMMIT")
                return value
            } catch {
                if isOpen && isInTransaction { try? simpleQuery("ROLLBACK") }
                if let pg = error as? PostgresError, pg.isRetryable, attempt < maxRetries {
                    attempt += 1
                    // Back off a little, with jitter, so that the contenders spread out.
                    usleep(UInt32.random(in: 1_000...(5_000 * UInt32(attempt))))
                    continue
                }
                throw error
            }
        }
    }
}

extension Connection {
    /// Runs `body` in a savepoint of the open transaction: released when it returns,
    /// rolled back to when it throws, so that the transaction goes on as it was
    /// before `body` (a failed statement inside no longer aborts the whole of it).
    /// Savepoints nest; their names are the layer's own.
    ///
    /// ```swift
    /// try conn.transaction { conn in
    ///     do {
    ///         try conn.inSavepoint { try $0.execute("INSERT INTO park (code) VALUES (\(code))") }
    ///     } catch let error as PostgresError where error.isUniqueViolation {
    ///         // the transaction is still usable here
    ///     }
    /// }
    /// ```
    public func inSavepoint<T>(_ body: (Connection) throws -> T) throws -> T {
        guard isInTransaction else {
            throw PostgresError(kind: .client, message: "a savepoint needs an open transaction")
        }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "parkctl_savepoint_\(savepointDepth)"
        try simpleQuery("SAVEPOINT " + name)
        do {
            let value = try body(self)
            try simpleQuery("RELEASE SAVEPOINT " + name)
            return value
        } catch {
            if isOpen && isInTransaction { try? simpleQuery("ROLLBACK TO SAVEPOINT " + name) }
            throw error
        }
    }
}
