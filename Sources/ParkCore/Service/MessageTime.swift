import Foundation

/// How a message (a refusal) writes an instant, distinct from how the CLI prints
/// times in tables and JSON.
enum MessageTime {
    /// An instant as a message shows it: in the parks' time zone (Asia/Shanghai), the
    /// way times are typed on the command line, with the offset: 2026-12-09 10:00+08:00.
    static func describe(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mmxxx"
        return formatter.string(from: date)
    }
}
