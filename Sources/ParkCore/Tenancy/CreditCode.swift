/// 统一社会信用代码, the unified social credit code (GB 32100-2015): 18 characters
/// from `0-9 A-H J-N P-R T U W X Y`, the last a check character over the first 17.
///
/// ```swift
/// try CreditCode.validate("91350100M000100Y43")   // fine
/// try CreditCode.validate("91350100M000100Y44")   // throws: expected 3 last
/// ```
public enum CreditCode {
    public static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The check character for the first 17 characters, or nil if one is not allowed.
    public static func checkCharacter(for first17: some StringProtocol) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (c, w) in zip(chars, weights) {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            sum += value * w
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// A valid code made from 17 characters (used for the synthetic demo codes).
    public static func make(_ first17: String) -> String? {
        checkCharacter(for: first17).map { first17 + String($0) }
    }

    public static func isValid(_ code: String) -> Bool {
        (try? validate(code)) != nil
    }

    /// Throws a message that names the rule broken: the length, a character not
    /// allowed (and where), or the check character expected.
    public static func validate(_ code: String, field: String = "credit code") throws {
        let chars = Array(code)
        guard chars.count == 18 else {
            throw ParkError.invalid("\(field) '\(code)' has \(chars.count) characters; a 统一社会信用代码 has 18")
        }
        for (i, c) in chars.enumerated() where !alphabet.contains(c) {
            let why: String
            if c.isLowercase, alphabet.contains(Character(c.uppercased())) {
                why = "lower case; write it in capitals"
            } else if "IOSVZ".contains(c) {
                why = "the letters I, O, S, V and Z are never used"
            } else {
                why = "only 0-9 and A-H J-N P-R T U W X Y are used"
            }
            throw ParkError.invalid("\(field) '\(code)': character \(i + 1) '\(c)' is not allowed (\(why))")
        }
        let expected = checkCharacter(for: String(chars[0..<17]))!
        guard chars[17] == expected else {
            // The check cannot tell which character is wrong: a slip anywhere fails it.
            throw ParkError.invalid("\(field) '\(code)' fails its check (GB 32100-2015): a character is mistyped or two are swapped "
                                    + "(with these first 17 characters the 18th would be '\(expected)', not '\(chars[17])')")
        }
    }
}
