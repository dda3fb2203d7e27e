import Foundation

/// One change recorded by the database's audit trigger.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int
    public var at: Date
    /// The login (or, for the database owner, the name given with --actor).
    public var actor: String
    /// The login's display name (李雷), when it has one.
    public var actorName: String?
    public var entity: String
    public var key: String
    public var label: String?
    public var action: String
    public var park: String?
    /// For an update, the fields that changed, `field: old → new`; for an insert or
    /// delete, the row's main fields.
    public var changes: String
    /// Why, when the change was made with a reason (`unit set … --reason`).
    public var reason: String?
}
