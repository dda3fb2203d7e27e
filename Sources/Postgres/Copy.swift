import CLibPQ

/// Sends COPY data to the server; handed to the body of ``Connection/copyIn(_:_:)``.
public struct CopyInWriter {
    let handle: OpaquePointer
    let connection: Connection
    let sql: String

    /// Sends bytes of COPY data (any chunking; rows may span calls).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let ok = PQputCopyData(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard ok == 1 else { throw connection.makeError(nil, sql: sql) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

extension Connection {
    /// Runs `COPY ... FROM STDIN` and streams the data that `body` writes.
    /// Returns the number of rows copied. If `body` throws, the COPY is aborted
    /// (nothing is loaded) and the error rethrown.
    ///
    /// ```swift
    /// let rows = try conn.copyIn("COPY unit_import FROM STDIN (FORMAT csv)") { writer in
    ///     try writer.write("SW,B1,0301,256.50\n")
    /// }
    /// ```
    @discardableResult
    public func copyIn(_ sql: String, _ body: (CopyInWriter) throws -> Void) throws -> Int {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(PostgresQuery(unsafeSQL: sql)) }
        try check(PQexec(h, sql), sql: sql, accepting: [PGRES_COPY_IN]).clear()
        let writer = CopyInWriter(handle: h, connection: self, sql: sql)
        do {
            try body(writer)
        } catch {
            _ = PQputCopyEnd(h, "aborted by the client")
            while let raw = PQgetResult(h) { PQclear(raw) }
            throw error
        }
        guard PQputCopyEnd(h, nil) == 1 else { throw makeError(nil, sql: sql) }
        let result = try check(PQgetResult(h), sql: sql)
        defer { result.clear() }
        while let more = PQgetResult(h) { PQclear(more) }
        return result.affectedRows
    }

    /// Runs `COPY ... TO STDOUT` and hands each chunk (one row in text and CSV
    /// formats) to `body` as it arrives, so memory stays bounded whatever the size.
    /// Returns the number of rows copied.
    @discardableResult
    public func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let h = try liveHandle()
        if QueryTrace.isOn { QueryTrace.record(PostgresQuery(unsafeSQL: sql)) }
        try check(PQexec(h, sql), sql: sql, accepting: [PGRES_COPY_OUT]).clear()
        var failure: Error?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(h, &buffer, 0)
            if n > 0, let buffer {
                defer { PQfreemem(buffer) }
                if failure == nil {
                    do { try body(UnsafeRawBufferPointer(start: buffer, count: Int(n))) } catch {
                        failure = error
                        cancel()
                    }
                }
            } else if n == -1 {
                break
            } else {
                if let buffer { PQfreemem(buffer) }
                throw makeError(nil, sql: sql)
            }
        }
        let result: PostgresResult
        do {
            result = try check(PQgetResult(h), sql: sql)
        } catch {
            throw failure ?? error
        }
        defer { result.clear() }
        while let more = PQgetResult(h) { PQclear(more) }
        if let failure { throw failure }
        return result.affectedRows
    }
}
