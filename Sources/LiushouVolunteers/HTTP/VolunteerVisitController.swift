import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouGrid
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/volunteer-visits`: a volunteer records visits to their paired people, one or an offline batch.
struct VolunteerVisitController: Sendable {
    let database: TenantDatabase
    let recorder = VolunteerVisitRecorder()

    typealias Batch = BatchBody<VolunteerVisitInput>

    /// One visit, answered like a single door check (201 created, 200 a retry, 409 or 422).
    @Sendable func record(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: VolunteerVisitInput.self, context: context)
        let result = try await self.database.transaction(for: caller, maxAttempts: 3) { transaction in
            try await self.recorder.record([input], caller: caller, in: transaction)
        }.first
        return try DoorCheckRecorder.ItemResult.singleResponse(result, record: "visit")
    }

    /// An offline batch: every item answered on its own (unreadable items too).
    @Sendable func recordBatch(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let batch = try await request.decodeJSON(as: Batch.self, context: context)
        guard batch.items.count <= DoorCheckRecorder.maxBatch else {
            throw Problem.validation([.init(field: "items", message: "send at most \(DoorCheckRecorder.maxBatch) visits per batch")])
        }
        let recorded = try await self.database.transaction(for: caller, kind: .bulk, maxAttempts: 3) { transaction in
            try await self.recorder.record(batch.items.compactMap(\.input), caller: caller, in: transaction)
        }
        return JSONResponse(
            BatchReport(items: batch.items, recorded: recorded.map { .init(id: $0.id, status: $0.status.rawValue, errors: $0.errors) }).json
        )
    }
}
