import ArgumentParser
import ParkCore

/// A closed vocabulary of the model as the type of an option or argument: the help
/// lists its values and shell completions offer them, both from `allCases`, and a
/// wrong value is a usage error (exit 64) whose message names the option, the value
/// and the allowed values.
///
/// The conformances are here, not in ParkCore, which does not know ArgumentParser.
protocol Choice: Vocabulary, ExpressibleByArgument {
    /// The value for `text`, or the model's error naming the field, the value and
    /// the allowed ones. A requirement (not only ``Vocabulary/parse(_:)``) so that
    /// a vocabulary with a parser of its own, ChecklistItem, is called through it.
    static func choose(_ text: String) throws -> Self

    /// The values as the help shows them.
    static var helpValues: [String] { get }
}

extension Choice {
    /// Its code, or what people call it in either language (`--kind 电`, `--by 按户数`).
    static func choose(_ text: String) throws -> Self {
        if let value = fromLabel(text) { return value }
        return try parse(text)
    }

    static var helpValues: [String] { allCases.map(\.rawValue) }

    /// Through the model's parser, so that every spelling it takes is taken (public:
    /// the witness of ArgumentParser's public requirement for ParkCore's public types).
    public init?(argument: String) {
        guard let value = try? Self.choose(argument) else { return nil }
        self = value
    }

    /// "a, b or c".
    static var choices: String {
        let values = helpValues
        return values.count < 2 ? values.joined() : values.dropLast().joined(separator: ", ") + " or " + values.last!
    }

    /// `help` followed by the values, e.g. "Payment cycle: monthly, quarterly, semiannual or annual."
    static func help(_ help: String, default value: Self? = nil) -> ArgumentHelp {
        ArgumentHelp("\(help): \(choices).\(value.map { " (default: \($0.rawValue))" } ?? "")")
    }

    /// Parses an option's value. ArgumentParser writes "The value 'x' is invalid for
    /// '--kind <kind>': " before the model's message and exits 64. (A failed
    /// `init?(argument:)` would give only ArgumentParser's own words; the model's
    /// are the ones import and the database use too.)
    @Sendable static func argument(_ text: String) throws -> Self {
        do {
            return try choose(text)
        } catch let error as ParkError {
            throw ValidationError(error.message)
        }
    }
}

// The vocabularies that options and arguments take.
extension ParkKind: Choice {}
extension UnitKind: Choice {}
extension UnitStatus: Choice {}
extension OnboardingStage: Choice {}
extension TicketCategory: Choice {}
extension TicketPriority: Choice {}
extension TicketStatus: Choice {}
extension SLAClock: Choice {}
extension PaymentCycle: Choice {}
extension MeterKind: Choice {}
extension ShareBasis: Choice {}
extension UtilityReport.View: Choice {}
extension StatsReport.View: Choice {}
extension LeadSource: Choice {}
extension LeadStage: Choice {}
extension FollowUpWay: Choice {}
extension StaffRole: Choice {}
extension TextEncoding: Choice {
    /// Its name in any case, or another of its names (GBK, gb18030, UTF-16).
    static func choose(_ text: String) throws -> TextEncoding { try parse(text) }
}
extension TransferEntity: Choice {}
extension OccupancyReport.Grouping: Choice {}

extension ChecklistItem: Choice {
    /// Its code (deposit_paid) or the name the checklist shows (押金).
    static func choose(_ text: String) throws -> ChecklistItem { try parse(text) }

    static var helpValues: [String] { allCases.map { "\($0.rawValue) (\($0.chineseName))" } }
}

// `@Option(choice: "Payment cycle") var cycle: PaymentCycle = .monthly`: an option
// whose value is a word of a vocabulary. A label of its own, `choice:`, so that a
// plain `@Option(help:)` of such a type keeps ArgumentParser's behaviour and the
// reader sees which one is meant.
extension Option where Value: Choice {
    init(wrappedValue: Value, name: NameSpecification = .long, choice help: String) {
        self.init(wrappedValue: wrappedValue, name: name, help: Value.help(help, default: wrappedValue),
                  completion: Value.defaultCompletionKind, transform: Value.argument)
    }

    init(name: NameSpecification = .long, choice help: String) {
        self.init(name: name, help: Value.help(help), completion: Value.defaultCompletionKind,
                  transform: Value.argument)
    }
}

extension Option {
    init<T: Choice>(name: NameSpecification = .long, choice help: String) where Value == T? {
        self.init(name: name, help: T.help(help), completion: T.defaultCompletionKind, transform: T.argument)
    }
}

extension Argument where Value: Choice {
    init(choice help: String) {
        self.init(help: Value.help(help), completion: Value.defaultCompletionKind, transform: Value.argument)
    }
}
extension EnterpriseCare.Coverage: Choice {}

extension BackupSchedule.Frequency: ExpressibleByArgument {}
