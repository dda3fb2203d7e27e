/// The languages parkctl speaks to people. JSON keys and values, codes and the database
/// stay English whatever the language; labels are for people.
public enum Language: String, Sendable, CaseIterable {
    case en, zh

    /// The texts of the language, from its own file (`Texts+en.swift`, `Texts+zh.swift`).
    var texts: [String: String] {
        switch self {
        case .en: Self.english
        case .zh: Self.chinese
        }
    }
}

/// One catalogue of texts, a file per language: a text is looked up by its key and
/// written nowhere else.
public enum Catalogue {
    /// The text of `key` in `language`; the key itself when a text is missing (a test
    /// keeps every key in every language).
    public static func text(_ key: String, in language: Language) -> String {
        language.texts[key] ?? key
    }

    /// The text of `key` with its `{name}` placeholders filled: "park '{code}' not found".
    /// One pass over the text: a value that itself holds `{name}` (a cell of a file) is
    /// not filled in again.
    public static func text(_ key: String, in language: Language, _ values: [String: String]) -> String {
        let template = self.text(key, in: language)
        var text = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            text += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            text += values[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return text + rest
    }

    /// Whether the language has a text for `key`.
    public static func has(_ key: String, in language: Language) -> Bool { language.texts[key] != nil }

    /// Every key of every language.
    public static func keys(in language: Language) -> Set<String> { Set(language.texts.keys) }
}

extension Vocabulary {
    /// The catalogue's key for the value: `unit_kind.live_room`.
    public var labelKey: String { Self.fieldName.replacingOccurrences(of: " ", with: "_") + "." + rawValue }

    /// What people call the value, in `language`: 直播间, "live room".
    public func label(in language: Language) -> String { Catalogue.text(labelKey, in: language) }

    /// The value a person wrote: its code, or its label in any language (case aside).
    public static func fromLabel(_ text: String) -> Self? {
        let wanted = text.lowercased()
        return allCases.first { value in
            value.rawValue == wanted || Language.allCases.contains {
                // Only a label the catalogue has: a missing one reads as its key (view.master).
                Catalogue.has(value.labelKey, in: $0) && value.label(in: $0).lowercased() == wanted
            }
        }
    }

    /// The values with their Chinese labels, for a rule's message: "office (办公), factory (厂房)".
    public static var choicesWithLabels: String { choicesWithLabels(in: .en) }

    /// The same in a language: in Chinese, "办公(office)、厂房(factory)".
    public static func choicesWithLabels(in language: Language) -> String {
        switch language {
        case .en: allCases.map { "\($0.rawValue) (\($0.label(in: .zh)))" }.joined(separator: ", ")
        case .zh: allCases.map { "\($0.label(in: .zh))(\($0.rawValue))" }.joined(separator: "、")
        }
    }
}

/// The vocabularies whose values people read and write by label.
public enum LabelledVocabularies {
    public static let all: [any Vocabulary.Type] = [
        ParkKind.self, UnitKind.self, UnitStatus.self, OnboardingStage.self, LeaseStatus.self, PaymentCycle.self,
        TicketCategory.self, TicketPriority.self, TicketStatus.self, SLAClock.self, PaymentMethod.self, BillFee.self,
        BillStatus.self, StackingPlan.State.self, MeterKind.self, ReadingKind.self, ShareBasis.self, UtilityPeriodStatus.self,
        MeterRegister.self, StatSource.self, QualificationKind.self, LeadSource.self, LeadStage.self, FollowUpWay.self,
    ]

    /// Every value's catalogue key.
    public static var keys: [String] {
        all.flatMap { type in keys(of: type) }
    }

    private static func keys<V: Vocabulary>(of type: V.Type) -> [String] { V.allCases.map(\.labelKey) }
}
