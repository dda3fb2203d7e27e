/// A tenant's industry, and a park's positioning, are codes a park chooses (`software`,
/// `telecom_5g`). The common ones have names in the catalogue (`industry.software`: 软件),
/// which Chinese tables show and which people may write instead of the code.
public enum Industry {
    /// The codes with names, as the zone's parks use them.
    public static let named = [
        "software", "internet", "ai", "digital_media", "security_electronics", "electronics", "semiconductors",
        "telecom_5g", "ecommerce", "live_streaming", "logistics", "manufacturing", "equipment", "new_materials",
        "new_energy", "acoustics", "biomedicine", "auto_parts", "finance", "education", "consulting", "catering",
    ]

    /// The code of what a person wrote: an industry's name in any language (软件,
    /// Software), or a code, checked.
    public static func code(_ text: String, field: String = "industry") throws -> String {
        try codeOfName(text) ?? Validate.word(text, field: field)
    }

    /// The code whose name `text` is, if any.
    public static func codeOfName(_ text: String) -> String? {
        let wanted = text.trimmingCharacters(in: .whitespaces).lowercased()
        if named.contains(wanted) { return wanted }
        return named.first { code in Language.allCases.contains { Catalogue.text(key(code), in: $0).lowercased() == wanted } }
    }

    /// The codes of a list of industries (软件、互联网 or software,internet), if each is named.
    @Sendable public static func codesOfNames(_ text: String) -> String? {
        let codes = text.split(whereSeparator: { ",，、".contains($0) }).map { codeOfName(String($0)) }
        guard !codes.isEmpty, codes.allSatisfy({ $0 != nil }) else { return nil }
        return codes.map { $0! }.joined(separator: ",")
    }

    /// The industry's name, if it has one.
    public static func name(_ code: String, in language: Language) -> String? {
        named.contains(code) ? Catalogue.text(key(code), in: language) : nil
    }

    public static func key(_ code: String) -> String { "industry." + code }
}
