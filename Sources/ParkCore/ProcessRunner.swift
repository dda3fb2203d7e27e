import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a helper program (initdb, pg_ctl) and collects what it printed.
///
/// posix_spawn and waitpid rather than Foundation's `Process`: pg_ctl leaves a
/// server running behind it, and that server must inherit none of our
/// descriptors, or `Process` never sees the end of its child.
enum ProcessRunner {
    struct Output {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments`, optionally as another system user
    /// (through runuser, for root), and waits for it.
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil) throws -> Output {
        var argv = [executable] + arguments
        if let user { argv = [try runuserPath(), "-u", user, "--"] + argv }

        // The server inherits nothing that could point it elsewhere.
        var env = ProcessInfo.processInfo.environment
        for key in ["PGDATA", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS"] { env[key] = nil }
        env["LC_ALL"] = "C.UTF-8"
        let envp = env.map { "\($0.key)=\($0.value)" }

        // Output goes to an unlinked temporary file, read back once the child ends.
        var template = Array((NSTemporaryDirectory() + "/parkctl-run-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw ParkError.unavailable("cannot create a temporary file: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        defer { close(fd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)

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
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)

        lseek(fd, 0, SEEK_SET)
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return Output(status: exitCode, output: String(decoding: data, as: UTF8.self))
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
