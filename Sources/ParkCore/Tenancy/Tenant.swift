import Foundation
import Postgres

/// A company that rents, or wants to rent, in the group's parks.
public struct Tenant: Sendable, Equatable {
    public var name: String
    /// 简称, up to 8 characters: what narrow tables and the stacking plan show.
    public var shortName: String?
    public var creditCode: String
    public var industry: String
    public var contact: String
    public var phone: String
    public var email: String?
}

/// A tenant's application to one park, on its way to move-in (and later out).
public struct Onboarding: Sendable, Equatable {
    public var tenant: Tenant
    public var park: String
    public var stage: OnboardingStage
    public var wantedAreaM2: Decimal?
    public var wantedKind: UnitKind?
    public var overrideReason: String?
    public var appliedAt: Date
    public var steps: [Step]
    public var checklist: [Check]
    /// Ticks undone by mistake (`tenant uncheck`), oldest first.
    public var undone: [Undone] = []

    public struct Undone: Sendable, Equatable {
        public var item: ChecklistItem
        public var doneAt: Date
        public var undoneAt: Date
        public var undoneBy: String
        public var reason: String
    }

    /// One dated move of the application.
    public struct Step: Sendable, Equatable {
        public var from: OnboardingStage?
        public var to: OnboardingStage
        public var on: CalendarDate
        public var at: Date
        public var actor: String
        public var reason: String?
    }

    /// One checklist item, done or not.
    public struct Check: Sendable, Equatable {
        public var item: ChecklistItem
        public var doneAt: Date?
        public var actor: String?
        public var note: String?
    }

    public var checklistComplete: Bool { checklist.allSatisfy { $0.doneAt != nil } }
}
