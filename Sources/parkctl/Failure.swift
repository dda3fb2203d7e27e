import ArgumentParser
import ParkCore

/// What parkctl says and returns when a command fails.
struct Failure {
    var message: String
    var status: Int32

    static let usage: Int32 = 64       // EX_USAGE
    static let dataError: Int32 = 65   // EX_DATAERR
    static let unavailable: Int32 = 69 // EX_UNAVAILABLE
    static let software: Int32 = 70    // EX_SOFTWARE
    static let noPermission: Int32 = 77 // EX_NOPERM

    /// A message safe for a terminal: control characters (an echoed value may hold
    /// escape sequences) are shown as `\u{1B}`, a password in an echoed URL or
    /// `password=` as `***`, and a huge echoed value is cut.
    static func printable(_ message: String, limit: Int = 2_000) -> String {
        let out = Validate.escapingControlCharacters(hidingPasswords(message), keeping: ["\n", "\t"])
        guard out.count > limit else { return out }
        return String(out.prefix(limit * 3 / 4)) + " … (\(out.count - limit) characters left out) … " + String(out.suffix(limit / 4))
    }

    /// `postgresql://user:secret@host` → `postgresql://user:***@host`; `password=secret` → `password=***`
    /// (a URL typed where an argument was expected is echoed by the parser).
    /// The patterns are bounded (a scheme of at most 32 characters, a user name of at
    /// most 256, a password of at most 512), so that a huge echoed value costs linear
    /// time, not quadratic.
    static func hidingPasswords(_ text: String) -> String {
        var text = text
        if text.contains("://") {
            text = text.replacing(/(?<scheme>[A-Za-z][A-Za-z0-9+.\-]{0,31}:\/\/[^:\/@\s]{0,256}:)[^@\s]{1,512}@/) { "\($0.output.scheme)***@" }
        }
        if text.localizedCaseInsensitiveContains("password") {
            text = text.replacing(/(?<key>(?i)password\s{0,8}=\s{0,8})(?:'(?:[^'\\]|\\.)*'|[^\s']+)/) { "\($0.output.key)***" }
        }
        return text
    }

    /// ParkCore has said what went wrong (``ParkError/init(_:)``); the CLI only picks
    /// the exit status for its kind.
    init(_ error: Error) {
        if let error = error as? ValidationError {
            message = error.message
            status = Self.usage
            return
        }
        let error = ParkError(error)
        message = error.message(in: OutputLanguage.current)
        status = switch error.kind {
        case .invalidInput, .notFound, .conflict: Self.dataError
        case .busy, .unavailable: Self.unavailable
        case .forbidden: Self.noPermission
        case .internalError: Self.software
        }
    }
}
