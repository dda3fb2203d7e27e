/// How import matches a header cell to a column: by its name or a Chinese alias, with
/// or without a unit the column holds in brackets (面积(㎡), 租金（元/㎡/月）), case,
/// spaces and full-width brackets aside.
enum HeaderName {
    typealias Column = TransferEntity.Column

    /// The text compared: lower-case, half-width (ASCII brackets), no spaces.
    static func key(_ name: String) -> String {
        String(CellReading.halfWidth(name).lowercased().filter { !$0.isWhitespace }.map { c -> Character in
            c == "【" ? "[" : c == "】" ? "]" : c
        })
    }

    /// The index of the column `name` names, if any.
    static func column(_ name: String, in columns: [Column]) -> Int? {
        let wanted = key(name)
        if let c = columns.firstIndex(where: { names(of: $0).contains(wanted) }) { return c }
        // A unit in brackets must be one the column holds: 租金(元/月) is a month's total, not 租金(元/㎡/月).
        guard let (base, unit) = withUnit(wanted) else { return nil }
        return columns.firstIndex { column in
            names(of: column).contains(base) && column.kind.units.contains { key($0) == unit }
        }
    }

    /// For a header that names a known column with a unit it does not hold: "租金 is
    /// 元/㎡/月, not 元/月" (a month's total is not a rent per ㎡: no "did you mean").
    static func unitMismatch(_ name: String, in columns: [Column]) -> String? {
        guard let (base, unit) = withUnit(key(name)) else { return nil }
        guard let column = columns.first(where: { names(of: $0).contains(base) }) else { return nil }
        let shown = name.trimmingCharacters(in: .whitespaces)
        let label = shown.prefix { $0 != "(" && $0 != "（" && $0 != "[" && $0 != "【" }
        guard let expected = column.kind.units.first else { return "\(label) has no unit" }
        return "\(label) is in \(expected), not \(unit)"
    }

    /// A header key's name and the unit in brackets after it: 面积(㎡) → (面积, ㎡).
    private static func withUnit(_ key: String) -> (base: String, unit: String)? {
        key.wholeMatch(of: /(.+)[(\[](.+)[)\]]/).map { (String($0.output.1), String($0.output.2)) }
    }

    /// The nearest of the names a header may use, for "did you mean …?".
    static func suggestion(for name: String, in columns: [Column]) -> String? {
        let wanted = key(name)
        var best: (distance: Int, text: String)?
        for column in columns {
            // A number's Chinese names with their unit first: 面积(㎡) before 面积.
            let withUnit = column.kind.units.first.map { unit in column.chineseAliases.map { "\($0)(\(unit))" } } ?? []
            for candidate in withUnit + [column.name] + column.aliases {
                let d = Spelling.editDistance(wanted, key(candidate))
                if d <= max(2, candidate.count / 2), d < (best?.distance ?? .max) { best = (d, candidate) }
            }
        }
        return best?.text
    }

    private static func names(of column: Column) -> [String] { ([column.name] + column.aliases).map(key) }
}
