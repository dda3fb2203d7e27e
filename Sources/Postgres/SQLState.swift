/// A five-character SQLSTATE code, or a two-character class of codes.
///
/// `SQLState` is open: any code the server sends can be represented, and the
/// named constants cover the ones parkctl reacts to. A two-character value is a
/// *class* and matches every code in it with `~=`:
///
/// ```swift
/// switch error.sqlState {
/// case .uniqueViolation?: print("already exists")
/// case .integrityConstraintViolation?: print("some other constraint") // class "23"
/// default: throw error
/// }
/// ```
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The two-character class, e.g. `"23"` for integrity constraint violations.
    public var codeClass: SQLState { SQLState(String(rawValue.prefix(2))) }

    /// Whether this value names a whole class rather than one code.
    public var isClass: Bool { rawValue.count == 2 }

    public var description: String { rawValue }

    /// A class pattern matches every code of the class; a code matches itself.
    public static func ~= (pattern: SQLState, value: SQLState) -> Bool {
        pattern.isClass ? value.rawValue.hasPrefix(pattern.rawValue) : pattern == value
    }

    /// Lets `case .uniqueViolation?` style patterns work on optional codes too.
    public static func ~= (pattern: SQLState, value: SQLState?) -> Bool {
        guard let value else { return false }
        return pattern ~= value
    }

    // Classes
    public static let connectionException = SQLState("08")
    public static let dataException = SQLState("22")
    public static let integrityConstraintViolation = SQLState("23")
    public static let transactionRollback = SQLState("40")
    public static let syntaxErrorOrAccessRuleViolation = SQLState("42")
    public static let insufficientResources = SQLState("53")
    public static let internalError = SQLState("XX")
    public static let dataCorrupted = SQLState("XX001")
    public static let indexCorrupted = SQLState("XX002")
    public static let operatorIntervention = SQLState("57")

    // Codes
    public static let notNullViolation = SQLState("23502")
    public static let foreignKeyViolation = SQLState("23503")
    public static let uniqueViolation = SQLState("23505")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let objectInUse = SQLState("55006")
    public static let lockNotAvailable = SQLState("55P03")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let invalidDatetimeFormat = SQLState("22007")
    public static let datetimeFieldOverflow = SQLState("22008")
    public static let numericValueOutOfRange = SQLState("22003")
    public static let stringDataRightTruncation = SQLState("22001")
    public static let characterNotInRepertoire = SQLState("22021")
    public static let undefinedTable = SQLState("42P01")
    public static let insufficientPrivilege = SQLState("42501")
    public static let raiseException = SQLState("P0001")
}
