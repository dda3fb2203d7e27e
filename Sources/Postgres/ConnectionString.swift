import CLibPQ

/// Helpers for libpq connection strings (keyword form or `postgresql://` URL).
public enum ConnectionString {
    /// Parses a conninfo string or URL into its keywords, as libpq reads it.
    /// Throws with libpq's message when the string is malformed.
    public static func parse(_ conninfo: String) throws -> [(keyword: String, value: String)] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { Connection.trimmed($0) } ?? "malformed connection string"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(kind: .connectionFailed, message: message)
        }
        defer { PQconninfoFree(options) }
        return pairs(options)
    }

    /// The keywords that have a value in a libpq option array, in its order.
    static func pairs(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [(keyword: String, value: String)] {
        var pairs: [(String, String)] = []
        var p = options
        while let keyword = p.pointee.keyword {
            if let value = p.pointee.val { pairs.append((String(cString: keyword), String(cString: value))) }
            p += 1
        }
        return pairs
    }

    /// The options a libpq connection was made with, secrets left out.
    static func options(of conn: OpaquePointer) -> [String: String] {
        guard let info = PQconninfo(conn) else { return [:] }
        defer { PQconninfoFree(info) }
        return Dictionary(pairs(info).filter { !isSecret($0.keyword) }, uniquingKeysWith: { $1 })
    }

    /// The same connection with some keywords replaced (and those in `removing`
    /// left out), in keyword form.
    public static func replacing(_ replacements: [String: String], removing: Set<String> = [],
                                 in conninfo: String) throws -> String {
        var pairs = try parse(conninfo).filter { replacements[$0.keyword] == nil && !removing.contains($0.keyword) }
        for (k, v) in replacements.sorted(by: { $0.key < $1.key }) { pairs.append((k, v)) }
        return pairs.map { "\($0.keyword)=\(quote($0.value))" }.joined(separator: " ")
    }

    /// Quotes a value for the keyword form: `'it''s'` style is not libpq's; it wants `\'`.
    public static func quote(_ value: String) -> String {
        var out = "'"
        for ch in value {
            if ch == "'" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "'"
    }

    /// The connection in keyword form with every secret replaced by `***`, for
    /// messages and logs. It is rebuilt from what libpq itself parses (so `password = x`,
    /// `pass%77ord=x` in a URL or `password=SEC\ RET` cannot slip through a text
    /// search); a string libpq cannot read shows as such, never as itself.
    public static func redacted(_ conninfo: String) -> String {
        guard let pairs = try? parse(conninfo) else { return "(a connection string libpq cannot read)" }
        return pairs.map { pair in
            let value = isSecret(pair.keyword) ? "***" : pair.value
            let plain = !value.isEmpty && value.allSatisfy { !$0.isWhitespace && $0 != "'" && $0 != "\\" }
            return "\(pair.keyword)=\(plain ? value : quote(value))"
        }.joined(separator: " ")
    }

    /// How a connection would travel: the TCP hosts it names (none for a Unix socket)
    /// and its `sslmode`, as libpq resolves them (``resolved(_:)``).
    public static func transport(_ conninfo: String) throws -> (tcpHosts: [String], sslMode: String) {
        transport(try resolved(conninfo))
    }

    /// The options libpq would connect with: the string, then a service file, the
    /// PG* variables and the defaults. libpq resolves them when a connection starts, so
    /// one is started without waiting (nothing is sent but, for TCP, the opening
    /// packet) and dropped at once; secrets are left out.
    public static func resolved(_ conninfo: String) throws -> [String: String] {
        _ = try parse(conninfo)   // a malformed string is reported as such
        let conn = withCStringArray(["dbname"]) { k in withCStringArray([conninfo]) { v in PQconnectStartParams(k, v, 1) } }
        guard let conn else { throw PostgresError(kind: .connectionFailed, message: "libpq could not allocate a connection") }
        defer { PQfinish(conn) }
        return options(of: conn)
    }

    /// The same, from resolved options (``Connection/options``).
    public static func transport(_ options: [String: String]) -> (tcpHosts: [String], sslMode: String) {
        let hosts = (options["hostaddr"].flatMap { $0.isEmpty ? nil : $0 } ?? options["host"] ?? "")
            .split(separator: ",").map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("/") && !$0.hasPrefix("@") }
        return (hosts, options["sslmode"].flatMap { $0.isEmpty ? nil : $0 } ?? "prefer")
    }

    /// Keywords whose value is a secret: `password`, `sslpassword`.
    static func isSecret(_ keyword: String) -> Bool { keyword.hasSuffix("password") }
}
