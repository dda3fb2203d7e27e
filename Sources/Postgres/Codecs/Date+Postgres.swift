import Foundation

/// `timestamptz` <-> `Foundation.Date`, an instant, to the microsecond.
///
/// Encoded in UTC with an explicit offset so that the session's TimeZone does not
/// matter; decoded from ISO output with any offset (`+08`, `+05:30`, `-03:30:15`).
extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresType { .timestamptz }

    public var postgresText: String? { Self.postgresTimestamp(self) }

    /// The instant in UTC, `2026-12-04 09:30:00.000000+00`.
    public static func postgresTimestamp(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secOfDay = Int(seconds - Int64(days) * 86_400)
        guard let day = CalendarDate(daysSinceEpoch: days) else { return "infinity" }
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(day) \(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(Int(fraction), 6))+00"
    }

    public static func decode(postgresText text: String, type: PostgresType) throws -> Date {
        guard let date = parsePostgresTimestamp(text) else {
            throw PostgresCodecFailure("'\(text)' is not an ISO timestamp with offset")
        }
        return date
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]` (a missing offset means UTC).
    static func parsePostgresTimestamp(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 19, let day = CalendarDate(String(decoding: u[0..<10], as: UTF8.self)),
              u[10] == UInt8(ascii: " ") || u[10] == UInt8(ascii: "T")
        else { return nil }
        var i = 11
        func digits(_ n: Int) -> Int? {
            guard i + n <= u.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard u[k] >= 48, u[k] <= 57 else { return nil }
                v = v * 10 + Int(u[k] - 48)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < u.count, u[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let hh = digits(2), expect(":"), let mm = digits(2), expect(":"), let ss = digits(2),
              hh < 24, mm < 60, ss < 61
        else { return nil }
        var micros = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100_000
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                micros += Int(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < u.count {
            let sign: Int
            if u[i] == UInt8(ascii: "+") { sign = 1 } else if u[i] == UInt8(ascii: "-") { sign = -1 } else { return nil }
            i += 1
            guard let oh = digits(2) else { return nil }
            var seconds = oh * 3600
            if expect(":") { guard let om = digits(2) else { return nil }; seconds += om * 60 }
            if expect(":") { guard let os = digits(2) else { return nil }; seconds += os }
            offset = sign * seconds
            guard i == u.count else { return nil }
        }
        let epochSeconds = day.daysSinceEpoch * 86_400 + hh * 3600 + mm * 60 + ss - offset
        return Date(timeIntervalSince1970: Double(epochSeconds) + Double(micros) / 1_000_000)
    }
}
