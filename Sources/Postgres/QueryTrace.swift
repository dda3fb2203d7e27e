#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// With `PARKCTL_TRACE=FILE` set, every statement the connection sends (queries,
/// prepared and streamed ones, the simple protocol's BEGIN/COMMIT/SAVEPOINT, each
/// statement of a pipeline, COPY) is appended to FILE
/// as one JSON line: `{"sql": "...", "types": [25, 0], "params": ["...", null]}`
/// (type OIDs; 0 lets the server infer the type). For debugging and for
/// the benchmarks, which replay a report's exact statement through psql. The file
/// holds parameter values, so it may hold data: it is created with mode 0600, never
/// through a symbolic link, and an existing file is used only if it is the user's own
/// and closed to others (else nothing is traced, and stderr says why). A password
/// verifier (`SCRAM-SHA-256$…`) is written as `SCRAM-SHA-256$***`.
enum QueryTrace {
    nonisolated(unsafe) private static var file: UnsafeMutablePointer<FILE>? = {
        guard let path = getenv("PARKCTL_TRACE"), path.pointee != 0 else { return nil }
        let name = String(cString: path)
        // O_NONBLOCK: a FIFO planted at the path fails at once instead of hanging parkctl.
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            refuse(name, "cannot open it (\(String(cString: strerror(errno)))\(errno == ELOOP ? ": a symbolic link" : ""))")
            return nil
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            close(fd)
            refuse(name, "it must be a plain file of your own, closed to others (mode 600), not mode \(mode) of uid \(info.st_uid)")
            return nil
        }
        return fdopen(fd, "a")
    }()

    private static func refuse(_ path: String, _ why: String) {
        let message = Array("parkctl: PARKCTL_TRACE=\(path) is not used: \(why)\n".utf8)
        _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static var isOn: Bool { file != nil }

    static func record(_ query: PostgresQuery) {
        guard let file else { return }
        var line = "{\"sql\": " + json(query.sql) + ", \"types\": ["
        line += query.binds.map { String($0.type.rawValue) }.joined(separator: ", ")
        line += "], \"params\": ["
        line += query.binds.map { $0.text.map { json(masked($0)) } ?? "null" }.joined(separator: ", ")
        line += "]}\n"
        fputs(line, file)
        fflush(file)
    }

    /// A password verifier keeps its kind only.
    static func masked(_ value: String) -> String {
        value.hasPrefix("SCRAM-SHA-256$") ? "SCRAM-SHA-256$***" : value
    }

    private static func json(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
