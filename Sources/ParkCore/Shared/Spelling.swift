import Foundation

/// What a name typed with a slip was most likely meant to be: for "did you mean" in
/// messages about parks, buildings, units and commands.
///
/// ```swift
/// Spelling.closest(to: "701", among: ["0701", "0702"])   // ["0701"]
/// Spelling.closest(to: "lst", among: ["list", "show"])   // ["list"]
/// ```
public enum Spelling {
    /// The names `typed` is most likely a slip for: the same but for case, leading
    /// zeros or full-width letters and digits typed with a Chinese input method
    /// (`sw` → `SW`, `701` → `0701`, `ＳＷ` → `SW`), else at most one edit away (two
    /// for names of six characters or more). At most three, nearest first.
    public static func closest(to typed: String, among known: [String]) -> [String] {
        func folded(_ s: String) -> String {
            let upper = halfWidth(s).uppercased()
            let trimmed = upper.drop { $0 == "0" }
            return trimmed.isEmpty ? "0" : String(trimmed)
        }
        let same = known.filter { folded($0) == folded(typed) && $0 != typed }
        if !same.isEmpty { return Array(same.prefix(3)) }
        let limit = typed.count >= 6 ? 2 : 1
        return known.map { ($0, editDistance(halfWidth(typed).uppercased(), $0.uppercased())) }
            .filter { $0.1 <= limit && $0.0 != typed }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(3).map(\.0)
    }

    /// `text` with full-width forms (ＳＷ／Ｂ１, typed in a Chinese input method's
    /// full-width mode) as the ASCII they stand for.
    public static func halfWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0)! : scalar
        }))
    }

    /// "; did you mean SW/B1/0301? …" when `text` is an address of `parts` parts once its
    /// full-width characters are read as ASCII, else nothing.
    static func fullWidthHint(_ text: String, parts: Int) -> String {
        let ascii = halfWidth(text)
        return ascii != text && ascii.split(separator: "/").count == parts ? "; did you mean \(ascii)? (full-width characters typed)" : ""
    }

    /// Edits between two names, by characters: insertions, deletions, substitutions
    /// and swaps of two neighbours (`uint` is one edit from `unit`).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        // d[i][j]: edits between the first i characters of a and the first j of b.
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
