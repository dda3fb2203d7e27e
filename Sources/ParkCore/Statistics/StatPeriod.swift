import Foundation
import Postgres

/// How long a filing's period is: the zone asks some figures monthly, most quarterly.
public enum StatPeriodKind: String, Vocabulary {
    case month, quarter, year
    public static let fieldName = "period kind"
}

/// A statistics period: a month (`2026-09`), a quarter (`2026-Q3`) or a year (`2026`),
/// known by its first day.
///
///     try StatPeriod(parsing: "2026-Q3")        // quarter from 2026-07-01
///     try StatPeriod(parsing: "2026年第三季度")   // the same
///     try StatPeriod(parsing: "2026年9月")        // month from 2026-09-01
public struct StatPeriod: Hashable, Sendable, CustomStringConvertible {
    public let kind: StatPeriodKind
    /// The first day: the 1st of the month, of January, April, July or October, or of January.
    public let start: CalendarDate

    public init(kind: StatPeriodKind, start: CalendarDate) {
        self.kind = kind
        self.start = start
    }

    /// `2026-Q3` (or `2026Q3`, `2026-q3`, `2026年第3季度`, `2026年三季度`), `2026-09` (or
    /// `2026-9`, `2026年9月`), `2026` (or `2026年`).
    public init(parsing text: String) throws {
        let compact = Spelling.halfWidth(text).replacingOccurrences(of: " ", with: "").uppercased()
        let chineseQuarters = ["一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4]
        // The years parkctl takes, as its days (1900-2999): a year before or after has a year to compare with.
        func year(_ digits: Substring) -> Int? { digits.count == 4 ? Int(digits).flatMap { (1900...2999).contains($0) ? $0 : nil } : nil }
        var parsed: StatPeriod?
        if let match = compact.wholeMatch(of: /(\d{4})-?Q([1-4])/), let y = year(match.1) {
            parsed = CalendarDate(year: y, month: (Int(match.2)! - 1) * 3 + 1, day: 1).map { StatPeriod(kind: .quarter, start: $0) }
        } else if let match = compact.wholeMatch(of: /(\d{4})年第?([一二三四1-4])季度?/), let y = year(match.1),
                  let q = chineseQuarters[String(match.2)] {
            parsed = CalendarDate(year: y, month: (q - 1) * 3 + 1, day: 1).map { StatPeriod(kind: .quarter, start: $0) }
        } else if let match = compact.wholeMatch(of: /(\d{4})(?:-|年|\/|\.)(\d{1,2})月?/), let y = year(match.1), let m = Int(match.2) {
            parsed = CalendarDate(year: y, month: m, day: 1).map { StatPeriod(kind: .month, start: $0) }
        } else if let match = compact.wholeMatch(of: /(\d{4})年?/), let y = year(match.1) {
            parsed = CalendarDate(year: y, month: 1, day: 1).map { StatPeriod(kind: .year, start: $0) }
        }
        guard let parsed else {
            throw ParkError.invalid("period '\(text)' is a quarter 2026-Q3, a month 2026-09 or a year 2026 (2026年第3季度, 2026年9月, 2026年), of 1900-2999")
        }
        self = parsed
    }

    /// `2026-Q3`, `2026-09` or `2026`.
    public var description: String {
        switch kind {
        case .month: String(format: "%04d-%02d", start.year, start.month)
        case .quarter: "\(start.year)-Q\((start.month - 1) / 3 + 1)"
        case .year: String(start.year)
        }
    }

    /// The same period a year before (同期), against which growth is measured.
    public var yearBefore: StatPeriod {
        StatPeriod(kind: kind, start: CalendarDate(year: start.year - 1, month: start.month, day: 1)!)
    }

    /// The last day of the period.
    public var lastDay: CalendarDate {
        let months = kind == .month ? 1 : kind == .quarter ? 3 : 12
        let next = start.month - 1 + months
        return CalendarDate(year: start.year + next / 12, month: next % 12 + 1, day: 1)!.adding(days: -1)
    }
}
