/// The wording of an import's rules. The SQL of ``ImportRules`` returns a rule's
/// catalogue key (`rule.area`) rather than its text, so that a problem is told in the
/// reader's language; a rule worded from the data (a building's floors, a lease's days)
/// comes as its text, in English.
enum ImportRuleText {
    /// The rule in `language`: a key's text with its placeholders filled, or the text.
    static func text(_ rule: String, in language: Language) -> String {
        guard rule.hasPrefix("rule.") else { return rule }
        return Catalogue.text(rule, in: language, values(rule, in: language))
    }

    /// The values some rules name: a vocabulary's, with their labels.
    private static func values(_ key: String, in language: Language) -> [String: String] {
        switch key {
        case "rule.park_kind": ["choices": ParkKind.choicesWithLabels(in: language)]
        case "rule.meter_register": ["choices": MeterRegister.choicesWithLabels(in: language)]
        case "rule.unit_kind": ["choices": UnitKind.choicesWithLabels(in: language)]
        case "rule.cycle": ["choices": PaymentCycle.choicesWithLabels(in: language)]
        case "rule.stage": ["choices": OnboardingStage.choicesWithLabels(in: language)]
        case "rule.lease_status": ["signed": LeaseStatus.signed.label(in: .zh), "terminated": LeaseStatus.terminated.label(in: .zh)]
        default: [:]
        }
    }
}
