import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/talks`, `/v1/schools/:id/talks-due`: the class teacher's monthly heart-to-heart talks (谈心)
/// and the children on a roll with none in a month.
struct TalkController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    struct Due: Encodable {
        var schoolId: UUID
        var month: String
        var items: [TalkDue]
    }

    func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/talks", .permission(.schoolsCare), handler: self.create)
        routes.on(.get, "/v1/schools/:id/talks-due", .permission(.schoolsRead), handler: self.due)
    }

    /// Records a talk with a child on the caller's roll; a retry with the same id and content answers the stored talk.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: TalkInput.self, context: context)
        let today = self.clock.today()
        let (talk, created) = try await DuplicateRetry.create(
            record: "talk",
            primaryKey: "school_talk_pkey",
            uniqueProblems: SchoolConstraints.problems,
            hash: ContentHash.of(input),
            database: self.database,
            caller: caller,
            stored: { try await TalkStore.find(input.id, in: $0).map { ($0.talk, $0.hash) } },
            write: { transaction in
                var errors = SchoolRules.problems(input, today: today)
                let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                if membership == nil { errors.append(.init(field: "personId", message: "is not on your school's roll")) }
                guard errors.isEmpty, let membership else { throw Problem.validation(errors) }
                try await TalkStore.insert(input, membership: membership, caller: caller, in: transaction)
                try await PersonTimeline.append(
                    .init(
                        person: input.personId,
                        module: "schools",
                        kind: "school.talk",
                        summary: "班主任谈心（\(input.talkedOn)）",
                        caller: caller,
                        record: input.id
                    ),
                    in: transaction
                )
                guard let stored = try await TalkStore.find(input.id, in: transaction) else { throw Problem.internalError }
                return stored.talk
            }
        )
        return try JSONResponse(talk, status: created ? .created : .ok)
    }

    @Sendable func due(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let month = try MonthParameter.of(request, context: context, today: self.clock.today())
        let items = try await self.database.transaction(for: caller) { transaction in
            _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
            return try await TalkStore.due(id, month: month.start, next: month.next, in: transaction)
        }
        return try JSONResponse(Due(schoolId: id, month: month.text, items: items))
    }
}
