import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Households moving between grids")
struct HouseholdMoveTests {
    @Test("a household moves to another grid of its village with its members; the move is kept; stale, foreign and unscoped moves are refused")
    func move() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let grid2 = try await seeder.unit(.grid, name: "甲村二组", parent: fixture.village1a)
            let foreign = try await seeder.unit(.grid, name: "乙村一组", parent: fixture.village1b)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let household = UUID().uuidString.lowercased()
                let created = try await client.post(
                    "/v1/households",
                    json: [
                        "id": household, "villageId": fixture.village1a.idString,
                        "gridId": fixture.grid1a.idString, "address": "甲村 7 号",
                    ],
                    token: cadre
                )
                #expect(created.status == .created, "\(created.text)")
                var child = People.child(village: fixture.village1a, grid: fixture.grid1a)
                child["householdId"] = household
                let person = try #require(try await client.post("/v1/persons", json: child, token: cadre).json()["id"] as? String).lowercased()

                let worker = try await client.login("grid1a.worker")
                #expect(
                    try await client.send(
                        .post,
                        "/v1/households/\(household)/move",
                        json: ["gridId": grid2.idString],
                        token: worker,
                        headers: [.ifMatch: "\"1\""]
                    ).status == .unprocessableContent,
                    "the grid worker cannot file into grid 2"
                )
                #expect(
                    try await client.send(
                        .post,
                        "/v1/households/\(household)/move",
                        json: ["gridId": foreign.idString],
                        token: cadre,
                        headers: [.ifMatch: "\"1\""]
                    ).status == .unprocessableContent
                )
                #expect(
                    try await client.send(
                        .post,
                        "/v1/households/\(household)/move",
                        json: ["gridId": grid2.idString],
                        token: cadre,
                        headers: [.ifMatch: "\"5\""]
                    ).status == .preconditionFailed
                )
                // The key is required: an empty body never moves a household (null, sent on purpose, files it under the village).
                let empty = try await client.send(.post, "/v1/households/\(household)/move", json: [:], token: cadre, headers: [.ifMatch: "\"1\""])
                #expect(empty.status == .badRequest)
                #expect(try empty.decode(Answer.Problem.self).fields.first == "gridId")
                let moved = try await client.send(
                    .post,
                    "/v1/households/\(household)/move",
                    json: ["gridId": grid2.idString],
                    token: cadre,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try moved.decode(Answer.Moved.self).membersMoved == 1)
                let file = try await client.send(.get, "/v1/persons/\(person)", token: cadre)
                #expect(try file.decode(Answer.PersonFile.self).file.gridId?.lowercased() == grid2.idString)
                #expect(try await client.send(.get, "/v1/persons/\(person)", token: worker).status == .notFound, "out of the old grid worker's sight")
                let obligations = try await database.pool.query(
                    "select distinct unit_id from visit_obligation where person_id = \(UUID(uuidString: person)!)"
                )
                .map { try $0.decode("unit_id", as: UUID.self) }
                #expect(obligations == [grid2.id], "obligations follow the move")
                let moves = try await client.send(.get, "/v1/households/\(household)/moves", token: cadre)
                let items = try moves.decode(Answer.Items<Answer.Move>.self).items
                #expect(items.count == 1)
                #expect(items.first?.fromUnitId.lowercased() == fixture.grid1a.idString)
                let history = try await client.send(.get, "/v1/persons/\(person)/history", token: cadre)
                #expect(history.text.contains("household.move"))
                let auditor = try await client.login("county.auditor")
                #expect(
                    try await client.send(
                        .post,
                        "/v1/households/\(household)/move",
                        json: ["gridId": fixture.grid1a.idString],
                        token: auditor,
                        headers: [.ifMatch: "\"2\""]
                    ).status == .forbidden
                )
                #expect(try await client.send(.get, "/v1/households/\(UUID().uuidString)/moves", token: cadre).status == .notFound)
            }
        }
    }
}
