import Crypto
import Foundation
import LiushouHTTP
import LiushouPostgres

/// A step requested on a case (`POST /v1/relief/cases/{id}/transitions`).
public struct ReliefTransitionInput: Sendable, Codable, Equatable {
    /// How a payment was made.
    public enum Channel: String, Sendable, Codable {
        case bankTransfer = "bank_transfer"
        case socialSecurityCard = "social_security_card"
        case cash
    }

    public var action: ReliefAction
    /// The reviewer's note, the reason of a rejection, the grounds of an appeal.
    public var comment: String?
    /// Granted (approve) or paid (pay), in fen.
    public var amountFen: Int64?
    public var paidOn: LocalDate?
    public var channel: Channel?

    /// The comment without surrounding white space, `nil` when blank.
    public var trimmedComment: String? {
        let text = self.comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? nil : text
    }

    /// Problems of the request for a case; `today` and `decidedOn` are China Standard Time dates.
    public func problems(granted: Int64?, maxAmount: Int64?, today: LocalDate, decidedOn: LocalDate?) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if (self.comment?.unicodeScalars.count ?? 0) > 2000 { errors.append(.init(field: "comment", message: "must have at most 2000 characters")) }
        if [.reject, .withdraw, .appeal].contains(self.action), self.trimmedComment == nil {
            errors.append(.init(field: "comment", message: "give the reason for \(self.action.rawValue)"))
        }
        let needsAmount: Set<ReliefAction> = [.approve, .pay]
        if needsAmount.contains(self.action) {
            let ceiling = self.action == .pay ? (granted ?? 0) : min(maxAmount ?? ReliefCaseInput.maxAmountFen, ReliefCaseInput.maxAmountFen)
            if let amount = self.amountFen {
                if amount < 1 || amount > ceiling {
                    errors.append(.init(field: "amountFen", message: "must be 1 to \(ceiling) fen"))
                }
            } else {
                errors.append(.init(field: "amountFen", message: "is required to \(self.action.rawValue)"))
            }
        } else if self.amountFen != nil {
            errors.append(.init(field: "amountFen", message: "only approve and pay carry an amount"))
        }
        if self.action == .pay {
            if let paidOn = self.paidOn {
                if paidOn > today { errors.append(.init(field: "paidOn", message: "is in the future")) }
                if let decidedOn, paidOn < decidedOn { errors.append(.init(field: "paidOn", message: "is before the decision")) }
            } else {
                errors.append(.init(field: "paidOn", message: "is required to pay"))
            }
            if self.channel == nil { errors.append(.init(field: "channel", message: "is required to pay")) }
        } else {
            if self.paidOn != nil { errors.append(.init(field: "paidOn", message: "only pay carries a date")) }
            if self.channel != nil { errors.append(.init(field: "channel", message: "only pay carries a channel")) }
        }
        return errors
    }

    /// SHA-256 of the request, hex: a retry under the same Idempotency-Key must match it.
    public var requestHash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
