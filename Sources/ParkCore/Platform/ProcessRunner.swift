import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program (initdb, pg_ctl; parkctl itself in tests) and collects what it printed.
///
/// posix_spawn and waitpid rather than Foundation's `Process`: pg_ctl leaves a
/// server running behind it, and that server must inherit none of our
/// descriptors, or `Process` never sees the end of its child. Output goes to
/// unlinked temporary files, read back once the child has ended.
public enum ProcessRunner {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, for error messages.
        public var output: String { stdout + stderr }
    }

    /// Runs `executable` with `arguments`, optionally as another system user (through
    /// runuser, for root), with `environment` (default: ours) and `input` on stdin.
    /// With a `timeout` (seconds), a child still running then is stopped (SIGTERM, then
    /// SIGKILL two seconds later) and the run throws, naming the command: a test that
    /// would hang fails instead.
    public static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil,
                           environment: [String: String]? = nil, input: [UInt8] = [], timeout: Double? = nil) throws -> Output {
        var argv = [executable] + arguments
        if let user { argv = [try runuserPath(), "-u", user, "--"] + argv }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp = env.map { "\($0.key)=\($0.value)" }

        let stdinFile = try TemporaryFile()
        let stdoutFile = try TemporaryFile()
        let stderrFile = try TemporaryFile()
        try stdinFile.write(input)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFile.fd, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutFile.fd, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrFile.fd, 2)

        var pid = pid_t()
        let spawned = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, envPointers)
            }
        }
        guard spawned == 0 else {
            throw ParkError.unavailable("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        if let timeout {
            guard try wait(pid, &status, seconds: timeout) else {
                kill(pid, SIGTERM)
                if try !wait(pid, &status, seconds: 2) {
                    kill(pid, SIGKILL)
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                }
                throw ParkError.unavailable("\(argv.joined(separator: " ")) did not finish in \(timeout) s and was stopped; "
                                            + "it printed: \(stdoutFile.readAll())\(stderrFile.readAll())")
            }
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exitCode, stdout: stdoutFile.readAll(), stderr: stderrFile.readAll())
    }

    /// Waits up to `seconds` for the child to end (polling, as waitpid has no timeout);
    /// false if it is still running.
    private static func wait(_ pid: pid_t, _ status: inout Int32, seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let ended = waitpid(pid, &status, WNOHANG)
            if ended == pid { return true }
            if ended < 0 && errno != EINTR {
                throw ParkError(.internalError, "waiting for process \(pid): \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline { return false }
            usleep(10_000)
        }
    }

    /// The environment of initdb and pg_ctl, and so of the server: a minimal one, not
    /// ours. The server outlives the command, and as root it runs as the postgres user,
    /// who could read our environment (PGPASSWORD, cloud credentials) in
    /// /proc/<pid>/environ; nor may PGDATA, PGHOST or PGOPTIONS point it elsewhere.
    static var serverEnvironment: [String: String] {
        ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"]
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies + [nil])
    }

    static func runuserPath() throws -> String {
        for path in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw ParkError.unavailable("running as root needs runuser (util-linux) to start PostgreSQL as the postgres user")
    }
}

/// An unlinked temporary file, closed on deinit; close-on-exec, so that only the
/// copies made with dup2 reach a child.
private final class TemporaryFile {
    let fd: Int32

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/parkctl-run-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw ParkError.unavailable("cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ParkError.unavailable("cannot write a temporary file") }
            offset += n
        }
        lseek(fd, 0, SEEK_SET)
    }

    func readAll() -> String {
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
