import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process that poses as a PostgreSQL server on 127.0.0.1 (a random port), to see
/// what a client sends to whoever answers: it refuses TLS and GSS encryption ('N'),
/// reads the startup message, asks for the password in clear
/// (AuthenticationCleartextPassword), records what comes back, and ends with an
/// ErrorResponse (28P01). It serves connections one at a time on a background thread
/// until ``stop()``.
///
/// ```swift
/// let fake = try FakePostgresServer()
/// defer { fake.stop() }
/// _ = try Parkctl.run(["park", "list", "--database-url", "postgresql://x@127.0.0.1:\(fake.port)/parkctl?sslmode=disable"])
/// fake.passwords   // what the client sent
/// ```
public final class FakePostgresServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stopping = false
    private var _passwords: [String] = []
    private var _startups: [[String: String]] = []
    private var _encryptionRequests = 0
    private let finished = DispatchSemaphore(value: 0)

    /// The passwords clients sent (PasswordMessage), in order.
    public var passwords: [String] { lock.withLock { _passwords } }
    /// The parameters of each startup message (user, database, ...).
    public var startups: [[String: String]] { lock.withLock { _startups } }
    /// How many SSLRequest / GSSENCRequest packets were answered 'N'.
    public var encryptionRequests: Int { lock.withLock { _encryptionRequests } }

    public init() throws {
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw SpawnError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SpawnError("bind/listen on 127.0.0.1: \(message)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.start()
    }

    deinit { stop() }

    /// Stops serving (waits for the connection in progress) and closes the socket.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        finished.wait()
        close(listener)
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func serve() {
        while !isStopping {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Startup: SSLRequest / GSSENCRequest (answered 'N') until the StartupMessage.
        while true {
            guard let header = readExactly(fd, 4) else { return }
            let length = Int(Self.int32(header, at: 0))
            guard (8...10_000).contains(length), let body = readExactly(fd, length - 4) else { return }
            let code = Self.int32(body, at: 0)
            if code == 80_877_103 || code == 80_877_104 {
                lock.withLock { _encryptionRequests += 1 }
                guard writeAll(fd, [UInt8(ascii: "N")]) else { return }
                continue
            }
            guard code == 196_608 else { return }   // protocol 3.0
            let strings = body[4...].split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            var parameters: [String: String] = [:]
            var i = 0
            while i + 1 < strings.count, !strings[i].isEmpty {
                parameters[strings[i]] = strings[i + 1]
                i += 2
            }
            lock.withLock { _startups.append(parameters) }
            break
        }
        // AuthenticationCleartextPassword.
        guard writeAll(fd, [UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0, 0, 3]) else { return }
        guard let type = readExactly(fd, 1), type[0] == UInt8(ascii: "p"), let header = readExactly(fd, 4) else { return }
        let length = Int(Self.int32(header, at: 0))
        guard (5...100_000).contains(length), let body = readExactly(fd, length - 4) else { return }
        let password = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
        lock.withLock { _passwords.append(password) }
        // ErrorResponse: FATAL 28P01.
        var fields: [UInt8] = []
        for (code, value) in [("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"), ("M", "password authentication failed (fake server)")] {
            fields.append(UInt8(ascii: Unicode.Scalar(code)!))
            fields += Array(value.utf8) + [0]
        }
        fields.append(0)
        let total = UInt32(fields.count + 4)
        _ = writeAll(fd, [UInt8(ascii: "E")] + Self.bytes(total) + fields)
    }

    private static func int32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            offset += n
        }
        return buffer
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}
