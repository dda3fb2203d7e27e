/// Keeps a CSV cell from running as a formula when Excel or WPS opens the file.
///
/// A text cell that starts with `=`, `+`, `-`, `@`, a tab or a CR (`=HYPERLINK(…)`,
/// `@SUM(…)|cmd`) is written with a leading `'`, which spreadsheets show as text.
/// Import drops a leading `'` that comes before one of those characters or before
/// another `'`; so a value that itself starts that way gets one more `'` on the way
/// out, and every value reads back as it was. Numbers are never protected: `-12.50`
/// stays a number.
///
/// The export's SQL applies the same rule (`parkctl_csv_text`, migration 0010);
/// a test holds the two to the same answers.
///
/// ```swift
/// FormulaGuard.protect("=1+1")    // "'=1+1"
/// FormulaGuard.protect("'=x")     // "''=x"
/// FormulaGuard.protect("博思软件")  // "博思软件"
/// ```
public enum FormulaGuard {
    /// `= + - @`, tab, CR.
    static let formulaStarts: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D]
    static let apostrophe: UInt8 = 0x27

    /// `text` as a CSV cell should hold it.
    public static func protect(_ text: String) -> String {
        needsProtection(text.utf8) ? "'" + text : text
    }

    static func needsProtection<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first else { return false }
        if formulaStarts.contains(first) { return true }
        guard first == apostrophe, let second = bytes.dropFirst().first else { return false }
        return second == apostrophe || formulaStarts.contains(second)
    }

    /// A cell as read from a file, with the protecting `'` dropped.
    public static func unprotected(_ cell: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard cell.count >= 2, cell.first == apostrophe else { return cell }
        let second = cell[cell.startIndex + 1]
        return second == apostrophe || formulaStarts.contains(second) ? cell.dropFirst() : cell
    }
}
