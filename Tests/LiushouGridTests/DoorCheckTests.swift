import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Door checks")
struct DoorCheckTests {
    @Test("a single check: created once, a retry is the same record, the same id with other content is 409")
    func single() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let id = UUID()
                let body = Checks.body(id: id, person: world.child, notes: "孩子在家写作业")
                let first = try await client.post("/v1/door-checks", json: body, token: worker)
                #expect(first.status == .created, "\(first.text)")
                let retry = try await client.post("/v1/door-checks", json: body, token: worker)
                #expect(retry.status == .ok)
                #expect(try retry.decode(Answer.CheckResult.self).status == "duplicate")
                var changed = body
                changed["notes"] = "另一次"
                #expect(try await client.post("/v1/door-checks", json: changed, token: worker).status == .conflict)
                let count = try await database.pool.query("select count(*) as n from door_check").first!.decode("n", as: Int.self)
                #expect(count == 1)
                let stored = try await database.pool.query("select visitor_role, kind, received_at >= occurred_at as later from door_check").first!
                #expect(try stored.decode("visitor_role", as: String.self) == "grid_worker")
                #expect(try stored.decode("later", as: Bool.self))
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: worker)
                #expect(timeline.text.contains("door_check.grid_knock"))
                let list = try await client.send(.get, "/v1/persons/\(world.child)/door-checks", token: worker)
                #expect(try list.decode(Answer.Items<Answer.DoorCheck>.self).items.count == 1)

                var future = Checks.body(person: world.child)
                future["occurredAt"] = Checks.timestamp(Date().addingTimeInterval(3600))
                let refused = try await client.post("/v1/door-checks", json: future, token: worker)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("occurredAt"))
                let needless = try await client.post("/v1/door-checks", json: Checks.body(person: world.child, outcome: "urgent"), token: worker)
                #expect(needless.status == .unprocessableContent)
                #expect(needless.text.contains("needs"))
                // The same need twice would open two identical follow-ups.
                let twice = try await client.post(
                    "/v1/door-checks",
                    json: Checks.body(person: world.child, outcome: "needs_follow_up", needs: ["health", "health"]),
                    token: worker
                )
                #expect(twice.status == .unprocessableContent)
                #expect(((try twice.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "needs", "\(twice.text)")
                // Nine and a half minutes ahead: refused by this server, whose clock may run behind the database's.
                var ahead = Checks.body(person: world.child)
                ahead["occurredAt"] = Checks.timestamp(Date().addingTimeInterval(570))
                #expect(try await client.post("/v1/door-checks", json: ahead, token: worker).status == .unprocessableContent)
                let outside = try await client.post("/v1/door-checks", json: Checks.body(person: world.other), token: worker)
                #expect(outside.status == .unprocessableContent)
                #expect(try await client.post("/v1/door-checks", json: Checks.body(person: world.child)).status == .unauthorized)

                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                try await seeder.user(
                    "clinic.volunteer",
                    password: PlatformFixture.password,
                    home: world.fixture.clinic1,
                    grants: [(.clinicStaff, world.fixture.clinic1), (.volunteer, world.fixture.village2a)]
                )
                let doctor = try await client.login("clinic.volunteer")
                let unpaired = try await client.post(
                    "/v1/door-checks",
                    json: Checks.body(person: world.child, kind: "volunteer_visit"),
                    token: doctor
                )
                #expect(unpaired.status == .unprocessableContent, "a volunteer grant elsewhere does not make visits to people seen as clinic staff")

                let cadre = try await client.login("village1a.cadre")
                let exited = try await client.send(
                    .post,
                    "/v1/persons/\(world.child)/exit",
                    json: ["reason": "moved_away", "exitedOn": "2026-11-01"],
                    token: cadre,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(exited.status == .ok, "\(exited.text)")
                let lateRetry = try await client.post("/v1/door-checks", json: body, token: worker)
                #expect(lateRetry.status == .ok, "a retry after the person left is still the same record: \(lateRetry.text)")
                let lateChanged = try await client.post("/v1/door-checks", json: changed, token: worker)
                #expect(lateChanged.status == .conflict, "the same id with other content is a conflict, not a refusal: \(lateChanged.text)")
                #expect(try await database.pool.query("select count(*) as n from door_check").first!.decode("n", as: Int.self) == 1)
            }
        }
    }

    @Test("single checks posted at once (written together): each answered on its own, same-id pairs 201 + 200, a bad one fails alone")
    func concurrentSingles() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let twin = UUID()
                var bodies: [[String: Any]] = (0..<30).map { index in
                    Checks.body(
                        person: world.child,
                        occurred: TimeInterval(60 * (index + 1))
                    )
                }
                let twinBody = Checks.body(id: twin, person: world.child, notes: "同一条")
                bodies.append(contentsOf: [twinBody, twinBody])
                bodies.append(Checks.body(person: world.other))
                let payloads = try bodies.map { try JSONSerialization.data(withJSONObject: $0) }
                let codes = try await withThrowingTaskGroup(of: (Int, UInt16).self) { tasks in
                    for (index, payload) in payloads.enumerated() {
                        tasks.addTask {
                            let response = try await client.send(
                                .post,
                                "/v1/door-checks",
                                body: payload,
                                contentType: "application/json",
                                token: worker
                            )
                            return (index, UInt16(response.status.code))
                        }
                    }
                    var codes: [Int: UInt16] = [:]
                    for try await (index, code) in tasks { codes[index] = code }
                    return codes
                }
                #expect((0..<30).allSatisfy { codes[$0] == 201 }, "\(codes)")
                #expect([codes[30] ?? 0, codes[31] ?? 0].sorted() == [200, 201])
                #expect(codes[32] == 422, "out of scope: rejected alone")
                let stored = try await database.pool.query("select count(*)::int as n from door_check").first?.decode("n", as: Int.self)
                #expect(stored == 31)
            }
        }
    }

    @Test("a batch answers every item; bad items never block good ones; a batch retried after a timeout adds nothing")
    func batch() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let good = (0..<3).map { index in Checks.body(person: world.child, occurred: TimeInterval(3600 * (index + 1))) }
                var unreadable = Checks.body(person: world.child)
                unreadable["kind"] = "flying_visit"
                let noNeeds = Checks.body(person: world.child, outcome: "needs_follow_up")
                let outside = Checks.body(person: world.other)
                let items: [[String: Any]] = good + [unreadable, noNeeds, outside, good[0]]
                let response = try await client.post("/v1/door-checks/batch", json: ["items": items], token: worker)
                #expect(response.status == .ok, "\(response.text)")
                let answer = try response.decode(Answer.Batch.self)
                #expect(answer.created == 3)
                #expect(answer.rejected == 3)
                #expect(answer.duplicate == 1)
                let statuses = answer.results.map(\.status)
                #expect(statuses == ["created", "created", "created", "rejected", "rejected", "rejected", "duplicate"])
                let rejectedFields = answer.results.compactMap { $0.errors?.first?.field }
                #expect(rejectedFields == ["items[3]", "needs", "personId"])

                let retried = try await client.post("/v1/door-checks/batch", json: ["items": items], token: worker)
                #expect(try retried.decode(Answer.Batch.self).created == 0)
                #expect(try retried.decode(Answer.Batch.self).duplicate == 4)
                let count = try await database.pool.query("select count(*) as n from door_check").first!.decode("n", as: Int.self)
                #expect(count == 3)
                let tooMany = try await client.post("/v1/door-checks/batch", json: ["items": Array(repeating: good[0], count: 1001)], token: worker)
                #expect(tooMany.status == .unprocessableContent)
            }
        }
    }

    @Test("a batch reads ids in their canonical form only: a space or a sign inside a group is refused, not read as another id")
    func batchIdsCanonical() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let upper = UUID()
                let lower = UUID()
                var spaced = Checks.body(person: world.child, occurred: 120)
                spaced["id"] = " " + UUID().uuidString.lowercased().dropFirst()
                var signed = Checks.body(person: world.child, occurred: 180)
                signed["id"] = "+" + UUID().uuidString.dropFirst()
                var prefixed = Checks.body(person: world.child, occurred: 240)
                prefixed["personId"] = "0x" + world.child.dropFirst(2)
                var lowerItem = Checks.body(id: lower, person: world.child, occurred: 300)
                lowerItem["id"] = lower.uuidString.lowercased()
                let items = [Checks.body(id: upper, person: world.child, occurred: 60), spaced, signed, prefixed, lowerItem]
                let response = try await client.post("/v1/door-checks/batch", json: ["items": items], token: worker)
                let answer = try response.decode(Answer.Batch.self)
                #expect(answer.results.map(\.status) == ["created", "rejected", "rejected", "rejected", "created"], "\(response.text)")
                let messages = answer.results.compactMap { $0.errors?.first?.message }
                try #require(messages.count == 3)
                #expect(messages[0].hasPrefix("items[1].id "), "\(messages)")
                #expect(messages[1].hasPrefix("items[2].id "), "\(messages)")
                #expect(messages[2].hasPrefix("items[3].personId "), "\(messages)")
                let stored = try await database.pool.query("select id from door_check order by occurred_at desc")
                #expect(try stored.map { try $0.decode("id", as: UUID.self) } == [upper, lower])
            }
        }
    }

    @Test("a check's timeline events and follow-ups get time-ordered ids (migration 0050)")
    func timeOrderedIds() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let before = Int64(Date().timeIntervalSince1970 * 1000) - 1000
                let check = UUID()
                let response = try await client.post(
                    "/v1/door-checks/batch",
                    json: ["items": [Checks.body(id: check, person: world.child, outcome: "needs_follow_up", needs: ["safety", "health"])]],
                    token: worker
                )
                #expect(try response.decode(Answer.Batch.self).created == 1, "\(response.text)")
                let after = Int64(Date().timeIntervalSince1970 * 1000) + 1000
                let rows = try await database.pool.query(
                    """
                    select 'event' as what, id::text as id from person_event where record_id = \(check.uuidString.lowercased())
                    union all
                    select 'follow-up', id::text from follow_up where check_id = \(check)
                    order by 1
                    """
                )
                var made: [String] = []
                for row in rows {
                    let id = try row.decode("id", as: String.self)
                    let hex = id.replacingOccurrences(of: "-", with: "")
                    let ms = try #require(Int64(hex.prefix(12), radix: 16))
                    #expect(Array(id)[14] == "7", "version 7: \(id)")
                    #expect((before...after).contains(ms), "made during the call: \(id)")
                    made.append(try row.decode("what", as: String.self))
                }
                #expect(made == ["event", "follow-up", "follow-up"])
            }
        }
    }
}
