import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Connection {
    /// Sends a batch of statements in one round trip (libpq pipeline mode) and
    /// returns one outcome per statement, in order.
    ///
    /// The batch is one implicit transaction (as a multi-statement simple query
    /// is): after the first failing statement the rest are skipped
    /// (`PGRES_PIPELINE_ABORTED`, reported as an error) and nothing of the batch
    /// is committed, unless the caller opened a transaction of its own.
    ///
    /// ```swift
    /// let outcomes = try conn.pipeline([
    ///     "INSERT INTO t VALUES (\(1))",
    ///     "INSERT INTO t VALUES (\(2))",
    /// ])
    /// ```
    public func pipeline(_ queries: [PostgresQuery]) throws -> [Result<PostgresResult, PostgresError>] {
        let h = try liveHandle()
        guard PQenterPipelineMode(h) == 1 else { throw makeError(nil, sql: nil) }
        defer {
            while PQexitPipelineMode(h) == 0, PQstatus(h) == CONNECTION_OK {
                guard let stray = PQgetResult(h) else { continue }
                PQclear(stray)
            }
        }
        // Non-blocking while sending, so that a large batch whose results fill the
        // socket cannot deadlock the two sides: we read whenever the server writes.
        PQsetnonblocking(h, 1)
        for query in queries {
            if QueryTrace.isOn { QueryTrace.record(query) }
            let sent = try withParameters(query) { n, types, values in
                PQsendQueryParams(h, query.sql, n, types, values, nil, nil, 0)
            }
            guard sent == 1 else { PQsetnonblocking(h, 0); throw makeError(nil, sql: query.sql) }
            try flushWhileReading(h)
        }
        guard PQpipelineSync(h) == 1 else { PQsetnonblocking(h, 0); throw makeError(nil, sql: nil) }
        try flushWhileReading(h)
        PQsetnonblocking(h, 0)

        var outcomes: [Result<PostgresResult, PostgresError>] = []
        outcomes.reserveCapacity(queries.count)
        for query in queries {
            var outcome: Result<PostgresResult, PostgresError>?
            // Each statement's results end with a NULL.
            while let raw = PQgetResult(h) {
                let status = PQresultStatus(raw)
                if outcome != nil { PQclear(raw); continue }
                if status == PGRES_PIPELINE_ABORTED {
                    PQclear(raw)
                    outcome = .failure(PostgresError(kind: .server, message: "skipped: an earlier statement of the pipeline failed",
                                                     sqlState: SQLState("25P02"), sql: query.sql))
                } else if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
                    outcome = .success(PostgresResult(raw, sql: query.sql))
                } else {
                    outcome = .failure(makeError(raw, sql: query.sql))
                    PQclear(raw)
                }
            }
            guard let outcome else {
                throw PostgresError(kind: .connectionLost, message: PQstatus(h) == CONNECTION_OK
                                    ? "the pipeline returned no result for a statement" : Connection.trimmed(PQerrorMessage(h)),
                                    sql: query.sql)
            }
            outcomes.append(outcome)
        }
        guard let sync = PQgetResult(h) else { throw makeError(nil, sql: nil) }
        let syncStatus = PQresultStatus(sync)
        PQclear(sync)
        guard syncStatus == PGRES_PIPELINE_SYNC else {
            throw PostgresError(kind: .client, message: "expected the end of the pipeline, got status \(syncStatus.rawValue)")
        }
        return outcomes
    }

    private func flushWhileReading(_ h: OpaquePointer) throws {
        while true {
            let r = PQflush(h)
            if r == 0 { return }
            if r < 0 { throw makeError(nil, sql: nil) }
            var fds = pollfd(fd: PQsocket(h), events: Int16(POLLIN | POLLOUT), revents: 0)
            _ = poll(&fds, 1, -1)
            if fds.revents & Int16(POLLIN) != 0, PQconsumeInput(h) == 0 {
                throw makeError(nil, sql: nil)
            }
        }
    }
}
