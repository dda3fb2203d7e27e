import Foundation
import Postgres

/// Checks of user input that give a message naming the field, the value and the rule.
public enum Validate {
    /// Trimmed text of 1...max characters, with no control characters (`multiline`
    /// text, such as a ticket's description, may hold line breaks and tabs).
    public static func text(_ value: String, field: String, max: Int = 200, multiline: Bool = false) throws -> String {
        let trimmed = value.trimmingCharacters(in: multiline ? .whitespacesAndNewlines : .whitespaces)
        guard !trimmed.isEmpty else { throw ParkError.invalid("\(field) must not be empty") }
        guard trimmed.count <= max else {
            throw ParkError.invalid("\(field) has \(trimmed.count) characters; at most \(max) are allowed")
        }
        if trimmed.unicodeScalars.contains("\0") { throw ParkError.invalid("\(field) contains a NUL byte, which is not allowed") }
        if let bad = trimmed.unicodeScalars.first(where: { isUnsafeForTerminal($0) && !(multiline && ($0 == "\n" || $0 == "\t")) }) {
            let what = bad.properties.generalCategory == .control ? "control character" : "bidirectional control"
            throw ParkError.invalid("\(field) contains the \(what) U+\(hex(bad)), which is not allowed")
        }
        return trimmed
    }

    /// Whether a character can drive a terminal or disguise the text around it: C0 and
    /// C1 controls and DEL (escape sequences, CSI), the bidirectional marks,
    /// embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E,
    /// U+2066-U+2069), and the Unicode line and paragraph separators. The database
    /// refuses the same in free text (0010, `parkctl_is_plain_text`).
    public static func isUnsafeForTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with each unsafe character (``isUnsafeForTerminal(_:)``, but those in
    /// `keeping`) written as `\u{1B}`, so that a shown value cannot drive the terminal.
    public static func escapingControlCharacters(_ text: String, keeping: Set<Unicode.Scalar> = []) -> String {
        // The usual case, plain text: returned as it is.
        guard text.unicodeScalars.contains(where: { isUnsafeForTerminal($0) && !keeping.contains($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isUnsafeForTerminal(scalar) && !keeping.contains(scalar) {
                out += "\\u{\(hex(scalar))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        String(scalar.value, radix: 16, uppercase: true)
    }

    /// A staff login name: 1-63 lower-case letters, digits or _, starting with a letter.
    public static func isStaffName(_ name: String) -> Bool {
        PatternRule.staffName.matches(name)
    }

    /// A code (of a park, a building, a unit) that keeps its rule.
    public static func code(_ value: String, field: String, rule: PatternRule) throws -> String {
        try matching(value, field: field, rule: rule)
    }

    /// A lower-case word such as an industry: `a-z`, `0-9`, `_`, starting with a letter.
    public static func word(_ value: String, field: String) throws -> String {
        try matching(value, field: field, rule: .industry)
    }

    /// `value` if it keeps `rule`; else a message naming the field, the value and the rule.
    static func matching(_ value: String, field: String, rule: PatternRule) throws -> String {
        guard rule.matches(value) else { throw ParkError.invalid("\(field) '\(value)' is not valid: \(rule.rule)") }
        return value
    }

    /// A plain decimal number with at most `scale` decimals, e.g. an area "256.50"
    /// or a rent "38.00": no sign unless `allowNegative`, no exponent, no NaN.
    public static func decimal(_ text: String, field: String, scale: Int = 2, positive: Bool = true,
                               maxIntegerDigits: Int = 10) throws -> Decimal {
        // A negative amount is a number, just not one these fields take: say that.
        if text.hasPrefix("-"), (try? decimal(String(text.dropFirst()), field: field, scale: scale, positive: false,
                                               maxIntegerDigits: maxIntegerDigits)) != nil {
            throw ParkError.invalid("\(field) must be \(positive ? "more than 0" : "0 or more"), not \(text)")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let digits = { (s: Substring) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (parts.count == 1 || parts.count == 2), digits(parts[0]), parts.count == 1 || digits(parts[1]) else {
            throw ParkError.invalid("\(field) '\(text)' is not a number (write it like 256.50)")
        }
        if parts.count == 2, parts[1].count > scale {
            throw ParkError.invalid("\(field) '\(text)' has more than \(scale) decimals")
        }
        if parts[0].drop(while: { $0 == "0" }).count > maxIntegerDigits {
            throw ParkError.invalid("\(field) '\(text)' is too large (at most \(maxIntegerDigits) digits before the point)")
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw ParkError.invalid("\(field) '\(text)' is not a number")
        }
        if positive && value <= 0 { throw ParkError.invalid("\(field) must be more than 0, not \(text)") }
        return value
    }

    /// A calendar date `YYYY-MM-DD` that exists.
    /// The days parkctl takes: contracts, steps and tickets of parks, with room on
    /// both sides for the day before and after (9999-12-31 has no next day).
    public static let dates = CalendarDate(year: 1900, month: 1, day: 1)!...CalendarDate(year: 2999, month: 12, day: 31)!

    public static func date(_ text: String, field: String) throws -> CalendarDate {
        guard let date = CalendarDate(text) else {
            throw ParkError.worded(.invalidInput) { Catalogue.text("error.not_a_date", in: $0, ["field": field, "text": text]) }
        }
        guard dates.contains(date) else {
            throw ParkError.invalid("\(field) \(text) is out of range: a day from \(dates.lowerBound) to \(dates.upperBound)")
        }
        return date
    }

    public static func phone(_ value: String) throws -> String {
        try matching(value, field: "phone", rule: .phone)
    }

    public static func email(_ value: String) throws -> String {
        guard value.count <= 254 else { throw ParkError.invalid("email '\(value.prefix(40))…' is not valid: at most 254 characters") }
        return try matching(value, field: "email", rule: .email)
    }
}
