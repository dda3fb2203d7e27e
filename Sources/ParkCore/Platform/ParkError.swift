/// An error the park's staff can act on, with the class of failure that decides
/// parkctl's exit status. Every error ParkCore lets out is one of these, or becomes
/// one through ``ParkError/init(_:)`` (the one place where SQLSTATEs become words).
public struct ParkError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Input breaks a rule of the model (exit 65).
        case invalidInput
        /// A named park, building, unit, tenant or lease does not exist (exit 65).
        case notFound
        /// The change conflicts with what is recorded (exit 65).
        case conflict
        /// The member of staff may not do this, or not in that park (exit 77).
        case forbidden
        /// Another session holds what the command needs, or it ran out of time: the
        /// command changed nothing and may simply be tried again (exit 69).
        case busy
        /// The database cannot be reached or set up (exit 69).
        case unavailable
        /// A bug or an unexpected state (exit 70).
        case internalError
    }

    public var kind: Kind
    /// The message, in English.
    public var message: String
    /// The message in other languages, for the common errors that the catalogue words.
    public var translations: [Language: String] = [:]

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error worded by the catalogue: `words` gives its message in a language.
    public static func worded(_ kind: Kind, _ words: (Language) -> String) -> ParkError {
        var error = ParkError(kind, words(.en))
        for language in Language.allCases where language != .en { error.translations[language] = words(language) }
        return error
    }

    /// The message in `language` (English where the catalogue has no words for it).
    public func message(in language: Language) -> String { translations[language] ?? message }

    public static func invalid(_ message: String) -> ParkError { ParkError(.invalidInput, message) }
    public static func notFound(_ message: String) -> ParkError { ParkError(.notFound, message) }
    public static func unavailable(_ message: String) -> ParkError { ParkError(.unavailable, message) }

    public var description: String { message }
}
