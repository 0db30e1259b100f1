import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/learning-plans`, `/v1/persons/:id/learning-plans`: learning help plans (学习帮扶计划) linked to
/// the child's learning-buddy pairing where one exists, and their progress checks (进步档案).
struct LearningPlanController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    struct Items: Encodable {
        var personId: UUID
        var items: [LearningPlan]
    }

    /// Draws up a plan for a child on the caller's roll; a retry with the same id and content answers the stored plan.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: LearningPlanInput.self, context: context)
        var pairing: UUID? = nil
        let (plan, created) = try await RollRecords.create(
            input,
            record: "learning plan",
            primaryKey: "learning_plan_pkey",
            errors: SchoolRules.problems(input, today: self.clock.today()),
            timeline: ("school.learning_plan", "学习帮扶计划（\(input.startOn) 起）"),
            database: self.database,
            caller: caller,
            stored: { try await LearningPlanStore.plan(input.id, in: $0).map { ($0.plan, $0.hash) } },
            check: { _, errors, transaction in
                pairing = try await LearningPlanStore.pairing(for: input, in: transaction)
                if input.pairingId != nil, pairing == nil {
                    errors.append(.init(field: "pairingId", message: "is not a learning-buddy pairing of the child"))
                }
            },
            insert: { try await LearningPlanStore.insert(input, membership: $0, pairing: pairing, caller: caller, in: $1) }
        )
        return try JSONResponse(plan, status: created ? .created : .ok)
    }

    /// Records a progress check of a plan at the caller's school; a retry with the same id and content answers the stored check.
    @Sendable func addCheck(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let planID = try context.uuidParameter("id")
        let input = try await request.decodeJSON(as: LearningCheckInput.self, context: context)
        let today = self.clock.today()
        let (check, created) = try await DuplicateRetry.once(primaryKey: "learning_check_pkey", uniqueProblems: SchoolConstraints.problems) {
            try await self.database.transaction(for: caller) { transaction in
                guard let plan = try await LearningPlanStore.plan(planID, in: transaction)?.plan else {
                    throw Problem.notFound("No such learning plan.")
                }
                if let stored = try await LearningPlanStore.check(input.id, in: transaction) {
                    guard stored.hash == ContentHash.of(input), stored.check.planId == planID else { throw Problem.idConflict("progress check") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored.check, false)
                }
                guard let school = try await SchoolLookup.find(plan.schoolId, in: transaction), caller.covers(school.path, in: .school) else {
                    throw Problem.forbidden("The plan's school records its progress checks.")
                }
                var errors: [Problem.FieldError] = []
                SchoolRules.date(input.checkedOn, "checkedOn", today: today, into: &errors)
                if input.checkedOn < plan.startOn { errors.append(.init(field: "checkedOn", message: "is before the plan started")) }
                SchoolRules.text(input.notes, "notes", max: 2000, into: &errors)
                if !errors.isEmpty { throw Problem.validation(errors) }
                try await LearningPlanStore.insert(input, plan: plan, caller: caller, in: transaction)
                try await PersonTimeline.append(
                    .init(
                        person: plan.personId,
                        module: "schools",
                        kind: "school.learning_check",
                        summary: "学习进步档案（\(input.checkedOn)）",
                        caller: caller,
                        record: input.id
                    ),
                    in: transaction
                )
                guard let stored = try await LearningPlanStore.check(input.id, in: transaction) else { throw Problem.internalError }
                return (stored.check, true)
            }
        }
        return try JSONResponse(check, status: created ? .created : .ok)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let items = try await self.database.transaction(for: caller) { transaction in
            guard try await SchoolLookup.personVisible(id, in: transaction) else { throw Problem.noSuchPerson }
            return try await LearningPlanStore.plans(ofPerson: id, in: transaction)
        }
        return try JSONResponse(Items(personId: id, items: items))
    }
}
