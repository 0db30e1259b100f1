import Foundation

/// A case awaiting a decision past its deadline, as the town's overdue list shows it.
struct ReliefOverdueCase: Encodable {
    var caseId: UUID
    var personId: UUID
    var personName: String?
    var villageName: String?
    var typeKey: String
    var typeName: String
    var urgency: String
    var state: String
    var submittedAt: Date
    var decisionDueAt: Date
    var hoursLate: Int
}
