import ArgumentParser
import ParkCore
import Postgres

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
    /// escape sequences) are shown as `\u{1B}`, and a huge echoed value is cut.
    static func printable(_ message: String, limit: Int = 2_000) -> String {
        let out = Validate.escapingControlCharacters(message, keeping: ["\n", "\t"])
        guard out.count > limit else { return out }
        return String(out.prefix(limit * 3 / 4)) + " … (\(out.count - limit) characters left out) … " + String(out.suffix(limit / 4))
    }

    init(_ error: Error) {
        switch error {
        case let error as ParkError:
            message = error.message
            status = switch error.kind {
            case .invalidInput, .notFound, .conflict: Self.dataError
            case .unavailable: Self.unavailable
            case .forbidden: Self.noPermission
            case .internalError: Self.software
            }
        case let error as PostgresError where error.sqlState == .lockNotAvailable:
            // The server names the table only in the context: `... in relation "unit"`.
            let relation = error.table ?? error.context.flatMap { context -> String? in
                guard let r = context.range(of: "in relation \""), let end = context[r.upperBound...].firstIndex(of: "\"") else { return nil }
                return String(context[r.upperBound..<end])
            }
            message = "gave up waiting: \(relation.map { "a row of \($0)" } ?? "the data") is locked by another session "
                + "(a command in progress elsewhere); try again, or raise --lock-timeout"
            status = Self.unavailable
        case let error as PostgresError where error.sqlState == .insufficientPrivilege:
            message = ConstraintMessages.forbidden(error).message
            status = Self.noPermission
        case let error as PostgresError where error.isRetryable:
            // The transaction was already tried again (Connection.transaction's bounded retry).
            message = "gave up: the change kept colliding with other sessions' changes ("
                + (error.isDeadlock ? "deadlock" : "serialization failure") + "), even after retrying; nothing was changed; try again"
            status = Self.unavailable
        case let error as PostgresError where error.sqlState == .queryCanceled:
            message = "the statement ran longer than --timeout and was cancelled; nothing was changed"
            status = Self.unavailable
        case let error as PostgresError:
            message = error.description
            if error.isConnectionError {
                status = Self.unavailable
            } else if let state = error.sqlState, state.codeClass == .dataException || state.codeClass == .integrityConstraintViolation {
                status = Self.dataError
            } else {
                status = Self.software
                message = error.debugDescription
            }
        case let error as MigrationBlocked:
            message = error.description
            status = Self.dataError
        case let error as ValidationError:
            message = error.message
            status = Self.usage
        default:
            message = "internal error: \(error)"
            status = Self.software
        }
    }
}
