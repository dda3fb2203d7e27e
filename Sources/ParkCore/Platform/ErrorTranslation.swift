import Postgres

// The one place where what the database or the platform says becomes what the staff
// read: SQLSTATEs, constraint names and lock waits turn into a `ParkError` whose kind
// decides the exit status. The CLI never sees a `PostgresError`.

extension ParkError {
    /// `error` in the staff's terms. A `ParkError` stays as it is; an error nobody
    /// expected is an internal error that says what it was.
    public init(_ error: any Error) {
        switch error {
        case let error as ParkError:
            self = error
        case let error as PostgresError:
            self = Self.translated(error)
        case let error as MigrationBlocked:
            self = ParkError(.conflict, error.description)
        default:
            self = ParkError(.internalError, "internal error: \(error)")
        }
    }

    static func translated(_ error: PostgresError) -> ParkError {
        if error.isConnectionError { return ParkError(.unavailable, error.description) }
        guard error.kind == .server, let state = error.sqlState else {
            return ParkError(.internalError, error.debugDescription)
        }
        switch state {
        case .lockNotAvailable:
            // The server names the table only in the context: `... in relation "unit"`.
            let relation = error.table ?? error.context.flatMap { context -> String? in
                guard let r = context.range(of: "in relation \""), let end = context[r.upperBound...].firstIndex(of: "\"") else { return nil }
                return String(context[r.upperBound..<end])
            }
            return ParkError(.busy, "gave up waiting: \(relation.map { "a row of \($0)" } ?? "the data") is locked by another session "
                + "(a command in progress elsewhere); try again, or raise --lock-timeout")
        case .insufficientPrivilege:
            return forbidden(error)
        case .serializationFailure, .deadlockDetected:
            // The transaction was already tried again (Connection.transaction's bounded retry).
            return ParkError(.busy, "gave up: the change kept colliding with other sessions' changes ("
                + (error.isDeadlock ? "deadlock" : "serialization failure") + "), even after retrying; nothing was changed; try again")
        case .queryCanceled:
            return ParkError(.busy, "the statement ran longer than --timeout and was cancelled; nothing was changed")
        case .exclusionViolation:
            // Services that can name the holder do so (LeaseService.withOverlapMessage);
            // the others say the rule when it is known.
            if let constraint = error.constraint, let rule = ConstraintMessages.rule(constraint) {
                return ParkError(.conflict, "\(rule) (rule \(constraint))")
            }
            return ParkError(.conflict, error.description)
        case .integrityConstraintViolation, .dataException:
            return refused(error, state: state)
        case .dataCorrupted, .indexCorrupted:
            // A page failed its checksum or its structure: no retry or rewording helps.
            return ParkError(.internalError, "PostgreSQL found damaged data (\(error.message)): the disk or memory under the database "
                + "is failing. Nothing was changed. Run `parkctl db check` to see what is damaged, copy the cluster folder aside, "
                + "and restore the newest backup that verifies (parkctl db restore BACKUP --replace)")
        default:
            return ParkError(.internalError, error.debugDescription)
        }
    }

    /// A constraint or a value the database refused, with the rule's words when the
    /// rule is known (``ConstraintMessages``).
    static func refused(_ error: PostgresError, state: SQLState) -> ParkError {
        let rule = error.constraint.flatMap(ConstraintMessages.rule) ?? error.message
        let kind: ParkError.Kind = state == .uniqueViolation ? .conflict : .invalidInput
        return ParkError(kind, "\(rule)\(error.constraint.map { " (rule \($0))" } ?? "")")
    }

    /// A refusal by the grants or the park scope, said in the staff's terms.
    static func forbidden(_ error: PostgresError) -> ParkError {
        let message = error.message
        if message.hasPrefix("new row violates row-level security policy") {
            let table = error.table ?? message.split(separator: "\"").dropFirst().first.map(String.init) ?? "the table"
            switch table {
            case "service_level":
                return ParkError(.forbidden, "not allowed: service levels are group-wide; only staff of every park may change them")
            case "calendar_day", "work_hours":
                return ParkError(.forbidden, "not allowed: holidays and working hours without --park are group-wide; "
                                 + "only staff of every park may change them (give --park with one of your parks)")
            case "park":
                return ParkError(.forbidden, "not allowed: parks are added by admins of every park")
            default:
                break
            }
            return ParkError(.forbidden, "not allowed: the \(table) would belong to a park outside your parks")
        }
        if message == "permission denied for table bill_waiver" {
            return ParkError(.forbidden, "not allowed: waiving a bill (减免) is for admins (permission denied for table bill_waiver)")
        }
        if message.hasPrefix("permission denied for ") {
            let object = message.dropFirst("permission denied for ".count)
            return ParkError(.forbidden, "not allowed: your staff role may not do this (permission denied for \(object))")
        }
        return ParkError(.forbidden, "not allowed: \(message)")
    }

    /// Runs `body`, turning a statement's refusal into a `ParkError` as soon as it
    /// happens, inside the service, so that a service may still catch the ones it can
    /// say better: an exclusion violation passes through untranslated for
    /// `LeaseService.withOverlapMessage`, and so do lost connections and lock waits,
    /// which stay `PostgresError`s for the transaction's retry until `ParkError(_:)`.
    static func translatingRefusals<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where isRefusal(error) {
            throw translated(error)
        }
    }

    /// A grant or a rule of the data refused the statement (not an exclusion violation).
    static func isRefusal(_ error: PostgresError) -> Bool {
        guard error.kind == .server, let state = error.sqlState, state != .exclusionViolation else { return false }
        return state == .insufficientPrivilege || state.codeClass == .integrityConstraintViolation || state.codeClass == .dataException
    }
}
