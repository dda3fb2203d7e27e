import Foundation

/// Runs `body` on `count` threads at once (real threads, not a pool limited to the
/// number of cores) and returns each outcome in order.
public func runConcurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let results = ResultBox<T>(count: count)
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            let outcome = Result { try body(i) }
            results.set(i, outcome)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    return results.all
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<T, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, Error>) { lock.withLock { values[i] = value } }
    var all: [Result<T, Error>] { lock.withLock { values.map { $0! } } }
}

/// A one-shot signal between threads.
public final class Signal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    public init() {}
    public func fire() { semaphore.signal() }
    public func wait(seconds: Double = 30) -> Bool { semaphore.wait(timeout: .now() + seconds) == .success }
}
