import Foundation
import LiushouHTTP
import LiushouPostgres

/// Content rules for applications and transitions (field paths as in the JSON).
enum LegalRules {
    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func problems(_ input: LegalCaseInput) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if input.matter.range(of: #"\A[a-z][a-z0-9_]{1,39}\z"#, options: .regularExpression) == nil {
            errors.append(.init(field: "matter", message: "must be a matter's code"))
        }
        if input.parties.count > 20 { errors.append(.init(field: "parties", message: "name at most 20 other parties")) }
        for (index, party) in input.parties.enumerated() where !(1...50).contains(Self.trimmed(party).count) {
            errors.append(.init(field: "parties[\(index)]", message: "a name of 1 to 50 characters"))
        }
        if !(1...8000).contains(Self.trimmed(input.facts).unicodeScalars.count) {
            errors.append(.init(field: "facts", message: "describe the facts (1 to 8000 characters)"))
        }
        if let guardian = input.guardian {
            if !(1...50).contains(Self.trimmed(guardian.name).unicodeScalars.count) {
                errors.append(.init(field: "guardian.name", message: "must have 1 to 50 characters"))
            }
            if !(1...20).contains(Self.trimmed(guardian.relationship).unicodeScalars.count) {
                errors.append(.init(field: "guardian.relationship", message: "must have 1 to 20 characters"))
            }
        }
        if (input.channel == .followUp) != (input.followUpId != nil) {
            errors.append(.init(field: "followUpId", message: "give the follow-up exactly when the channel is follow_up"))
        }
        return errors
    }

    /// Problems of a transition's body that do not depend on the stored case.
    static func problems(_ input: LegalTransitionInput, for action: LegalAction, today: LocalDate, now: Date) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        let reason = input.reason.map(Self.trimmed)
        switch action {
        case .decide:
            switch input.eligible {
            case nil:
                errors.append(.init(field: "eligible", message: "say whether the case is eligible"))
            case true?:
                if input.basis == nil { errors.append(.init(field: "basis", message: "give the ground of eligibility")) }
            case false?:
                if !(1...2000).contains(reason?.unicodeScalars.count ?? 0) {
                    errors.append(.init(field: "reason", message: "a refusal needs a reason (1 to 2000 characters)"))
                }
            }
        case .review:
            if input.decision == nil { errors.append(.init(field: "decision", message: "overturn or uphold")) }
            if input.decision == .overturn, input.basis == nil { errors.append(.init(field: "basis", message: "give the ground of eligibility")) }
            if !(1...2000).contains(reason?.unicodeScalars.count ?? 0) {
                errors.append(.init(field: "reason", message: "a review needs a reason (1 to 2000 characters)"))
            }
        case .assign:
            if (input.officerAccountId == nil) == (input.lawyer == nil) {
                errors.append(.init(field: "officerAccountId", message: "assign either an officer or a lawyer"))
            }
            if let lawyer = input.lawyer {
                if !(1...50).contains(Self.trimmed(lawyer.name).unicodeScalars.count) {
                    errors.append(.init(field: "lawyer.name", message: "must have 1 to 50 characters"))
                }
                if !(1...100).contains(Self.trimmed(lawyer.firm).unicodeScalars.count) {
                    errors.append(.init(field: "lawyer.firm", message: "must have 1 to 100 characters"))
                }
                if lawyer.licenceNumber.range(of: #"\A[0-9A-Za-z]{5,30}\z"#, options: .regularExpression) == nil {
                    errors.append(.init(field: "lawyer.licenceNumber", message: "must be 5 to 30 letters or digits"))
                }
            }
        case .firstContact:
            if input.mode == nil { errors.append(.init(field: "mode", message: "say how the case is handled: mediation, litigation or advice")) }
            if let at = input.contactedAt, at > now.addingTimeInterval(600) {
                errors.append(.init(field: "contactedAt", message: "is in the future"))
            }
        case .close:
            if input.outcome == nil { errors.append(.init(field: "outcome", message: "give the outcome")) }
            if let closedOn = input.closedOn, closedOn > today { errors.append(.init(field: "closedOn", message: "is in the future")) }
            if (input.summary.map(Self.trimmed)?.unicodeScalars.count ?? 0) > 2000 {
                errors.append(.init(field: "summary", message: "must have at most 2000 characters"))
            }
        }
        return errors
    }
}
