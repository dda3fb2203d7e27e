#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// With `PARKCTL_TRACE=FILE` set, every parameterised statement is appended to FILE
/// as one JSON line: `{"sql": "...", "types": [25, 0], "params": ["...", null]}`
/// (type OIDs; 0 lets the server infer the type). For debugging and for
/// the benchmarks, which replay a report's exact statement through psql. The file
/// holds parameter values, so it may hold data: it is created with mode 0600.
enum QueryTrace {
    nonisolated(unsafe) private static var file: UnsafeMutablePointer<FILE>? = {
        guard let path = getenv("PARKCTL_TRACE"), path.pointee != 0 else { return nil }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        return fdopen(fd, "a")
    }()

    static var isOn: Bool { file != nil }

    static func record(_ query: PostgresQuery) {
        guard let file else { return }
        var line = "{\"sql\": " + json(query.sql) + ", \"types\": ["
        line += query.binds.map { String($0.type.rawValue) }.joined(separator: ", ")
        line += "], \"params\": ["
        line += query.binds.map { $0.text.map(json) ?? "null" }.joined(separator: ", ")
        line += "]}\n"
        fputs(line, file)
        fflush(file)
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
