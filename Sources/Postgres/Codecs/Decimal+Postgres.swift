import Foundation

/// NUMERIC <-> Decimal, exactly: a value that Decimal cannot hold without
/// rounding (more than 38 significant digits) is refused, never rounded.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .numeric }

    public var postgresText: String? {
        isNaN ? "NaN" : description
    }

    public static func decode(postgresText text: String, type: PostgresType) throws -> Decimal {
        if text == "NaN" { return .nan }
        guard type == .numeric || type.isInteger || type.isTextual else {
            throw PostgresCodecFailure("a \(type) is not decoded as Decimal (use numeric)")
        }
        if let value = small(text) { return value }
        guard isPlainNumber(text), let value = Decimal(string: text, locale: posix)
        else {
            throw PostgresCodecFailure("'\(text)' is not a finite number")
        }
        // Up to 38 significant digits Decimal is exact; only longer values need the check.
        if Self.significantDigits(text) > 38, Self.canonical(value.description) != Self.canonical(text) {
            throw PostgresCodecFailure("\(text) has more digits than Decimal holds exactly")
        }
        return value
    }

    /// A plain number of up to 18 significant digits (every amount and area parkctl
    /// stores), read without Foundation's parser, which took nine times as long: 20,000
    /// rows of a receivables report spent a fifth of the command's time there. The value
    /// is compacted like the parser's (no trailing zeros in the significand); a zero
    /// comes back with exponent 0 ("0.00" and "0" are the same Decimal either way).
    /// Nil for anything else, which the general path reads or refuses.
    static func small(_ text: String) -> Decimal? {
        var significand: UInt64 = 0
        var digits = 0, significant = 0, decimals = -1, negative = false
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if decimals >= 0 { decimals += 1 }
                if significand == 0 && c == UInt8(ascii: "0") { continue }
                significant += 1
                guard significant <= 18 else { return nil }
                significand = significand * 10 + UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "-") where i == 0: negative = true
            case UInt8(ascii: ".") where decimals < 0: decimals = 0
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        if significand == 0 { return .zero }
        var exponent = -max(decimals, 0)
        while significand % 10 == 0 { significand /= 10; exponent += 1 }
        // Beyond Decimal's exponents the general path refuses, rather than round to 0.
        guard exponent >= -128 else { return nil }
        return Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(significand))
    }

    /// Made once: building a Locale per value made decoding large results slow.
    private static let posix = Locale(identifier: "en_US_POSIX")

    private static func isPlainNumber(_ text: String) -> Bool {
        var digits = 0
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "-") where i == 0, UInt8(ascii: "."): continue
            default: return false
            }
        }
        return digits > 0
    }

    /// Digits from the first non-zero one to the last non-zero one.
    static func significantDigits(_ text: String) -> Int {
        var first = -1, last = -1, i = 0
        for c in text.utf8 where c >= 48 && c <= 57 {
            if c != 48 { if first < 0 { first = i }; last = i }
            i += 1
        }
        return first < 0 ? 0 : last - first + 1
    }

    /// The digits of a plain decimal string without sign noise or zero padding,
    /// so "1.50", "01.5" and "1.5" compare equal.
    static func canonical(_ text: String) -> String {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        var intPart = s
        var fracPart: Substring = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = s[..<dot]
            fracPart = s[s.index(after: dot)...]
        }
        while intPart.hasPrefix("0") { intPart = intPart.dropFirst() }
        while fracPart.hasSuffix("0") { fracPart = fracPart.dropLast() }
        if intPart.isEmpty && fracPart.isEmpty { return "0" }
        let body = fracPart.isEmpty ? String(intPart) : "\(intPart).\(fracPart)"
        return negative ? "-" + body : body
    }
}
