/// What a column holds, so that import can read a cell the way a spreadsheet wrote it:
/// `1,200.50`, `256.5㎡`, full-width digits, `2026/3/1`, `2026年3月1日`, 季付, 直播间.
public enum CellKind: Sendable {
    case text
    /// A whole number; `floor` also reads 3F, 3层 and B1 (the first floor below ground, -1).
    case integer(floor: Bool)
    /// A number, which may end with one of the column's units (㎡, 元/㎡/月); the header
    /// may name the same unit in brackets: 面积(㎡).
    case number(units: [String])
    /// A percentage: 3 or 3%.
    case percent
    case date
    /// A value of a vocabulary, by its code or its label in any language.
    case label(@Sendable (String) -> String?)

    static let areaUnits = ["㎡", "m²", "m2", "平方米", "平米", "平方"]
    static let rentUnits = ["元/㎡/月", "元/m²/月", "元/m2/月", "元/平方米/月", "元/平米/月", "元/平方/月"]
    static let moneyUnits = ["元"]
    /// The statistics forms' 万元.
    static let tenThousandYuan = ["万元"]

    static func label<V: Vocabulary>(_ type: V.Type) -> CellKind { .label { V.fromLabel($0)?.rawValue } }

    /// The units a header may name in brackets after the column's name.
    var units: [String] {
        switch self {
        case .number(let units): units
        case .percent: ["%"]
        default: []
        }
    }
}

/// Reads a cell as its column's kind. A cell is changed only into a value its rule
/// accepts; anything else goes to the rules as written, so that a problem shows the
/// cell as the file has it.
enum CellReading {
    enum Outcome: Equatable {
        /// The cell is read as it is.
        case same
        /// The cell, written the one way the rules read.
        case value(String)
        /// The cell cannot be read without guessing: the rule it breaks.
        case problem(String)
    }

    static func read(_ cell: String, as kind: CellKind) -> Outcome {
        switch kind {
        case .text: return .same
        case .integer(let floor): return changed(integer(halfWidth(cell), floor: floor), from: cell)
        case .number(let units): return changed(number(halfWidth(cell), units: units), from: cell)
        case .percent: return changed(number(halfWidth(cell), units: ["%"]), from: cell)
        case .date: return date(halfWidth(cell), original: cell)
        case .label(let code): return changed(code(halfWidth(cell).trimmingCharacters(in: .whitespaces)), from: cell)
        }
    }

    private static func changed(_ value: String?, from cell: String) -> Outcome {
        guard let value, value != cell else { return .same }
        return .value(value)
    }

    /// Full-width digits and signs (０-９, ．，－％) and the ideographic space as ASCII.
    static func halfWidth(_ text: String) -> String {
        Spelling.halfWidth(text).replacingOccurrences(of: "\u{3000}", with: " ")
    }

    /// `-?digits(.digits)?`, with thousands separators only where they group by three.
    static func number(_ text: String, units: [String]) -> String? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        for prefix in ["¥", "￥"] where units == CellKind.moneyUnits && s.hasPrefix(prefix) { s = s.dropFirst() }
        for unit in units.sorted(by: { $0.count > $1.count }) where s.lowercased().hasSuffix(unit.lowercased()) {
            s = s.dropLast(unit.count)
            break
        }
        s = Substring(s.trimmingCharacters(in: .whitespaces))
        var digits = String(s)
        if s.contains(",") {
            // Groups of three after a first group that is a number (0,100 is 0.1 to some).
            guard s.wholeMatch(of: /-?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?/) != nil else { return nil }
            digits.removeAll { $0 == "," }
        }
        return digits.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?/) != nil ? digits : nil
    }

    static func integer(_ text: String, floor: Bool) -> String? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let m = s.wholeMatch(of: /-?[0-9]+/) { return String(m.output) }
        guard floor else { return nil }
        if let m = s.wholeMatch(of: /([0-9]+)\s*(?:F|f|层|楼)/) { return String(m.output.1) }
        // B1, B2: the floors below ground (地下一层 is floor -1).
        if let m = s.wholeMatch(of: /[Bb]([0-9]+)\s*(?:F|f|层)?/), let n = Int(m.output.1), n > 0 { return "-\(n)" }
        if let m = s.wholeMatch(of: /地下\s*([0-9]+)\s*层/), let n = Int(m.output.1), n > 0 { return "-\(n)" }
        return nil
    }

    /// The year first: 2026-3-1, 2026/3/1, 2026.3.1, 2026年3月1日. The year last
    /// (3/1/2026) is 1 March to some and 3 January to others: refused.
    static func date(_ text: String, original: String) -> Outcome {
        let s = text.trimmingCharacters(in: .whitespaces)
        var parts: (Substring, Substring, Substring)?
        if let m = s.wholeMatch(of: /([0-9]{4})([-\/.])([0-9]{1,2})\2([0-9]{1,2})/) {
            parts = (m.output.1, m.output.3, m.output.4)
        } else if let m = s.wholeMatch(of: /([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?/) {
            parts = (m.output.1, m.output.2, m.output.3)
        } else if s.wholeMatch(of: /[0-9]{1,2}[-\/.][0-9]{1,2}[-\/.][0-9]{4}/) != nil {
            return .problem("puts the year last, which reads as day/month to some and month/day to others: "
                            + "write the year first, as 2026-03-01 (or 2026/3/1, 2026年3月1日)")
        }
        guard let (y, m, d) = parts, let year = Int(y), let month = Int(m), let day = Int(d),
              let date = CalendarDate(year: year, month: month, day: day) else { return .same }
        return changed(date.description, from: original)
    }
}
