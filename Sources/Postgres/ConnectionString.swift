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
        var pairs: [(String, String)] = []
        var p = options
        while let keyword = p.pointee.keyword {
            if let value = p.pointee.val {
                pairs.append((String(cString: keyword), String(cString: value)))
            }
            p += 1
        }
        return pairs
    }

    /// The same connection with some keywords replaced, in keyword form.
    public static func replacing(_ replacements: [String: String], in conninfo: String) throws -> String {
        var pairs = try parse(conninfo).filter { replacements[$0.keyword] == nil }
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

    /// The string with any password replaced by `***`, for messages and logs.
    public static func redacted(_ conninfo: String) -> String {
        var s = conninfo
        // URL form: scheme://user:password@host
        if let schemeEnd = s.range(of: "://") {
            let rest = s[schemeEnd.upperBound...]
            if let at = rest.firstIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                s.replaceSubrange(s.index(after: colon)..<at, with: "***")
            }
        }
        // password=... as a keyword or as a URL query parameter.
        var result = ""
        var i = s.startIndex
        while let r = s.range(of: "password=", options: [], range: i..<s.endIndex) {
            result += s[i..<r.upperBound] + "***"
            var j = r.upperBound
            if j < s.endIndex, s[j] == "'" {
                j = s.index(after: j)
                while j < s.endIndex, s[j] != "'" {
                    if s[j] == "\\" { j = s.index(after: j); if j == s.endIndex { break } }
                    j = s.index(after: j)
                }
                if j < s.endIndex { j = s.index(after: j) }
            } else {
                while j < s.endIndex, s[j] != " ", s[j] != "&" { j = s.index(after: j) }
            }
            i = j
        }
        result += s[i...]
        return result
    }
}
