import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/door-checks`: record one check or a batch collected offline; read a person's checks.
public struct DoorCheckController: Sendable {
    let database: TenantDatabase
    let recorder: DoorCheckRecorder
    /// Single checks of one caller arriving together are written in one transaction.
    let singles = GroupCommit<Caller, DoorCheckInput, DoorCheckRecorder.ItemResult>(maxBatch: 100, maxWriters: 2) { error in
        // A row the database refused (bad data, a policy, a raised exception) may be one item's fault.
        guard let state = (error as? DatabaseError)?.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23") || state == "42501" || state == "P0001"
    }

    /// A controller.
    public init(database: TenantDatabase, recorder: DoorCheckRecorder = DoorCheckRecorder()) {
        self.database = database
        self.recorder = recorder
    }

    struct Batch: Decodable {
        var items: [LenientItem<DoorCheckInput>]
    }

    struct CheckList: Encodable {
        var items: [DoorCheck]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/door-checks", .permission(.checksRecord)) { request, context, caller in
            let input = try await request.decodeJSON(as: DoorCheckInput.self, context: context)
            // Checks the same caller posts at the same moment share a transaction (each still gets
            // its own answer; a failing batch is retried item by item).
            let result = try await self.singles.submit(input, key: caller) { caller, items in
                try await self.database.transaction(for: caller, maxAttempts: 3) { transaction in
                    try await self.recorder.record(items, caller: caller, commitsWithWrite: true, in: transaction)
                }
            }
            return try DoorCheckRecorder.ItemResult.singleResponse(result, record: "check")
        }
        routes.on(.post, "/v1/door-checks/batch", .permission(.checksRecord)) { request, context, caller in
            let batch = try await request.decodeJSON(as: Batch.self, context: context)
            guard batch.items.count <= DoorCheckRecorder.maxBatch else {
                throw Problem.validation([.init(field: "items", message: "send at most \(DoorCheckRecorder.maxBatch) checks per batch")])
            }
            let readable = batch.items.compactMap(\.input)
            let recorded = try await self.database.transaction(for: caller, kind: .bulk, maxAttempts: 3) { transaction in
                try await self.recorder.record(readable, caller: caller, commitsWithWrite: true, in: transaction)
            }
            let answer = BatchReport(items: batch.items, recorded: recorded.map { .init(id: $0.id, status: $0.status.rawValue, errors: $0.errors) })
            return try JSONResponse(answer)
        }
        routes.on(.get, "/v1/persons/:id/door-checks", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let checks = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else {
                    throw Problem.notFound("No such person.")
                }
                return try await transaction.query("""
                    select id, person_id, household_id, visitor_name, visitor_role, occurred_at, received_at, channel, kind, outcome, needs, notes
                    from door_check where person_id = \(id) order by occurred_at desc limit 200
                    """).map { row in
                    DoorCheck(
                        id: try row.decode("id"), personId: try row.decode("person_id"), householdId: try row.decode("household_id"),
                        visitorName: try row.decode("visitor_name"), visitorRole: try row.decode("visitor_role"),
                        occurredAt: try row.decode("occurred_at"), receivedAt: try row.decode("received_at"), channel: try row.decode("channel"),
                        kind: try row.decode("kind"), outcome: try row.decode("outcome"), needs: try row.decode("needs"), notes: try row.decode("notes")
                    )
                }
            }
            return try JSONResponse(CheckList(items: checks))
        }
    }
}
