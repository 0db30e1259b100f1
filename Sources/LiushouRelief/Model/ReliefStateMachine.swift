import LiushouAccess

/// The relief workflow: every legal transition, the state it leaves from, the state it reaches and
/// the permission it needs. The database holds the same edges (`relief_state_edge`) and refuses any
/// other change of state; a test keeps the two equal.
public enum ReliefStateMachine {
    /// One legal transition.
    public struct Edge: Sendable, Hashable {
        public var from: ReliefState
        public var action: ReliefAction
        public var to: ReliefState
    }

    /// The legal transitions. An appeal sends a rejected case back to the town's decision.
    public static let edges: [Edge] = [
        Edge(from: .submitted, action: .review, to: .villageReviewed),
        Edge(from: .villageReviewed, action: .approve, to: .approved),
        Edge(from: .villageReviewed, action: .reject, to: .rejected),
        Edge(from: .approved, action: .pay, to: .paid),
        Edge(from: .paid, action: .close, to: .closed),
        Edge(from: .submitted, action: .withdraw, to: .withdrawn),
        Edge(from: .villageReviewed, action: .withdraw, to: .withdrawn),
        Edge(from: .rejected, action: .appeal, to: .villageReviewed),
    ]

    /// How many appeals a case may have.
    public static let maxAppeals = 1

    /// The state `action` leads to from `state`, or `nil` when it is not legal there.
    public static func target(of action: ReliefAction, from state: ReliefState) -> ReliefState? {
        self.edges.first { $0.from == state && $0.action == action }?.to
    }

    /// The actions legal from a state.
    public static func actions(from state: ReliefState) -> [ReliefAction] {
        self.edges.filter { $0.from == state }.map(\.action)
    }

    /// The roles that may take `action` (the holders of its permission).
    public static func roles(for action: ReliefAction) -> Set<Role> {
        action.permission.roles
    }
}
