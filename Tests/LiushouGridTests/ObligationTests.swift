import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Visit obligations and overdue lists")
struct ObligationTests {
    static func obligations(_ client: some TestClientProtocol, _ person: String, token: String) async throws -> [String: Answer.Obligation] {
        let response = try await client.send(.get, "/v1/persons/\(person)/obligations", token: token)
        var byKey: [String: Answer.Obligation] = [:]
        for item in try response.decode(Answer.Items<Answer.Obligation>.self).items {
            byKey[item.ruleKey] = item
        }
        return byKey
    }

    static func date(_ value: String?) -> Date? {
        value.flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    @Test("checks move only the obligations they satisfy; a late-arriving older check does not move them back")
    func sequence() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let worker = try await client.login("grid1a.worker")
                var state = try await Self.obligations(client, world.child, token: cadre)
                #expect(Set(state.keys) == ["cadre_weekly", "daily_knock"])
                #expect(state["daily_knock"]?.lastCheckAt == nil)

                #expect(
                    try await client.post("/v1/door-checks", json: Checks.body(person: world.child, occurred: 2 * 3600), token: worker).status
                        == .created
                )
                state = try await Self.obligations(client, world.child, token: cadre)
                let knocked = try #require(Self.date(state["daily_knock"]?.lastCheckAt))
                let due = try #require(Self.date(state["daily_knock"]?.nextDueAt))
                #expect(abs(due.timeIntervalSince(knocked) - 86_400) < 1)
                #expect(state["cadre_weekly"]?.lastCheckAt == nil, "a knock is not a cadre visit")

                #expect(
                    try await client.post("/v1/door-checks", json: Checks.body(person: world.child, occurred: 5 * 3600), token: worker).status
                        == .created
                )
                state = try await Self.obligations(client, world.child, token: cadre)
                #expect(Self.date(state["daily_knock"]?.lastCheckAt) == knocked, "an older check arriving late changes nothing")

                let visit = Checks.body(person: world.child, kind: "cadre_visit", occurred: 3600)
                #expect(try await client.post("/v1/door-checks", json: visit, token: cadre).status == .created)
                state = try await Self.obligations(client, world.child, token: cadre)
                let visited = try #require(Self.date(state["cadre_weekly"]?.lastCheckAt))
                #expect(abs(try #require(Self.date(state["cadre_weekly"]?.nextDueAt)).timeIntervalSince(visited) - 7 * 86_400) < 1)
                #expect(state["cadre_weekly"]?.overdue == false)
            }
        }
    }

    @Test("elders' tiers follow their risk level: high weekly, priority monthly, others quarterly")
    func elderTiers() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                #expect(
                    try await client.post(
                        "/v1/door-checks",
                        json: Checks.body(person: world.elder, kind: "cadre_visit", occurred: 86_400),
                        token: cadre
                    ).status == .created
                )
                var state = try await Self.obligations(client, world.elder, token: cadre)
                #expect(state["elder_other"]?.cadenceHours == 90 * 24)
                #expect(state["elder_high_risk"] == nil)
                let read = try await client.send(.get, "/v1/persons/\(world.elder)", token: cadre)
                var file = try #require(try read.json()["file"] as? [String: Any])
                file["riskLevel"] = "high"
                #expect(
                    try await client.send(.put, "/v1/persons/\(world.elder)", json: file, token: cadre, headers: [.ifMatch: read.etag ?? ""]).status
                        == .ok
                )
                state = try await Self.obligations(client, world.elder, token: cadre)
                #expect(state["elder_high_risk"]?.cadenceHours == 7 * 24)
                #expect(state["elder_high_risk"]?.lastCheckAt != nil, "a new obligation starts from yesterday's visit")
                #expect(state["elder_high_risk"]?.overdue == false)
                #expect(state["elder_other"] == nil)
                file["riskLevel"] = "attention"
                #expect(
                    try await client.send(.put, "/v1/persons/\(world.elder)", json: file, token: cadre, headers: [.ifMatch: "\"2\""]).status == .ok
                )
                state = try await Self.obligations(client, world.elder, token: cadre)
                #expect(state["elder_priority"]?.cadenceHours == 30 * 24)
                #expect(state["elder_high_risk"] == nil)
                #expect(state["daily_knock"] != nil && state["cadre_weekly"] != nil)
            }
        }
    }

    @Test("a rule's description is stored without the white space at its ends, and counted as stored")
    func ruleDescriptionTrimmed() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let town = try await client.login("town1.admin")
                let uri = "/v1/units/\(world.fixture.town1.idString)/visit-rules/weekly_call"
                var rule: [String: Any] = [
                    "description": String(repeating: "周", count: 201), "categories": ["left_behind_elder"],
                    "checkKinds": ["cadre_visit"], "cadenceHours": 168,
                ]
                let long = try await client.send(.put, uri, json: rule, token: town)
                #expect(long.status == .unprocessableContent, "\(long.text)")
                #expect(try long.decode(Answer.Problem.self).fields == ["description"])
                // 200 characters with a tab and an ideographic space after them (pasted from a document).
                rule["description"] = " " + String(repeating: "周", count: 200) + "\t\u{3000}"
                let set = try await client.send(.put, uri, json: rule, token: town)
                #expect(set.status == .created, "\(set.text)")
                let stored = try await database.pool.query("select description from visit_rule where rule_key = 'weekly_call'").first!
                #expect(try stored.decode("description", as: String.self) == String(repeating: "周", count: 200))
                // Two identical first overrides of another rule at once (a double click): one is created, the other
                // answered with it as a retry; different content would be told to send If-Match.
                let raced = try JSONSerialization.data(withJSONObject: [
                    "description": "每月电话一次", "categories": ["left_behind_woman"], "checkKinds": ["cadre_visit"], "cadenceHours": 720,
                ])
                let monthly = "/v1/units/\(world.fixture.town1.idString)/visit-rules/monthly_call"
                async let first = client.send(.put, monthly, body: raced, contentType: "application/json", token: town)
                async let second = client.send(.put, monthly, body: raced, contentType: "application/json", token: town)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
            }
        }
    }

    @Test("a village's own rule shows on the child's obligations for the school that sees the child, not only for the village")
    func villageRuleSeenByTheSchool() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let rule: [String: Any] = [
                    "description": "本村网格员两天一敲门", "categories": ["left_behind_child", "left_behind_elder"],
                    "checkKinds": ["grid_knock", "volunteer_visit"], "cadenceHours": 48,
                ]
                let set = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.village1a.idString)/visit-rules/daily_knock",
                    json: rule,
                    token: cadre
                )
                #expect(set.status == .created, "\(set.text)")
                let teacher = try await client.login("school1.teacher")
                let seen = try await Self.obligations(client, world.child, token: teacher)
                #expect(seen["daily_knock"]?.cadenceHours == 48, "\(seen.keys.sorted())")
                #expect(seen["daily_knock"]?.description == "本村网格员两天一敲门")
                #expect(Set(seen.keys) == Set(try await Self.obligations(client, world.child, token: cadre).keys))
            }
        }
    }

    @Test("a town overrides a default for its villages; a village switches a rule off; others keep the default")
    func overrides() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let town = try await client.login("town1.admin")
                let rule: [String: Any] = [
                    "description": "本镇网格员两天一敲门", "categories": ["left_behind_child", "left_behind_elder"],
                    "checkKinds": ["grid_knock", "volunteer_visit"], "cadenceHours": 48,
                ]
                let set = try await client.send(.put, "/v1/units/\(world.fixture.town1.idString)/visit-rules/daily_knock", json: rule, token: town)
                #expect(set.status == .created, "\(set.text)")
                #expect(try await Self.obligations(client, world.child, token: town)["daily_knock"]?.cadenceHours == 48)
                let county = try await client.login("county.admin")
                #expect(try await Self.obligations(client, world.other, token: county)["daily_knock"]?.cadenceHours == 24)

                // A retry of the first override (same content, no If-Match) is answered with it; a change needs If-Match.
                let retry = try await client.send(.put, "/v1/units/\(world.fixture.town1.idString)/visit-rules/daily_knock", json: rule, token: town)
                #expect(retry.status == .ok && retry.etag == set.etag, "\(retry.text)")
                var changed = rule
                changed["cadenceHours"] = 72
                let again = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.town1.idString)/visit-rules/daily_knock",
                    json: changed,
                    token: town
                )
                #expect(again.status == .preconditionRequired)
                let stale = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.town1.idString)/visit-rules/daily_knock",
                    json: rule,
                    token: town,
                    headers: [.ifMatch: "\"7\""]
                )
                #expect(stale.status == .preconditionFailed)

                let cadre = try await client.login("village1a.cadre")
                var off = rule
                off["description"] = "本村由驻村干部每日走访代替"
                off["cadenceHours"] = 168
                off["checkKinds"] = ["cadre_visit"]
                off["active"] = false
                let switched = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.village1a.idString)/visit-rules/cadre_weekly",
                    json: off,
                    token: cadre
                )
                #expect(switched.status == .created, "\(switched.text)")
                #expect(try await Self.obligations(client, world.child, token: cadre)["cadre_weekly"] == nil)
                let effective = try await client.send(.get, "/v1/units/\(world.fixture.village1a.idString)/visit-rules", token: cadre)
                let rules = try effective.decode(Answer.Items<Answer.VisitRule>.self).items
                #expect(rules.first { $0.ruleKey == "daily_knock" }?.cadenceHours == 48)
                #expect(rules.first { $0.ruleKey == "cadre_weekly" }?.active == false)
                let bad = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.village1a.idString)/visit-rules/BAD-KEY",
                    json: ["description": "", "categories": [], "checkKinds": [], "cadenceHours": 0],
                    token: cadre
                )
                #expect(bad.status == .unprocessableContent)
                let fields = Set(try bad.decode(Answer.Problem.self).fields)
                #expect(fields == ["key", "description", "categories", "checkKinds", "cadenceHours"])
                let worker = try await client.login("grid1a.worker")
                #expect(
                    try await client.send(
                        .put,
                        "/v1/units/\(world.fixture.village1a.idString)/visit-rules/cadre_weekly",
                        json: off,
                        token: worker
                    ).status == .forbidden
                )
                #expect(
                    try await client.send(
                        .put,
                        "/v1/units/\(world.fixture.village2a.idString)/visit-rules/cadre_weekly",
                        json: off,
                        token: cadre
                    ).status == .notFound
                )
            }
        }
    }

    @Test("overdue lists are sorted by how late, name who answers, and stay inside the caller's units")
    func overdue() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let cadre = try await client.login("village1a.cadre")
                #expect(
                    try await client.post("/v1/door-checks", json: Checks.body(person: world.child, occurred: 10 * 86_400), token: worker).status
                        == .created
                )
                #expect(
                    try await client.post(
                        "/v1/door-checks",
                        json: Checks.body(person: world.elder, kind: "cadre_visit", occurred: 3 * 86_400),
                        token: cadre
                    ).status == .created
                )
                #expect(
                    try await client.post(
                        "/v1/door-checks",
                        json: Checks.body(person: world.elder, kind: "grid_knock", occurred: 3 * 86_400),
                        token: cadre
                    ).status == .created
                )
                let town = try await client.login("town1.admin")
                let response = try await client.send(.get, "/v1/overdue?unitId=\(world.fixture.town1.idString)", token: town)
                #expect(response.status == .ok, "\(response.text)")
                let items = try response.decode(Answer.Items<Answer.Overdue>.self).items
                let order = items.map { "\($0.personName)/\($0.ruleKey)" }
                #expect(order == ["甲一/daily_knock", "李奶奶/daily_knock"])
                #expect((items.first?.hoursLate ?? 0) >= 9 * 24 - 1)
                #expect(items.first?.responsible?.contains("grid1a.worker") == true)
                let other = try await client.send(.get, "/v1/overdue?unitId=\(world.fixture.village2a.idString)", token: town)
                #expect(other.status == .notFound)
                #expect(try await client.send(.get, "/v1/overdue", token: town).status == .badRequest)
                for limit in ["0", "1001", "x"] {
                    let bad = try await client.send(.get, "/v1/overdue?unitId=\(world.fixture.town1.idString)&limit=\(limit)", token: town)
                    #expect(bad.status == .badRequest)
                    #expect(try bad.decode(Answer.Problem.self).fields == ["limit"])
                }
                let volunteer = try await client.login("village1a.volunteer")
                #expect(try await client.send(.get, "/v1/overdue?unitId=\(world.fixture.village1a.idString)", token: volunteer).status == .forbidden)
            }
        }
    }

    @Test("a grid moved to a village of another town takes its people's due visits along: the new town lists them, the old one no longer does")
    func overdueFollowsAMovedUnit() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                #expect(
                    try await client.post("/v1/door-checks", json: Checks.body(person: world.child, occurred: 10 * 86_400), token: worker).status
                        == .created
                )
                let county = try await client.login("county.admin")
                func overdue(_ unit: OrgUnit) async throws -> [String] {
                    let response = try await client.send(.get, "/v1/overdue?unitId=\(unit.idString)", token: county)
                    #expect(response.status == .ok, "\(response.text)")
                    return try response.decode(Answer.Items<Answer.Overdue>.self).items.map { "\($0.personName)/\($0.ruleKey)" }
                }
                #expect(try await overdue(world.fixture.town1).contains("甲一/daily_knock"))
                #expect(try await overdue(world.fixture.village2a).contains("甲一/daily_knock") == false)
                let move = try await client.post(
                    "/v1/units/\(world.fixture.grid1a.idString)/move",
                    json: ["parentId": world.fixture.village2a.idString],
                    token: county,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(move.status == .ok, "\(move.text)")
                #expect(try await overdue(world.fixture.town1).contains("甲一/daily_knock") == false)
                #expect(try await overdue(world.fixture.village2a).contains("甲一/daily_knock"))
                let town = try await client.login("town1.admin")
                let child = try await client.send(.get, "/v1/persons/\(world.child)/obligations", token: town)
                #expect(child.status == .notFound, "the old town no longer sees the child's obligations: \(child.text)")
            }
        }
    }
}
