import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/learning-plans`, `/v1/persons/:id/learning-plans`: learning help plans (学习帮扶计划) linked to
/// the child's learning-buddy pairing where one exists, and their progress checks (进步档案).
public struct LearningPlanController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var personId: UUID
        var items: [LearningPlan]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/learning-plans", .permission(.schoolsCare)) { request, context, caller in
            let input = try await request.decodeJSON(as: LearningPlanInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (plan, created) = try await DuplicateRetry.once(primaryKey: "learning_plan_pkey", uniqueProblems: SchoolConstraints.problems) {
                try await self.database.transaction(for: caller) { transaction in
                    if let stored = try await LearningPlanStore.plans(where: "l.id = \(input.id)", in: transaction).first {
                        guard stored.hash == ContentHash.of(input) else { throw Problem.idConflict("learning plan") }
                        return (stored.plan, false)
                    }
                    let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                    var errors = Self.problems(input, today: today)
                    if membership == nil { errors.append(.init(field: "personId", message: "is not on your school's roll")) }
                    let pairing = try await self.pairing(for: input, in: transaction)
                    if input.pairingId != nil, pairing == nil {
                        errors.append(.init(field: "pairingId", message: "is not a learning-buddy pairing of the child"))
                    }
                    guard errors.isEmpty, let membership else { throw Problem.validation(errors) }
                    try await transaction.query("""
                        insert into learning_plan (id, person_id, enrolment_id, school_id, subjects, goals, measures, start_on, review_on, pairing_id,
                            teacher_account_id, teacher_name, content_hash)
                        values (\(input.id), \(input.personId), \(membership.enrolmentId), \(membership.schoolId), \(input.subjects.map(\.rawValue)),
                            \(input.goals.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.measures), \(input.startOn), \(input.reviewOn), \(pairing),
                            \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
                        """)
                    try await Timeline.add(input.personId, kind: "school.learning_plan", summary: "学习帮扶计划（\(input.startOn) 起）", caller: caller,
                                           record: input.id, in: transaction)
                    guard let stored = try await LearningPlanStore.plans(where: "l.id = \(input.id)", in: transaction).first else { throw Problem.internalError }
                    return (stored.plan, true)
                }
            }
            return try JSONResponse(plan, status: created ? .created : .ok)
        }
        routes.on(.post, "/v1/learning-plans/:id/checks", .permission(.schoolsCare)) { request, context, caller in
            let planID = try context.uuidParameter("id")
            let input = try await request.decodeJSON(as: LearningCheckInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (check, created) = try await DuplicateRetry.once(primaryKey: "learning_check_pkey", uniqueProblems: SchoolConstraints.problems) {
                try await self.database.transaction(for: caller) { transaction in
                    guard let plan = try await LearningPlanStore.plans(where: "l.id = \(planID)", in: transaction).first?.plan else {
                        throw Problem.notFound("No such learning plan.")
                    }
                    let columns: SQLQuery = "c.id, c.plan_id, c.checked_on, c.progress, c.notes, c.checked_by_name, c.content_hash"
                    if let row = try await transaction.query("select \(columns) from learning_check c where c.id = \(input.id)").first {
                        guard try row.decode("content_hash", as: Data.self) == ContentHash.of(input), try row.decode("plan_id", as: UUID.self) == planID else {
                            throw Problem.idConflict("progress check")
                        }
                        return (try LearningPlanStore.check(row), false)
                    }
                    guard let school = try await SchoolLookup.find(plan.schoolId, in: transaction), caller.covers(school.path, in: .school) else {
                        throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: "The plan's school records its progress checks.")
                    }
                    var errors: [Problem.FieldError] = []
                    SchoolRules.date(input.checkedOn, "checkedOn", today: today, into: &errors)
                    if input.checkedOn < plan.startOn { errors.append(.init(field: "checkedOn", message: "is before the plan started")) }
                    SchoolRules.text(input.notes, "notes", max: 2000, into: &errors)
                    if !errors.isEmpty { throw Problem.validation(errors) }
                    try await transaction.query("""
                        insert into learning_check (id, plan_id, person_id, school_id, checked_on, progress, notes, checked_by, checked_by_name, content_hash)
                        values (\(input.id), \(planID), \(plan.personId), \(plan.schoolId), \(input.checkedOn), \(input.progress.rawValue), \(input.notes),
                            \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
                        """)
                    try await Timeline.add(plan.personId, kind: "school.learning_check", summary: "学习进步档案（\(input.checkedOn)）", caller: caller,
                                           record: input.id, in: transaction)
                    guard let row = try await transaction.query("select \(columns) from learning_check c where c.id = \(input.id)").first else {
                        throw Problem.internalError
                    }
                    return (try LearningPlanStore.check(row), true)
                }
            }
            return try JSONResponse(check, status: created ? .created : .ok)
        }
        routes.on(.get, "/v1/persons/:id/learning-plans", .permission(.schoolsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let items = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else { throw Problem.notFound("No such person.") }
                return try await LearningPlanStore.plans(where: "l.person_id = \(id)", in: transaction).map(\.plan)
            }
            return try JSONResponse(Items(personId: id, items: items))
        }
    }

    static func problems(_ input: LearningPlanInput, today: LocalDate) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if input.subjects.isEmpty || Set(input.subjects).count != input.subjects.count {
            errors.append(.init(field: "subjects", message: "name one or more different subjects"))
        }
        SchoolRules.text(input.goals, "goals", max: 2000, required: true, into: &errors)
        SchoolRules.text(input.measures, "measures", max: 2000, into: &errors)
        SchoolRules.date(input.startOn, "startOn", today: today, into: &errors)
        if input.reviewOn < input.startOn { errors.append(.init(field: "reviewOn", message: "is before startOn")) }
        return errors
    }

    /// The named learning-buddy pairing of the child, or the child's one running learning-buddy pairing.
    private func pairing(for input: LearningPlanInput, in transaction: PostgresTransaction) async throws -> UUID? {
        let named: SQLQuery = input.pairingId.map { "and g.id = \($0)" } ?? """
            and g.status = 'active' and g.start_on <= (now() at time zone 'Asia/Shanghai')::date
            and (g.end_on is null or g.end_on >= (now() at time zone 'Asia/Shanghai')::date)
            """
        let rows = try await transaction.query("""
            select g.id from pairing g join pairing_person pp on pp.pairing_id = g.id
            where pp.person_id = \(input.personId) and g.kind = 'learning_buddy' \(named) limit 2
            """)
        return rows.count == 1 ? try rows[0].decode("id", as: UUID.self) : nil
    }
}
