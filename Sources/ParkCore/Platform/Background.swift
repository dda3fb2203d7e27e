import Foundation

/// Work run on a thread of its own while the caller goes on; `value()` waits for it.
/// For a child process (pg_dump) that runs beside a query on the caller's connection.
final class Background<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ work: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try work() }
            done.signal()
        }
        thread.start()
    }

    /// The work's result, once it has finished (every call after the first returns at once).
    func value() throws -> T {
        if result == nil { done.wait(); done.signal() }
        return try result!.get()
    }
}
