/// One-dimensional arrays of text and integers (`text[]`, `int8[]`, `int4[]`),
/// in PostgreSQL's array literal syntax, elements quoted as needed.
public protocol PostgresArrayElement: PostgresCodable {
    static var postgresArrayType: PostgresType { get }
}

extension String: PostgresArrayElement { public static var postgresArrayType: PostgresType { .textArray } }
extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }

    public var postgresText: String? {
        var out = "{"
        for (i, element) in enumerated() {
            if i > 0 { out += "," }
            guard let text = element.postgresText else { out += "NULL"; continue }
            out += "\""
            for ch in text.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func decode(postgresText text: String, type: PostgresType) throws -> [Element] {
        let elementType: PostgresType = switch type {
        case .int8Array: .int8
        case .int4Array: .int4
        case .int2Array: .int2
        default: .text
        }
        return try PostgresArrayLiteral.parse(text).map { item in
            guard let item else { throw PostgresCodecFailure("the array holds NULL; decode [\(Element.self)?] instead") }
            return try Element.decode(postgresText: item, type: elementType)
        }
    }
}

enum PostgresArrayLiteral {
    /// Parses a one-dimensional array literal, e.g. `{a,"b c",NULL,"x\"y"}`.
    static func parse(_ text: String) throws -> [String?] {
        var scalars = Substring(text).unicodeScalars[...]
        // An explicit lower bound ("[0:1]={...}") is allowed and ignored.
        if scalars.first == "[", let eq = scalars.firstIndex(of: "=") {
            scalars = scalars[scalars.index(after: eq)...]
        }
        guard scalars.first == "{", scalars.last == "}" else {
            throw PostgresCodecFailure("'\(text)' is not an array literal")
        }
        scalars = scalars.dropFirst().dropLast()
        var items: [String?] = []
        if scalars.isEmpty { return items }
        var current = String.UnicodeScalarView()
        var quoted = false, wasQuoted = false, escaped = false
        for ch in scalars {
            if escaped { current.append(ch); escaped = false; continue }
            switch ch {
            case "\\": escaped = true
            case "\"": quoted.toggle(); wasQuoted = true
            case "{" where !quoted, "}" where !quoted:
                throw PostgresCodecFailure("multi-dimensional arrays are not supported")
            case "," where !quoted:
                let s = String(current)
                items.append(!wasQuoted && s == "NULL" ? nil : s)
                current = String.UnicodeScalarView()
                wasQuoted = false
            default: current.append(ch)
            }
        }
        let s = String(current)
        items.append(!wasQuoted && s == "NULL" ? nil : s)
        return items
    }
}
