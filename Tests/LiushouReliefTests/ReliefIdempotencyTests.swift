import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Relief retries, duplicates and races")
struct ReliefIdempotencyTests {
    @Test("a case's client id: the same content answers the stored case, other content 409; an open case of the type 409 with a pointer")
    func filing() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let id = UUID()
                let body = Relief.caseBody(id: id, person: world.elder, type: "medical", amount: 120_000)
                #expect(try await client.post("/v1/relief/cases", json: body, token: cadre).status == .created)
                let retry = try await client.post("/v1/relief/cases", json: body, token: cadre)
                #expect(retry.status == .ok)
                #expect((try retry.json()["id"] as? String)?.lowercased() == id.uuidString.lowercased())
                var changed = body
                changed["amountRequestedFen"] = 130_000
                let clash = try await client.post("/v1/relief/cases", json: changed, token: cadre)
                #expect(clash.status == .conflict)
                #expect(try clash.json()["code"] as? String == "id_conflict")

                let second = try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.elder, type: "medical"), token: cadre)
                #expect(second.status == .conflict)
                let problem = try second.json()
                #expect(problem["code"] as? String == "duplicate_open_case")
                #expect((problem["existingCaseId"] as? String) == id.uuidString.lowercased())
                #expect(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.elder, type: "temporary"), token: cadre).status
                        == .created,
                    "another type is not a duplicate"
                )
                let withdrawn = try await Relief.step(
                    client,
                    id.uuidString,
                    "withdraw",
                    token: cadre,
                    version: 1,
                    extra: Relief.extra(for: "withdraw")
                )
                #expect(withdrawn.status == .ok)
                #expect(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.elder, type: "medical"), token: cadre).status
                        == .created,
                    "a withdrawn case no longer blocks"
                )
                let count = try await database.pool.query(
                    "select count(*)::int as n from relief_case where person_id = \(UUID(uuidString: world.elder)!)"
                )
                .first!.decode("n", as: Int.self)
                #expect(count == 3)
            }
        }
    }

    @Test("two different filings of one type for one person at once: one is created, the other points at it")
    func concurrentFiling() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let relief = try await client.login("town1.relief")
                async let first = client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, type: "education"), token: cadre)
                async let second = client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, type: "education"), token: relief)
                let answers = try await [first, second]
                #expect(answers.map(\.status.code).sorted() == [201, 409], "\(answers.map(\.text))")
                let created = try #require(answers.first { $0.status == .created })
                let refused = try #require(answers.first { $0.status == .conflict })
                #expect((try refused.json()["existingCaseId"] as? String) == (try created.json()["id"] as? String)?.lowercased())
            }
        }
    }

    @Test("a retried step answers its first result and never pays twice; the same key with another body is refused")
    func idempotentSteps() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let (id, version) = try await Relief.caseAt("approved", person: world.elder, type: "temporary", client: client, amount: 45_050)
                let relief = try await client.login("town1.relief")
                let key = UUID().uuidString
                let pay = Relief.extra(for: "pay", amount: 45_050)
                let first = try await Relief.step(client, id, "pay", token: relief, version: version, key: key, extra: pay)
                #expect(first.status == .ok, "\(first.text)")
                let retry = try await Relief.step(client, id, "pay", token: relief, version: version, key: key, extra: pay)
                #expect(retry.status == .ok)
                #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try first.decode(Read.Step.self).transition.id == (try retry.decode(Read.Step.self).transition.id))
                var other = pay
                other["amountFen"] = 45_000
                let reused = try await Relief.step(client, id, "pay", token: relief, version: version, key: key, extra: other)
                #expect(reused.status == .unprocessableContent)
                #expect(try reused.json()["code"] as? String == "idempotency_key_reused")
                let again = try await Relief.step(client, id, "pay", token: relief, version: version + 1, extra: pay)
                #expect(again.status == .conflict, "a second payment under a new key is an illegal transition")
                let county = try await client.login("county.admin")
                let otherActor = try await Relief.step(client, id, "pay", token: county, version: version, key: key, extra: pay)
                #expect(otherActor.status == .unprocessableContent, "a key is one caller's")
                let payments = try await database.pool.query(
                    """
                    select count(*)::int as n from relief_transition where case_id = \(UUID(uuidString: id)!) and action = 'pay'
                    """
                ).first!.decode("n", as: Int.self)
                #expect(payments == 1)
                let paid = try await database.pool.query("select paid_amount_fen from relief_case where id = \(UUID(uuidString: id)!)").first!
                    .decode("paid_amount_fen", as: Int64.self)
                #expect(paid == 45_050)

                let missingKey = try await client.send(
                    .post,
                    "/v1/relief/cases/\(id)/transitions",
                    json: ["action": "close"],
                    token: relief,
                    headers: [.ifMatch: "\"\(version + 1)\""]
                )
                #expect(missingKey.status == .badRequest)
                #expect(missingKey.text.contains("Idempotency-Key"))
                let missingVersion = try await client.send(
                    .post,
                    "/v1/relief/cases/\(id)/transitions",
                    json: ["action": "close"],
                    token: relief,
                    headers: [HTTPField.Name("Idempotency-Key")!: "k-1"]
                )
                #expect(missingVersion.status == .preconditionRequired)
                let stale = try await Relief.step(client, id, "close", token: relief, version: version)
                #expect(stale.status == .preconditionFailed)
            }
        }
    }

    @Test("two approvals of one case at once: exactly one wins, the other changes nothing")
    func concurrentApprove() async throws {
        try await TestPostgres.withDatabase(maxConnections: 8) { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                for round in 0..<3 {
                    let type = try await world.newType()
                    let (id, version) = try await Relief.caseAt("village_reviewed", person: world.elder, type: type, client: client)
                    let relief = try await client.login("town1.relief")
                    let admin = try await client.login("town1.admin")
                    async let first = Relief.step(
                        client,
                        id,
                        "approve",
                        token: relief,
                        version: version,
                        extra: Relief.extra(for: "approve", amount: 10_000)
                    )
                    async let second = Relief.step(
                        client,
                        id,
                        round == 2 ? "reject" : "approve",
                        token: admin,
                        version: version,
                        extra: Relief.extra(for: round == 2 ? "reject" : "approve", amount: 20_000)
                    )
                    let answers = try await [first, second]
                    #expect(answers.filter { $0.status == .ok }.count == 1, "round \(round): \(answers.map(\.text))")
                    #expect(answers.filter { $0.status == .preconditionFailed || $0.status == .conflict }.count == 1)
                    let rows = try await database.pool.query(
                        """
                        select count(*)::int as n from relief_transition where case_id = \(UUID(uuidString: id)!) and action in ('approve', 'reject')
                        """
                    ).first!.decode("n", as: Int.self)
                    #expect(rows == 1)
                    let stored = try await database.pool.query("select version from relief_case where id = \(UUID(uuidString: id)!)").first!
                        .decode("version", as: Int.self)
                    #expect(stored == version + 1)
                }
                // The same request sent twice at once (a double click): one applies, the other is its replay.
                let type = try await world.newType()
                let (id, version) = try await Relief.caseAt("village_reviewed", person: world.elder, type: type, client: client)
                let relief = try await client.login("town1.relief")
                let key = UUID().uuidString
                async let one = Relief.step(client, id, "approve", token: relief, version: version, key: key, extra: Relief.extra(for: "approve"))
                async let two = Relief.step(client, id, "approve", token: relief, version: version, key: key, extra: Relief.extra(for: "approve"))
                let both = try await [one, two]
                #expect(both.allSatisfy { $0.status == .ok }, "\(both.map(\.text))")
                #expect(both.filter { $0.headers[HTTPField.Name("Idempotent-Replayed")!] == "true" }.count == 1)
            }
        }
    }
}
