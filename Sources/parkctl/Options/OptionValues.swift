import ArgumentParser
import Foundation
import ParkCore

// The values of options that are not words of a vocabulary: days, amounts of money,
// percentages and areas, each with one parser, over ParkCore's rules (Validate).
//
// They are read from the option's text in run(), not by ArgumentParser: a malformed
// value is wrong data, exit 65, with the model's message naming the field, the
// value and the rule, as it always was (the tests and scripts rely on both), not a
// usage error. `field` is the name the message uses, e.g. "start" or "list rent".

/// A day, YYYY-MM-DD, that exists and lies within ``Validate/dates``.
struct Day {
    var date: CalendarDate

    init(option text: String, field: String) throws {
        date = try Validate.date(text, field: field)
    }
}

/// An amount in 元 (a rent or fee per m² and month, a deposit): a plain decimal
/// with at most 2 decimals, kept exact as a Decimal. `positive`: more than 0, else 0
/// or more.
struct Money {
    var amount: Decimal

    init(option text: String, field: String, positive: Bool = true) throws {
        amount = try Validate.decimal(text, field: field, positive: positive)
    }
}

/// A percentage, 0 or more with at most 2 decimals and 3 digits before the point;
/// `3` and `3%` are both three percent.
struct Percent {
    var value: Decimal

    init(option text: String, field: String) throws {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        value = try Validate.decimal(number, field: field, positive: false, maxIntegerDigits: 3)
    }
}

/// An area in m², more than 0, with at most 2 decimals.
struct Area {
    var squareMetres: Decimal

    init(option text: String, field: String) throws {
        squareMetres = try Validate.decimal(text, field: field)
    }
}

/// A rate typed in percent ("9", "9%", "0.05"), kept as a fraction (0.09, 0.0005):
/// `places` decimals at most in the percent.
struct Rate {
    var fraction: Decimal

    init(percent text: String, field: String, places: Int) throws {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        fraction = try Validate.decimal(number, field: field, scale: places, positive: false, maxIntegerDigits: 3) / 100
    }
}

/// A meter's register or multiplier: 0 or more, at most 2 decimals.
struct Register {
    var value: Decimal

    init(option text: String, field: String) throws {
        value = try Validate.decimal(text, field: field, positive: false, maxIntegerDigits: 12)
    }
}

/// A price of a unit of water or electricity: 0 or more, at most 4 decimals (0.6523 元/kWh).
struct UnitPrice {
    var value: Decimal

    init(option text: String, field: String) throws {
        value = try Validate.decimal(text, field: field, scale: 4, positive: false, maxIntegerDigits: 6)
    }
}

/// `KEY=VALUE` of a repeated option (`--tier 2000=0.80`); `form` says what is expected.
func keyValue(_ text: String, option: String, form: String) throws -> (String, String) {
    let parts = text.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--\(option) '\(text)' is \(form)") }
    return (parts[0], parts[1])
}
