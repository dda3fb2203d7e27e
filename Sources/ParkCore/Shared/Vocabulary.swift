import Postgres

/// The closed vocabularies of the model. Each parses user input with a message
/// that lists what is allowed (exit 65, the user's mistake), and is read from the
/// database by its codec (a stored value with no case is an internal error, exit 70).
public protocol Vocabulary: RawRepresentable<String>, CaseIterable, Sendable, Hashable, PostgresCodable {
    static var fieldName: String { get }
}

extension Vocabulary {
    public static func parse(_ text: String) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw ParkError.invalid("\(fieldName) '\(text)' is not one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

public enum ParkKind: String, Vocabulary {
    case software, ecommerce, factory, mixed
    public static let fieldName = "park kind"
}

public enum UnitKind: String, Vocabulary {
    case office, factory
    case liveRoom = "live_room"
    case selectionCenter = "selection_center"
    case warehouse, showroom, retail, dormitory
    public static let fieldName = "unit kind"
}

public enum OnboardingStage: String, Vocabulary {
    case applied, approved, rejected
    case leaseSigned = "lease_signed"
    case fittingOut = "fitting_out"
    case movedIn = "moved_in"
    case exiting, exited
    public static let fieldName = "stage"

    // The moves between stages are the database's (table onboarding_transition, which
    // its trigger enforces); the application's service reads them from there.

    /// Still in progress (not rejected and not gone).
    public var isLive: Bool { self != .rejected && self != .exited }
}

public enum ChecklistItem: String, Vocabulary {
    case businessLicense = "business_license"
    case fireSafety = "fire_safety"
    case fitOutPlan = "fit_out_plan"
    case depositPaid = "deposit_paid"
    case keysHanded = "keys_handed"
    public static let fieldName = "checklist item"

    /// An item by its code (deposit_paid) or by the name the checklist shows (押金).
    public static func parse(_ text: String) throws -> ChecklistItem {
        if let item = allCases.first(where: { $0.chineseName == text }) { return item }
        guard let item = ChecklistItem(rawValue: text) else {
            throw ParkError.invalid("\(fieldName) '\(text)' is not one of: "
                                    + allCases.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: ", "))
        }
        return item
    }

    public var chineseName: String {
        switch self {
        case .businessLicense: "营业执照"
        case .fireSafety: "消防验收"
        case .fitOutPlan: "装修方案"
        case .depositPaid: "押金"
        case .keysHanded: "钥匙交接"
        }
    }
}

public enum TicketCategory: String, Vocabulary {
    case repair, property, network, security, cleaning, policy, financing, other
    public static let fieldName = "category"
}

public enum TicketPriority: String, Vocabulary {
    case urgent, high, normal, low
    public static let fieldName = "priority"
}

public enum TicketStatus: String, Vocabulary {
    case open, assigned
    case inProgress = "in_progress"
    case resolved, closed, cancelled
    public static let fieldName = "ticket status"

    // The moves between statuses are the database's (table ticket_transition); each
    // ticket command allows the subset that it means (start and reopen both lead to
    // in_progress, from different statuses), and the database refuses anything else.
}

public enum SLAClock: String, Vocabulary {
    case working
    case roundTheClock = "24x7"
    public static let fieldName = "clock"
}
