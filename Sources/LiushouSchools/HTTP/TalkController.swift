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

    /// Records a talk with a child on the caller's roll; a retry with the same id and content answers the stored talk.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: TalkInput.self, context: context)
        let (talk, created) = try await RollRecords.create(
            input,
            record: "talk",
            primaryKey: "school_talk_pkey",
            errors: SchoolRules.problems(input, today: self.clock.today()),
            timeline: ("school.talk", "班主任谈心（\(input.talkedOn)）"),
            database: self.database,
            caller: caller,
            stored: { try await TalkStore.find(input.id, in: $0).map { ($0.talk, $0.hash) } },
            insert: { try await TalkStore.insert(input, membership: $0, caller: caller, in: $1) }
        )
        return try JSONResponse(talk, status: created ? .created : .ok)
    }

    @Sendable func due(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let month = try await RollRecords.month(request, context, caller, database: self.database, today: self.clock.today()) {
            try await TalkStore.due($0, month: $1.start, next: $1.next, in: $2)
        }
        return try JSONResponse(month)
    }
}
