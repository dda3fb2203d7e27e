import ArgumentParser
import ParkCore

/// A closed vocabulary of the model offered on the command line: its help lists the
/// values, and shell completions offer them, from the one list the model keeps.
/// The option stays a string, so a wrong value is refused by the model's own rule
/// (exit 65, naming the field, the value and the allowed ones).
extension Vocabulary {
    /// "a, b or c".
    static var choices: String {
        let values = allCases.map(\.rawValue)
        return values.count < 2 ? values.joined() : values.dropLast().joined(separator: ", ") + " or " + values.last!
    }

    /// `help` followed by the values, e.g. "Payment cycle: monthly, quarterly, semiannual or annual."
    static func help(_ help: String) -> ArgumentHelp {
        ArgumentHelp("\(help): \(choices).")
    }

    static var completion: CompletionKind { .list(allCases.map(\.rawValue)) }
}

extension ChecklistItem {
    /// The items with the names the checklist shows: either may be typed.
    static var itemHelp: ArgumentHelp {
        ArgumentHelp("Checklist item: \(allCases.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: ", ")).", valueName: "item")
    }
}
