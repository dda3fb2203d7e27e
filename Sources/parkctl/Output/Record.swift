import Foundation
import ParkCore

/// A value in command output, typed so that JSON gets numbers, booleans and null,
/// while tables and CSV get text.
enum OutputValue {
    case text(String)
    case integer(Int)
    /// A decimal printed with a fixed number of places (areas and rents: 2).
    case decimal(Decimal, places: Int)
    case bool(Bool)
    /// An instant: ISO 8601 with the parks' offset in JSON and tables, the local
    /// `YYYY-MM-DD HH:MM:SS` that Excel reads as a date and time in CSV.
    case instant(Date)
    /// A day: YYYY-MM-DD in text, a date in a spreadsheet.
    case day(CalendarDate)
    /// A value of a vocabulary: its code in JSON, English tables and CSV; its label
    /// (the catalogue's `key`) in Chinese ones: live_room, 直播间.
    case label(code: String, key: String)
    /// A fraction (an occupancy or tax rate) with `places` decimals: 0.2823 in JSON,
    /// English tables and CSV; a percentage in Chinese tables: 28.23%.
    case ratio(Decimal, places: Int)
    case list([String])
    case null
    case records([Record])
    case object(Record)

    static func optional(_ text: String?) -> OutputValue { text.map(OutputValue.text) ?? .null }
    static func date(_ date: CalendarDate?) -> OutputValue { date.map(OutputValue.day) ?? .null }
    static func money(_ value: Decimal?) -> OutputValue { value.map { .decimal($0, places: 2) } ?? .null }
    static func label<V: Vocabulary>(_ value: V) -> OutputValue { .label(code: value.rawValue, key: value.labelKey) }
    static func label<V: Vocabulary>(_ value: V?) -> OutputValue { value.map { .label($0) } ?? .null }
    /// A code of a family the catalogue names: `.code("total", in: "scope")` is 合计 in Chinese.
    static func code(_ code: String?, in family: String) -> OutputValue {
        code.map { .label(code: $0, key: family + "." + $0) } ?? .null
    }
    /// An industry: its name in Chinese tables where it has one (软件), else its code.
    static func industry(_ code: String) -> OutputValue {
        Industry.name(code, in: .zh) == nil ? .text(code) : .label(code: code, key: Industry.key(code))
    }
    static func ratio(_ value: Decimal?, places: Int = 4) -> OutputValue { value.map { .ratio($0, places: places) } ?? .null }
    static func time(_ date: Date?) -> OutputValue { date.map(OutputValue.instant) ?? .null }

    /// The plain text used in tables and CSV.
    var plain: String {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .decimal(let d, let places): Self.fixed(d, places: places)
        case .bool(let b): b ? "true" : "false"
        case .instant(let date): Timestamps.iso8601(date)
        case .day(let date): date.description
        case .label(let code, _): code
        case .ratio(let d, let places): Self.fixed(d, places: places)
        case .list(let items): items.joined(separator: ",")
        case .null: ""
        case .records(let rs): "\(rs.count) items"
        case .object: "{…}"
        }
    }

    /// The text a person reads in a table of `language`: labels, percentages and
    /// amounts grouped by thousands in Chinese; `plain` in English.
    func shown(in language: Language) -> String {
        guard language != .en else { return plain }
        switch self {
        case .label(_, let key): return Catalogue.text(key, in: language)
        case .ratio(let d, let places):
            // The same digits as a percentage (0.3305 → 33.05%): rounding again to fewer
            // would make 33.047% first 0.3305, then 33.1%, not the 33.0% a person computes.
            return Self.fixed(d * 100, places: max(0, places - 2)) + "%"
        case .decimal(let d, let places): return Self.grouped(Self.fixed(d, places: places))
        case .bool(let b): return Catalogue.text(b ? "text.yes" : "text.no", in: language)
        default: return plain
        }
    }

    /// 1234567.50 as 1,234,567.50.
    static func grouped(_ number: String) -> String {
        let negative = number.hasPrefix("-")
        let body = negative ? number.dropFirst() : Substring(number)
        let whole = body.prefix { $0 != "." }
        guard whole.count > 3 else { return number }
        var out = ""
        for (i, c) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (negative ? "-" : "") + out + body.dropFirst(whole.count)
    }

    /// `d` with exactly `places` decimals, rounded half away from zero (no binary noise).
    static func fixed(_ d: Decimal, places: Int) -> String {
        fixedFromDigits(d, places: places) ?? fixedByRounding(d, places: places)
    }

    /// `fixed` for any value, through Decimal's own text and rounding.
    static func fixedByRounding(_ d: Decimal, places: Int) -> String {
        // No more decimals than wanted: pad only.
        var text = d.description
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            let decimals = text.utf8.firstIndex(of: UInt8(ascii: ".")).map { text.utf8.distance(from: $0, to: text.utf8.endIndex) - 1 } ?? 0
            if decimals <= places {
                if places > 0 && decimals == 0 { text += "." }
                return text + String(repeating: "0", count: places - decimals)
            }
        }
        var value = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        text = rounded.description
        guard places > 0 else { return text }
        if !text.contains(".") { text += "." }
        let decimals = text.count - (text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? 0) - 1
        return text + String(repeating: "0", count: max(0, places - decimals))
    }
}

extension OutputValue {
    /// `fixed` for the usual value, money or an area with no more decimals than wanted
    /// and a significand that fits in 64 bits, written from the significand's digits:
    /// Decimal's `description` took 4 µs a value, a third of a 20,000-row report's
    /// time in parkctl. Nil for a value that needs rounding or more digits.
    static func fixedFromDigits(_ d: Decimal, places: Int) -> String? {
        guard d.isFinite, places >= 0, places <= 18 else { return nil }
        let exponent = d.exponent
        guard exponent >= -places, exponent <= 18 else { return nil }
        let significand = d.significand
        let digits = NSDecimalNumber(decimal: significand).uint64Value
        // Exactly the significand, or the general path.
        guard Decimal(digits) == significand else { return nil }
        var text = digits == 0 ? "" : String(digits)
        if exponent > 0 && digits != 0 { text += String(repeating: "0", count: exponent) }
        let decimals = exponent < 0 ? -exponent : 0
        // Leading zeros so that there is a digit before the point.
        if text.utf8.count <= decimals { text = String(repeating: "0", count: decimals - text.utf8.count + 1) + text }
        if places > 0 {
            let point = text.index(text.endIndex, offsetBy: -decimals)
            text = text[..<point] + "." + text[point...] + String(repeating: "0", count: places - decimals)
        }
        return d < 0 ? "-" + text : text
    }
}

/// An ordered set of named values: one row of a table, one JSON object.
/// A class, so that values and records can nest without a recursive value layout.
final class Record {
    var fields: [(key: String, value: OutputValue)]

    init(_ fields: [(String, OutputValue)]) {
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    var keys: [String] { fields.map(\.key) }

    subscript(key: String) -> OutputValue? {
        fields.first { $0.key == key }?.value
    }
}

/// Times as the parks' staff read them. Written by hand rather than with a Foundation
/// formatter: a formatter built per value cost 0.1 ms a row (bench/tenant-search.sh).
enum Timestamps {
    /// The parks' zone.
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// ISO 8601 with the zone's offset, e.g. 2026-12-04T17:30:00+08:00.
    static func iso8601(_ date: Date, timeZone: TimeZone = shanghai) -> String {
        let t = Fields(date, timeZone)
        let offset = abs(t.offset)
        // An offset with seconds (local mean time, before about 1930) is written with them, as Foundation does.
        return "\(t.y)-\(two(t.m))-\(two(t.d))T\(two(t.hour)):\(two(t.minute)):\(two(t.second))"
            + (t.offset < 0 ? "-" : "+") + two(offset / 3600) + ":" + two(offset % 3600 / 60)
            + (offset % 60 == 0 ? "" : ":" + two(offset % 60))
    }

    /// A compact local form for tables: 2026-12-04 17:30.
    static func local(_ date: Date, timeZone: TimeZone = shanghai) -> String {
        let t = Fields(date, timeZone)
        return "\(t.y)-\(two(t.m))-\(two(t.d)) \(two(t.hour)):\(two(t.minute))"
    }

    /// What Excel reads as a date and time, in the parks' zone: 2026-12-04 17:30:05.
    static func spreadsheet(_ date: Date, timeZone: TimeZone = shanghai) -> String {
        let t = Fields(date, timeZone)
        return "\(t.y)-\(two(t.m))-\(two(t.d)) \(two(t.hour)):\(two(t.minute)):\(two(t.second))"
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The civil date and time of an instant in a zone (whole seconds, rounded down).
    struct Fields {
        var y = 0, m = 0, d = 0, hour = 0, minute = 0, second = 0, offset = 0

        init(_ date: Date, _ zone: TimeZone) {
            offset = zone.secondsFromGMT(for: date)
            let local = Int((date.timeIntervalSince1970).rounded(.down)) + offset
            let days = Int((Double(local) / 86_400).rounded(.down))
            let seconds = local - days * 86_400
            hour = seconds / 3600; minute = seconds % 3600 / 60; second = seconds % 60
            (y, m, d) = CalendarDate.civil(daysSinceEpoch: days)
        }
    }
}
