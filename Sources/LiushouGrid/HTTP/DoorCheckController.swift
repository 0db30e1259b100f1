import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/door-checks`: record one check or a batch collected offline; read a person's checks.
struct DoorCheckController: Sendable {
    let database: TenantDatabase
    let recorder: DoorCheckRecorder
    let store: DoorCheckStore
    /// Single checks of one caller arriving together are written in one transaction.
    let singles = GroupCommit<Caller, DoorCheckInput, DoorCheckRecorder.ItemResult>(maxBatch: 100, maxWriters: 2) { error in
        // A row the database refused (bad data, a policy, a raised exception) may be one item's fault.
        guard let state = (error as? DatabaseError)?.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23") || state == "42501" || state == "P0001"
    }

    typealias Batch = BatchBody<DoorCheckInput>

    struct CheckList: Encodable {
        var items: [DoorCheck]
    }

    /// Records one check. Checks the same caller posts at the same moment share a transaction (each
    /// still gets its own answer; a failing batch is retried item by item).
    @Sendable func record(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: DoorCheckInput.self, context: context)
        let result = try await self.singles.submit(input, key: caller) { caller, items in
            try await self.database.transaction(for: caller, maxAttempts: 3) { transaction in
                try await self.recorder.record(items, caller: caller, commitsWithWrite: true, in: transaction)
            }
        }
        return try DoorCheckRecorder.ItemResult.singleResponse(result, record: "check")
    }

    /// Records a batch collected offline: one answer per item, unreadable items included.
    @Sendable func recordBatch(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let batch = try await request.decodeJSON(as: Batch.self, context: context)
        guard batch.items.count <= DoorCheckRecorder.maxBatch else {
            throw Problem.validation([.init(field: "items", message: "send at most \(DoorCheckRecorder.maxBatch) checks per batch")])
        }
        let readable = batch.items.compactMap(\.input)
        let recorded = try await self.recorder.record(readable, caller: caller, in: self.database)
        let answer = BatchReport(items: batch.items, recorded: recorded.map { .init(id: $0.id, status: $0.status.rawValue, errors: $0.errors) })
        return JSONResponse(answer.json)
    }

    /// A person's latest checks.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let checks = try await self.database.transaction(for: caller) { transaction in
            try await self.store.checks(of: id, in: transaction)
        }
        return try JSONResponse(CheckList(items: checks))
    }
}
