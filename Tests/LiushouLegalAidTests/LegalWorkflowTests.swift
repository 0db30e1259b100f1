import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouLegalAid
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

@Suite("Legal-aid workflow")
struct LegalWorkflowTests {
    @Test("a refusal needs a reason and is reviewed once, by another officer or the town admin")
    func refusalAndReview() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let first = try await LegalWorld.open(client, person: world.elder, matter: "forest_land", token: world.legal)
                let refused = try await LegalWorld.step(
                    client,
                    first,
                    "decision",
                    ["eligible": false, "reason": "不符合经济困难标准"],
                    version: 1,
                    token: world.legal
                )
                #expect(try refused.json()["stage"] as? String == "refused")
                #expect(try refused.decode(Read.Case.self).eligibility?.refusalReason == "不符合经济困难标准")
                let own = try await LegalWorld.step(client, first, "review", ["decision": "uphold", "reason": "维持"], version: 2, token: world.legal)
                #expect(own.status == .forbidden)
                #expect(try own.json()["code"] as? String == "same_officer")
                let noReason = try await LegalWorld.step(client, first, "review", ["decision": "uphold"], version: 2, token: world.townAdmin)
                #expect(try LegalWorld.fields(noReason) == ["reason"])
                let upheld = try await LegalWorld.step(
                    client,
                    first,
                    "review",
                    ["decision": "uphold", "reason": "经复核维持"],
                    version: 2,
                    token: world.townAdmin
                )
                #expect(upheld.status == .ok, "\(upheld.text)")
                #expect(try upheld.json()["stage"] as? String == "refusal_upheld")
                let review = try upheld.decode(Read.Case.self).eligibility?.review
                #expect(review?.decision == "upheld")
                let again = try await LegalWorld.step(
                    client,
                    first,
                    "review",
                    ["decision": "overturn", "basis": "category", "reason": "再议"],
                    version: 3,
                    token: world.legal2
                )
                #expect(again.status == .conflict)
                #expect(try again.json()["code"] as? String == "invalid_transition")

                // Overturned by a second officer: eligible, on a ground the registry supports.
                let second = try await LegalWorld.open(client, person: world.poorElder, matter: "elder_support", token: world.legal)
                _ = try await LegalWorld.step(client, second, "decision", ["eligible": false, "reason": "材料不全"], version: 1, token: world.legal)
                let unsupported = try await LegalWorld.step(
                    client,
                    second,
                    "review",
                    ["decision": "overturn", "basis": "minor", "reason": "复核"],
                    version: 2,
                    token: world.legal2
                )
                #expect(try LegalWorld.fields(unsupported) == ["basis"])
                let overturned = try await LegalWorld.step(
                    client,
                    second,
                    "review",
                    ["decision": "overturn", "basis": "economic_hardship", "reason": "低保户，应予援助"],
                    version: 2,
                    token: world.legal2
                )
                #expect(try overturned.json()["stage"] as? String == "eligible")
                let eligibility = try overturned.decode(Read.Case.self).eligibility
                #expect(eligibility?.decision == "eligible")
                #expect(eligibility?.basis == "economic_hardship")
                #expect(eligibility?.refusalReason == "材料不全")
                #expect(
                    try await LegalWorld.step(client, second, "review", ["decision": "uphold", "reason": "x"], version: 3, token: world.townAdmin)
                        .status == .conflict
                )
            }
        }
    }

    @Test("assignment to an officer or a lawyer, first-contact deadline from the county, overdue list, first contact, close")
    func assignmentAndDeadlines() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let county = "/v1/legal-aid/settings/\(world.fixture.county.idString)"
                #expect(
                    try await client.send(
                        .put,
                        county,
                        json: ["hardshipAssistance": ["minimum_living"], "meansFreeCategories": [], "firstContactDays": 2],
                        token: world.county,
                        headers: [.ifMatch: "\"0\""]
                    ).status == .ok
                )
                let id = try await LegalWorld.open(client, person: world.child, token: world.legal)
                let early = try await LegalWorld.step(
                    client,
                    id,
                    "assignment",
                    ["lawyer": ["name": "李律师", "firm": "县法律援助中心", "licenceNumber": "13411202010123456"]],
                    version: 1,
                    token: world.legal
                )
                #expect(early.status == .conflict)
                _ = try await LegalWorld.step(client, id, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.legal)
                let both = try await LegalWorld.step(client, id, "assignment", [:], version: 2, token: world.legal)
                #expect(try LegalWorld.fields(both) == ["officerAccountId"])
                let badLawyer = try await LegalWorld.step(
                    client,
                    id,
                    "assignment",
                    ["lawyer": ["name": "李律师", "firm": " ", "licenceNumber": "12"]],
                    version: 2,
                    token: world.legal
                )
                #expect(Set(try LegalWorld.fields(badLawyer)) == ["lawyer.firm", "lawyer.licenceNumber"])
                let stranger = try await LegalWorld.step(
                    client,
                    id,
                    "assignment",
                    ["officerAccountId": try await LegalWorld.account("town2.legal", database)],
                    version: 2,
                    token: world.legal
                )
                #expect(try LegalWorld.fields(stranger) == ["officerAccountId"])
                let officer = try await LegalWorld.account("town1.legal2", database)
                let assigned = try await LegalWorld.step(client, id, "assignment", ["officerAccountId": officer], version: 2, token: world.townAdmin)
                #expect(assigned.status == .ok, "\(assigned.text)")
                let assignee = try assigned.decode(Read.Case.self).assignee
                #expect(assignee?.accountId?.lowercased() == officer)
                #expect(assignee?.overdue == false)
                let due = try await database.pool.query(
                    """
                    select extract(epoch from first_contact_due - assigned_at)::int as seconds from legal_case_detail where case_id = \(UUID(uuidString: id))
                    """
                ).first?.decode("seconds", as: Int.self)
                #expect(due == 2 * 86_400)
                // Re-assigned to a lawyer before the first contact.
                let lawyer = try await LegalWorld.step(
                    client,
                    id,
                    "assignment",
                    ["lawyer": ["name": "李律师", "firm": "县法律援助中心", "licenceNumber": "13411202010123456"]],
                    version: 3,
                    token: world.legal
                )
                #expect(try lawyer.decode(Read.Case.self).assignee?.firm == "县法律援助中心")
                #expect(try await client.send(.get, "/v1/legal-aid/overdue", token: world.legal).decode(Read.Items<Read.Entry>.self).items.isEmpty)
                // Three days on, no contact yet: overdue.
                try await database.pool.query(
                    """
                    update legal_case_detail set assigned_at = assigned_at - interval '3 days', first_contact_due = first_contact_due - interval '3 days'
                    where case_id = \(UUID(uuidString: id))
                    """
                )
                let overdue = try await client.send(.get, "/v1/legal-aid/overdue?unitId=\(world.fixture.town1.idString)", token: world.townAdmin)
                let rows = (try overdue.json()["items"] as? [[String: Any]]) ?? []
                #expect(rows.compactMap { ($0["id"] as? String)?.lowercased() } == [id])
                #expect(rows.first?["facts"] == nil)
                #expect(
                    try await client.send(.get, "/v1/legal-aid/overdue?unitId=\(world.fixture.town2.idString)", token: world.townAdmin).status
                        == .notFound
                )
                #expect(try await client.send(.get, "/v1/legal-aid/overdue?unitId=nope", token: world.townAdmin).status == .badRequest)

                let noMode = try await LegalWorld.step(client, id, "first-contact", [:], version: 4, token: world.legal)
                #expect(try LegalWorld.fields(noMode) == ["mode"])
                let tooEarly = try await LegalWorld.step(
                    client,
                    id,
                    "first-contact",
                    ["mode": "mediation", "contactedAt": "2020-01-01T08:00:00Z"],
                    version: 4,
                    token: world.legal
                )
                #expect(try LegalWorld.fields(tooEarly) == ["contactedAt"])
                #expect(
                    try await LegalWorld.step(client, id, "first-contact", ["mode": "mediation"], version: 4, token: world.townAdmin).status
                        == .forbidden
                )
                let contacted = try await LegalWorld.step(client, id, "first-contact", ["mode": "mediation"], version: 4, token: world.legal)
                #expect(try contacted.json()["stage"] as? String == "in_progress")
                #expect(try await client.send(.get, "/v1/legal-aid/overdue", token: world.legal).decode(Read.Items<Read.Entry>.self).items.isEmpty)
                let note = ["id": UUID().uuidString, "body": "已联系双方，约定下周调解"]
                #expect(try await client.post("/v1/legal-cases/\(id)/notes", json: note, token: world.legal).status == .created)
                #expect(try await client.post("/v1/legal-cases/\(id)/notes", json: note, token: world.legal).status == .ok)
                let raced = try JSONSerialization.data(withJSONObject: ["id": UUID().uuidString, "body": "调解前再次电话沟通"])
                async let one = client.send(.post, "/v1/legal-cases/\(id)/notes", body: raced, contentType: "application/json", token: world.legal)
                async let two = client.send(.post, "/v1/legal-cases/\(id)/notes", body: raced, contentType: "application/json", token: world.legal)
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 201])
                #expect(
                    try LegalWorld.fields(
                        try await client.post(
                            "/v1/legal-cases/\(id)/notes",
                            json: ["id": UUID().uuidString, "body": ""],
                            token: world.legal
                        )
                    ) == ["body"]
                )
                let tomorrow = LocalDate(daysSince1970: ChinaClock.system.today().daysSince1970 + 1).description
                let future = try await LegalWorld.step(
                    client,
                    id,
                    "close",
                    ["outcome": "mediated", "closedOn": tomorrow],
                    version: 5,
                    token: world.legal
                )
                #expect(try LegalWorld.fields(future) == ["closedOn"])
                let before = try await LegalWorld.step(
                    client,
                    id,
                    "close",
                    ["outcome": "mediated", "closedOn": "2020-01-01"],
                    version: 5,
                    token: world.legal
                )
                #expect(try LegalWorld.fields(before) == ["closedOn"])
                let closed = try await LegalWorld.step(
                    client,
                    id,
                    "close",
                    ["outcome": "mediated", "summary": "调解成功"],
                    version: 5,
                    token: world.legal
                )
                #expect(closed.status == .ok, "\(closed.text)")
                let json = try closed.json()
                #expect(json["stage"] as? String == "closed")
                #expect(json["outcome"] as? String == "mediated")
                #expect(json["closedOn"] as? String == ChinaClock.system.today().description)
                #expect((json["notes"] as? [Any])?.count == 2)
                #expect(
                    try await client.post("/v1/legal-cases/\(id)/notes", json: ["id": UUID().uuidString, "body": "补记"], token: world.legal)
                        .status == .conflict
                )

                // Before the first contact a case closes only as withdrawn.
                let other = try await LegalWorld.open(client, person: world.poorElder, matter: "elder_support", token: world.legal)
                let judged = try await LegalWorld.step(client, other, "close", ["outcome": "judgment"], version: 1, token: world.legal)
                #expect(try LegalWorld.fields(judged) == ["outcome"])
                let withdrawn = try await LegalWorld.step(client, other, "close", ["outcome": "withdrawn"], version: 1, token: world.legal)
                #expect(try withdrawn.json()["stage"] as? String == "closed")
            }
        }
    }

    @Test("concurrent transitions on one version: exactly one succeeds")
    func concurrency() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let id = try await LegalWorld.open(client, person: world.child, token: world.legal)
                let uri = "/v1/legal-cases/\(id)/decision"
                let grant = try JSONSerialization.data(withJSONObject: ["eligible": true, "basis": "minor"])
                let refuse = try JSONSerialization.data(withJSONObject: ["eligible": false, "reason": "不符合"])
                async let one = client.send(
                    .post,
                    uri,
                    body: grant,
                    contentType: "application/json",
                    token: world.legal,
                    headers: [.ifMatch: "\"1\""]
                )
                async let two = client.send(
                    .post,
                    uri,
                    body: refuse,
                    contentType: "application/json",
                    token: world.legal2,
                    headers: [.ifMatch: "\"1\""]
                )
                let codes = [try await one.status.code, try await two.status.code].sorted()
                #expect(codes == [200, 412])
                let stored = try await database.pool.query(
                    "select c.version, d.decided_by from legal_case c join legal_case_detail d on d.case_id = c.id where c.id = \(UUID(uuidString: id))"
                ).first
                #expect(try stored?.decode("version", as: Int.self) == 2)
                let events = try await database.pool.query(
                    """
                    select count(*) as n from person_event where record_id = \(id) and module = 'legal_aid'
                    """
                ).first?.decode("n", as: Int.self)
                #expect(events == 2)
                // Two assignments racing on the same version of an eligible case: one wins.
                let other = try await LegalWorld.open(client, person: world.poorElder, matter: "elder_support", token: world.legal)
                #expect(
                    try await LegalWorld.step(
                        client,
                        other,
                        "decision",
                        ["eligible": true, "basis": "economic_hardship"],
                        version: 1,
                        token: world.legal
                    )
                    .status == .ok
                )
                let body = try JSONSerialization.data(withJSONObject: ["officerAccountId": try await LegalWorld.account("town1.legal2", database)])
                let assign = "/v1/legal-cases/\(other)/assignment"
                async let first = client.send(
                    .post,
                    assign,
                    body: body,
                    contentType: "application/json",
                    token: world.legal,
                    headers: [.ifMatch: "\"2\""]
                )
                async let second = client.send(
                    .post,
                    assign,
                    body: body,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 412])
                let audits = try await database.pool.query("select count(*) as n from audit_log where action = 'legal_case.assign'").first
                #expect(try audits?.decode("n", as: Int.self) == 1)
                // A step whose answer was lost, sent again under its Idempotency-Key at the version read before: answered
                // with the case as it stands (not 412 "not saved"), and not applied twice.
                let reassign = try JSONSerialization.data(withJSONObject: ["officerAccountId": try await LegalWorld.account("town1.legal", database)])
                func keyed(_ key: String, _ body: Data, token: String) async throws -> TestResponse {
                    try await client.send(
                        .post,
                        assign,
                        body: body,
                        contentType: "application/json",
                        token: token,
                        headers: [.ifMatch: "\"3\"", .idempotencyKey: key]
                    )
                }
                let once = try await keyed("reassign-1", reassign, token: world.legal)
                #expect(once.status == .ok && once.etag == "\"4\"", "\(once.text)")
                let retried = try await keyed("reassign-1", reassign, token: world.legal)
                #expect(retried.status == .ok && retried.etag == "\"4\"", "\(retried.text)")
                #expect(retried.headers[.idempotentReplayed] == "true")
                let reassigned = try await database.pool.query("select count(*) as n from audit_log where action = 'legal_case.assign'").first
                #expect(try reassigned?.decode("n", as: Int.self) == 2, "the retry is not audited as a second assignment")
                let replayReads = try await database.pool.query(
                    "select count(*) as n from audit_log where action = 'legal_case.read' and record_id = \(other.lowercased())"
                ).first
                #expect(try replayReads?.decode("n", as: Int.self) == 1, "the replay hands back the case's details: audited as a read")
                // The same key with another body, or from someone else, is refused; a new key at the old version is 412.
                let reused = try await keyed("reassign-1", body, token: world.legal)
                #expect(reused.status == .unprocessableContent && reused.text.contains("idempotency_key_reused"))
                #expect(try await keyed("reassign-1", reassign, token: world.townAdmin).status == .unprocessableContent)
                #expect(try await keyed("reassign-2", reassign, token: world.legal).status == .preconditionFailed)
                // The first attempt and its retry at once (the retry sent while the first still commits): the retry
                // waits for the case's row and is answered as a replay, not 412. The town admin's key is kept too.
                async let racing = client.send(
                    .post,
                    assign,
                    body: body,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"4\"", .idempotencyKey: "admin-reassign"]
                )
                async let racingRetry = client.send(
                    .post,
                    assign,
                    body: body,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"4\"", .idempotencyKey: "admin-reassign"]
                )
                let pair = [try await racing, try await racingRetry]
                #expect(pair.map(\.status) == [.ok, .ok], "\(pair.map(\.text))")
                #expect(pair.filter { $0.headers[.idempotentReplayed] == "true" }.count == 1)
                #expect(Set(pair.map(\.etag)) == ["\"5\""])
            }
        }
    }
}
