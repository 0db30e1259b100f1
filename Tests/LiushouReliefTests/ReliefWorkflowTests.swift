import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Relief workflow")
struct ReliefWorkflowTests {
    @Test("a follow-up about daily life raises a case that goes reviewed → approved → paid → closed, each step on the timeline")
    func fullPath() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let check: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child,
                    "occurredAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)),
                    "channel": "in_person", "kind": "grid_knock", "outcome": "needs_follow_up", "needs": ["daily_life"],
                ]
                #expect(try await client.post("/v1/door-checks", json: check, token: worker).status == .created)
                let followUp = try await database.pool.query("select id from follow_up where need = 'daily_life'").first!.decode("id", as: UUID.self)
                let body = Relief.caseBody(
                    person: world.child,
                    type: "emergency_help",
                    urgency: "emergency",
                    amount: 80_000,
                    source: "follow_up",
                    followUp: followUp.uuidString
                )
                let filed = try await client.post("/v1/relief/cases", json: body, token: worker)
                #expect(filed.status == .created, "\(filed.text)")
                let json = try filed.json()
                let id = try #require(json["id"] as? String).lowercased()
                #expect(json["state"] as? String == "submitted")
                #expect(json["raisedByName"] as? String == "grid1a.worker")
                #expect(json["followUpId"] as? String == followUp.uuidString.lowercased() || json["followUpId"] as? String == followUp.uuidString)
                #expect(filed.etag == "\"1\"")

                let cadre = try await client.login("village1a.cadre")
                let reviewed = try await Relief.step(client, id, "review", token: cadre, version: 1, extra: ["comment": "村民代表评议通过"])
                #expect(reviewed.status == .ok, "\(reviewed.text)")
                let relief = try await client.login("town1.relief")
                let approved = try await Relief.step(client, id, "approve", token: relief, version: 2, extra: ["amountFen": 60_000, "comment": "同意"])
                #expect(approved.status == .ok, "\(approved.text)")
                #expect(try approved.decode(Read.Step.self).case.amountGrantedFen == 60_000)
                let overpaid = try await Relief.step(
                    client,
                    id,
                    "pay",
                    token: relief,
                    version: 3,
                    extra: ["amountFen": 60_001, "paidOn": Relief.today, "channel": "bank_transfer"]
                )
                #expect(overpaid.status == .unprocessableContent)
                #expect(overpaid.text.contains("amountFen"))
                let paid = try await Relief.step(
                    client,
                    id,
                    "pay",
                    token: relief,
                    version: 3,
                    extra: ["amountFen": 60_000, "paidOn": Relief.today, "channel": "social_security_card"]
                )
                #expect(paid.status == .ok, "\(paid.text)")
                let closed = try await Relief.step(client, id, "close", token: relief, version: 4)
                #expect(closed.status == .ok, "\(closed.text)")
                #expect(closed.etag == "\"5\"")

                let read = try await client.send(.get, "/v1/relief/cases/\(id)", token: relief)
                #expect(read.status == .ok)
                let detail = try read.decode(Read.Case.self)
                #expect(detail.state == "closed")
                #expect(detail.paidAmountFen == 60_000)
                let transitions = detail.transitions ?? []
                #expect(transitions.map(\.action) == ["review", "approve", "pay", "close"])
                #expect(transitions.map(\.actorName) == ["village1a.cadre", "town1.relief", "town1.relief", "town1.relief"])
                #expect(transitions.map(\.actorRole) == ["village_cadre", "relief_officer", "relief_officer", "relief_officer"])
                #expect(transitions.first?.comment == "村民代表评议通过")
                #expect(transitions.allSatisfy { $0.at != nil })
                #expect(detail.allowedActions == [])

                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: cadre)
                for kind in ["relief.submitted", "relief.review", "relief.approve", "relief.pay", "relief.close"] {
                    #expect(timeline.text.contains(kind), "timeline has \(kind)")
                }
                #expect(!timeline.text.contains("60000") && !timeline.text.contains("600.00"), "the timeline carries no amounts")
                let audits = try await database.pool.query("select action from audit_log where resource = 'relief_case' order by chain_position")
                    .map { try $0.decode("action", as: String.self) }
                #expect(audits == ["relief.raise", "relief.review", "relief.approve", "relief.pay", "relief.close", "relief.read"])
            }
        }
    }
}

@Suite("Relief steps after a move")
struct ReliefAfterMoveTests {
    @Test("a grid worker withdraws a case after the person's file moved out of the grid: the step lands on the timeline")
    func withdrawAfterMove() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let filed = try await client.post(
                    "/v1/relief/cases",
                    json: Relief.caseBody(person: world.child, type: "emergency_help", urgency: "emergency", amount: 50_000),
                    token: worker
                )
                #expect(filed.status == .created, "\(filed.text)")
                let id = try #require(try filed.json()["id"] as? String).lowercased()
                // The file moves to 乙村: the grid worker no longer sees the child, the case is still theirs.
                var file = People.child(name: "甲一", sequence: 101, village: world.fixture.village1b)
                file["currentAddress"] = "乙村 3 号"
                let town = try await client.login("town1.admin")
                let moved = try await client.send(.put, "/v1/persons/\(world.child)", json: file, token: town, headers: [.ifMatch: "\"1\""])
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: worker).status == .notFound)
                let withdrawn = try await Relief.step(client, id, "withdraw", token: worker, version: 1, extra: ["comment": "家属已自行解决"])
                #expect(withdrawn.status == .ok, "\(withdrawn.text)")
                let entries = try await database.pool.query(
                    "select count(*)::int as n from person_event where record_id = \(id) and kind = 'relief.withdraw'"
                ).first?.decode("n", as: Int.self)
                #expect(entries == 1)
            }
        }
    }
}
