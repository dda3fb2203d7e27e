import Foundation
import Testing
@testable import parkctl

/// The hand-written time formats against Foundation's formatters, over dates spread
/// across centuries, leap days and zones with daylight saving.
@Suite struct TimestampTests {
    @Test func handWrittenFormatsAgreeWithFoundation() {
        let zones = ["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC", "Pacific/Chatham"].map { TimeZone(identifier: $0)! }
        var instants: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1),
                                Date(timeIntervalSince1970: 951_782_400),     // 2000-02-29 00:00 UTC
                                Date(timeIntervalSince1970: 1_796_169_600.75)] // 2026-12-01, with a fraction
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { instants.append(Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator)))) }
        for zone in zones {
            let iso = ISO8601DateFormatter()
            iso.timeZone = zone
            iso.formatOptions = [.withInternetDateTime]
            let local = DateFormatter()
            local.timeZone = zone
            local.locale = Locale(identifier: "en_US_POSIX")
            local.dateFormat = "yyyy-MM-dd HH:mm"
            for instant in instants {
                let expected = iso.string(from: instant).replacingOccurrences(of: "Z", with: "+00:00")
                #expect(Timestamps.iso8601(instant, timeZone: zone) == expected, "\(instant) in \(zone.identifier)")
                #expect(Timestamps.local(instant, timeZone: zone) == local.string(from: instant), "\(instant) in \(zone.identifier)")
            }
        }
        // By hand: 2026-12-01 02:05 UTC is 10:05 in Shanghai (+8 h).
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: 1_796_090_700)) == "2026-12-01T10:05:00+08:00")
    }
}
