import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose standard input the test writes bit by bit (a pipe), and
/// which the test can wait for with a time limit or kill: for stopping a server in
/// the middle of a command.
///
/// Spawned like ``ProcessRunner`` (posix_spawn, output to unlinked temporary files),
/// and every descriptor made here is close-on-exec, so that no other child (a
/// postmaster started meanwhile by a test running in parallel) keeps the write end
/// of the pipe open, which would keep the child from ever seeing the end of its input.
public final class SpawnedProcess: @unchecked Sendable {
    public struct Finished: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private var finished: Finished?

    /// Starts `executable` with `arguments` and exactly `environment`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        // A write to a pipe whose reader has gone must fail with EPIPE, not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [-1, -1]
        guard Self.pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError("pipe2: \(String(cString: strerror(errno)))") }
        let out = try Self.temporaryFile()
        let err = try Self.temporaryFile()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, err, 2)

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid = pid_t()
        let argvCopies = argv.map { strdup($0) } + [nil]
        let envCopies = envp.map { strdup($0) } + [nil]
        defer {
            argvCopies.forEach { free($0) }
            envCopies.forEach { free($0) }
        }
        let spawned = posix_spawn(&pid, executable, &actions, nil, argvCopies, envCopies)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1]); close(out); close(err)
            throw SpawnError("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        stdinFD = fds[1]
        stdoutFD = out
        stderrFD = err
    }

    /// Runs the built `parkctl` with `arguments`, in the environment ``Parkctl/run``
    /// gives it (no PARKCTL_DATABASE_URL unless in `extra`, NO_COLOR).
    public static func parkctl(_ arguments: [String], environment extra: [String: String] = [:]) throws -> SpawnedProcess {
        var env = ProcessInfo.processInfo.environment
        env["PARKCTL_DATABASE_URL"] = nil
        env["NO_COLOR"] = "1"
        for (k, v) in extra { env[k] = v }
        return try SpawnedProcess(Parkctl.executable, arguments, environment: env)
    }

    deinit {
        kill()
        if stdinFD >= 0 { close(stdinFD) }
        close(stdoutFD)
        close(stderrFD)
    }

    /// Writes all of `bytes` to the child's standard input. False when the child no
    /// longer reads it (it ended, or closed it).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard stdinFD >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Closes the child's standard input: it reads the end of the file.
    public func closeInput() {
        lock.lock(); defer { lock.unlock() }
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
    }

    /// Whether the child is still running (not yet reaped).
    public var isRunning: Bool { poll() == nil }

    /// Waits up to `seconds` for the child to end; nil if it is still running then.
    public func wait(seconds: Double) -> Finished? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let done = poll() { return done }
            if Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    /// Kills the child (SIGKILL) if it still runs, and reaps it.
    public func kill() {
        guard poll() == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        _ = wait(seconds: 30)
    }

    /// Reaps the child if it has ended.
    private func poll() -> Finished? {
        lock.lock(); defer { lock.unlock() }
        if let finished { return finished }
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &status, WNOHANG) } while r < 0 && errno == EINTR
        guard r == pid else { return nil }
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        let done = Finished(status: exitCode, stdout: Self.readAll(stdoutFD), stderr: Self.readAll(stderrFD))
        finished = done
        return done
    }

    // pipe2 and mkostemp make their descriptors close-on-exec at once (no window in
    // which a child spawned by another thread inherits them); they are GNU
    // extensions that Swift's Glibc module does not declare, so they are looked up.
    private static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "pipe2") else { fatalError("pipe2 not found") }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()
    private static let mkostemp: @convention(c) (UnsafeMutablePointer<CChar>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil, "mkostemp") else { fatalError("mkostemp not found") }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<CChar>, Int32) -> Int32).self)
    }()

    private static func temporaryFile() throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/parkctl-spawn-XXXXXX").utf8CString)
        let fd = Self.mkostemp(&template, O_CLOEXEC)
        guard fd >= 0 else { throw SpawnError("mkostemp: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    private static func readAll(_ fd: Int32) -> String {
        lseek(fd, 0, SEEK_SET)
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
