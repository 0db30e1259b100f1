import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouTestSupport
import Testing

@Suite("Today's tasks and nobody-home checks")
struct TaskListTests {
    static func tasks(_ client: some TestClientProtocol, _ token: String, query: String = "") async throws -> [Answer.Keyed<Answer.Task>] {
        let response = try await client.send(.get, "/v1/tasks\(query)", token: token)
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(Answer.Items<Answer.Keyed<Answer.Task>>.self).items
    }

    static func people(_ items: [Answer.Keyed<Answer.Task>]) -> Set<String> {
        Set(items.map { $0.personId.lowercased() })
    }

    @Test("each caller lists the visits they can make, in their own area, due today or overdue, nearest first")
    func scope() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let cadre = try await client.login("village1a.cadre")
                let volunteer = try await client.login("village1a.volunteer")
                // Filed just now: the daily knock falls due tomorrow, so today's list is empty until a knock is late.
                #expect(Self.people(try await Self.tasks(client, worker)).isEmpty)
                #expect(Self.people(try await Self.tasks(client, worker, query: "?days=1")) == [world.child])
                let late = try await client.post("/v1/door-checks", json: Checks.body(person: world.child, occurred: 2 * 86400), token: worker)
                #expect(late.status == .created)
                let mine = try await Self.tasks(client, worker)
                #expect(Self.people(mine) == [world.child], "the grid worker sees only the child of their grid")
                #expect(mine.allSatisfy { $0.checkKinds.contains("grid_knock") })
                #expect(mine.first?.overdue == true)
                #expect(mine.first?.keys.contains("birthDate") == false && mine.first?.birthYear == 2015, "the year only, never the date")
                #expect(mine.first?.unitName == "甲村一组" && mine.first?.villageName == "甲村")
                let cadreWeek = try await Self.tasks(client, cadre, query: "?days=7")
                #expect(Self.people(cadreWeek) == [world.child, world.elder], "the cadre's village, never the other town")
                #expect(Set(cadreWeek.map { $0.ruleKey }).isSuperset(of: ["cadre_weekly", "daily_knock"]))
                let dueTimes = cadreWeek.map { $0.nextDueAt }
                #expect(dueTimes == dueTimes.sorted(), "nearest due first")
                let onlyVisits = try await Self.tasks(client, cadre, query: "?days=7&kind=cadre_visit")
                #expect(onlyVisits.allSatisfy { $0.checkKinds.contains("cadre_visit") })
                #expect(Self.people(try await Self.tasks(client, volunteer, query: "?days=1")) == [world.child], "a volunteer's paired people only")
                let underGrid = try await Self.tasks(client, cadre, query: "?days=7&unitId=\(world.fixture.grid1a.idString)")
                #expect(Self.people(underGrid) == [world.child])
                let clinic = try await client.login("clinic1.doctor")
                #expect(try await client.send(.get, "/v1/tasks", token: clinic).status == .forbidden)
                #expect(try await client.send(.get, "/v1/tasks").status == .unauthorized)
                let otherTown = try await client.send(.get, "/v1/tasks?unitId=\(world.fixture.town2.idString)", token: worker)
                #expect(otherTown.status == .notFound)
                for (query, field) in [("?days=8", "days"), ("?kind=knock", "kind"), ("?unitId=x", "unitId"), ("?limit=0", "limit")] {
                    let bad = try await client.send(.get, "/v1/tasks\(query)", token: worker)
                    #expect(bad.status == .badRequest)
                    #expect(try bad.decode(Answer.Problem.self).fields.first == field)
                }
            }
        }
    }

    @Test("nobody home or away: recorded on the timeline, no needs, and the person stays due")
    func nobodyHome() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let earlier = Checks.body(person: world.child, occurred: 2 * 86400)
                #expect(try await client.post("/v1/door-checks", json: earlier, token: worker).status == .created)
                let withNeeds = try await client.post(
                    "/v1/door-checks",
                    json: Checks.body(person: world.child, outcome: "not_home", needs: ["health"]),
                    token: worker
                )
                #expect(withNeeds.status == .unprocessableContent)
                #expect(try withNeeds.decode(Answer.Problem.self).fields.first == "needs")
                for outcome in ["not_home", "away"] {
                    let answer = try await client.post("/v1/door-checks", json: Checks.body(person: world.child, outcome: outcome), token: worker)
                    #expect(answer.status == .created, "\(answer.text)")
                }
                let obligations = try await client.send(.get, "/v1/persons/\(world.child)/obligations", token: worker)
                let knock = try obligations.decode(Answer.Items<Answer.Obligation>.self).items.first { $0.ruleKey == "daily_knock" }
                #expect(knock?.overdue == true, "a knock that saw nobody does not satisfy the daily knock")
                #expect(knock?.lastCheckAt == earlier["occurredAt"] as? String)
                #expect(Self.people(try await Self.tasks(client, worker)) == [world.child])
                let cadre = try await client.login("village1a.cadre")
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: cadre)
                #expect(timeline.text.contains("无人在家") && timeline.text.contains("人员外出"))
                let followUps = try await client.send(.get, "/v1/follow-ups?status=open", token: cadre)
                #expect(try followUps.decode(Answer.Items<Answer.FollowUp>.self).items.isEmpty, "no follow-ups from nobody-home checks")
            }
        }
    }

    @Test("rebuilding obligations counts the household's knocks that saw the person, not nobody-home ones")
    func rebuildCountsHousehold() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let worker = try await client.login("grid1a.worker")
                let household = UUID().uuidString.lowercased()
                let created = try await client.post(
                    "/v1/households",
                    json: [
                        "id": household, "villageId": world.fixture.village1a.idString, "gridId": world.fixture.grid1a.idString, "address": "甲村 12 号",
                    ],
                    token: cadre
                )
                #expect(created.status == .created, "\(created.text)")
                let current = try await client.send(.get, "/v1/persons/\(world.child)", token: cadre)
                var file = try current.json()["file"] as? [String: Any] ?? [:]
                file["householdId"] = household
                let moved = try await client.send(
                    .put,
                    "/v1/persons/\(world.child)",
                    json: file,
                    token: cadre,
                    headers: [.ifMatch: current.etag ?? ""]
                )
                #expect(moved.status == .ok, "\(moved.text)")
                var seen = Checks.body(person: world.child, occurred: 3600)
                seen["personId"] = nil
                seen["householdId"] = household
                #expect(try await client.post("/v1/door-checks", json: seen, token: worker).status == .created)
                var missed = Checks.body(person: world.child, outcome: "not_home", occurred: 60)
                missed["personId"] = nil
                missed["householdId"] = household
                #expect(try await client.post("/v1/door-checks", json: missed, token: worker).status == .created)
                // Exit and re-activation rebuild the obligations from history.
                let before = try await client.send(.get, "/v1/persons/\(world.child)", token: cadre)
                let exit = try await client.post(
                    "/v1/persons/\(world.child)/exit",
                    json: ["reason": "moved_away", "exitedOn": "2026-01-05"],
                    token: cadre,
                    headers: [.ifMatch: before.etag ?? ""]
                )
                #expect(exit.status == .ok, "\(exit.text)")
                let again = try await client.send(.get, "/v1/persons/\(world.child)", token: cadre)
                let reactivated = try await client.post(
                    "/v1/persons/\(world.child)/reactivate",
                    json: [:],
                    token: cadre,
                    headers: [.ifMatch: again.etag ?? ""]
                )
                #expect(reactivated.status == .ok, "\(reactivated.text)")
                let obligations = try await client.send(.get, "/v1/persons/\(world.child)/obligations", token: cadre)
                let knock = try obligations.decode(Answer.Items<Answer.Obligation>.self).items.first { $0.ruleKey == "daily_knock" }
                #expect(knock?.lastCheckAt == seen["occurredAt"] as? String, "the household knock that saw them, not the later miss")
                #expect(knock?.overdue == false)
            }
        }
    }
}
