/// The legal-aid state machine: which stage each transition leads to from which stage. The same
/// pairs are enforced by the `legal_case_stage_guard` trigger.
public enum LegalWorkflow {
    /// What a transition needs to know to pick its target stage.
    public enum Choice: Sendable, Equatable {
        case none
        /// A decision or review outcome: eligible (granted / overturned) or not.
        case eligible(Bool)
        /// Closing: whether it is a withdrawal by the applicant.
        case withdrawal(Bool)
    }

    /// Every allowed (from, to) pair.
    public static let edges: Set<[LegalStage]> = [
        [.intake, .eligible], [.intake, .refused], [.intake, .closed],
        [.refused, .eligible], [.refused, .refusalUpheld],
        [.eligible, .assigned], [.eligible, .closed],
        [.assigned, .assigned], [.assigned, .inProgress], [.assigned, .closed],
        [.inProgress, .closed],
    ]

    /// The stage `action` leads to from `stage`, or nil when it cannot be taken there.
    public static func target(of action: LegalAction, from stage: LegalStage, choice: Choice = .none) -> LegalStage? {
        let target: LegalStage?
        switch (action, stage, choice) {
        case (.decide, .intake, .eligible(let granted)):
            target = granted ? .eligible : .refused
        case (.review, .refused, .eligible(let overturned)):
            target = overturned ? .eligible : .refusalUpheld
        case (.assign, .eligible, _), (.assign, .assigned, _):
            target = .assigned
        case (.firstContact, .assigned, _):
            target = .inProgress
        case (.close, .inProgress, .withdrawal):
            target = .closed
        case (.close, .intake, .withdrawal(true)), (.close, .eligible, .withdrawal(true)), (.close, .assigned, .withdrawal(true)):
            target = .closed
        default:
            target = nil
        }
        guard let target, Self.edges.contains([stage, target]) else { return nil }
        return target
    }

    /// Stages from which `action` can be taken with some choice.
    public static func sources(of action: LegalAction) -> Set<LegalStage> {
        let choices: [Choice] = [.none, .eligible(true), .eligible(false), .withdrawal(true), .withdrawal(false)]
        return Set(LegalStage.allCases.filter { stage in choices.contains { Self.target(of: action, from: stage, choice: $0) != nil } })
    }
}
