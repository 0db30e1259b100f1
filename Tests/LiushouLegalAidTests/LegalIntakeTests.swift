import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Legal-aid intake")
struct LegalIntakeTests {
    @Test("open, retry, id conflict, bad input naming fields, other town, guardian acting for a child")
    func intake() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let id = UUID()
                let body = LegalWorld.application(id: id, person: world.child, guardian: true)
                let created = try await client.post("/v1/legal-cases", json: body, token: world.legal)
                #expect(created.status == .created, "\(created.text)")
                #expect(created.etag == "\"1\"")
                let json = try created.json()
                #expect(json["stage"] as? String == "intake")
                #expect(json["matterName"] as? String == "抚养 / 监护")
                #expect(json["involvesLeftBehindChild"] as? Bool == true)
                #expect(try created.decode(Read.Case.self).guardian?.relationship == "祖父")
                #expect(json["grounds"] as? [String] == ["minor"])
                #expect(try await client.post("/v1/legal-cases", json: body, token: world.legal).status == .ok)
                var changed = body
                changed["facts"] = "另一事实"
                let conflict = try await client.post("/v1/legal-cases", json: changed, token: world.legal)
                #expect(conflict.status == .conflict)
                #expect(try conflict.json()["code"] as? String == "id_conflict")
                // The same application sent twice at once: one stores it, the other is answered as its retry.
                let raced = try JSONSerialization.data(withJSONObject: LegalWorld.application(person: world.elder, matter: "elder_support"))
                async let one = client.send(.post, "/v1/legal-cases", body: raced, contentType: "application/json", token: world.legal)
                async let two = client.send(.post, "/v1/legal-cases", body: raced, contentType: "application/json", token: world.legal2)
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 201])
                #expect(try await database.pool.query("select count(*) as n from legal_case").first?.decode("n", as: Int.self) == 2)

                var bad = LegalWorld.application(person: world.child, matter: "no_such_matter", facts: " ", parties: [""], channel: "follow_up")
                bad["guardian"] = ["name": "", "relationship": "祖父"]
                let rejected = try await client.post("/v1/legal-cases", json: bad, token: world.legal)
                #expect(rejected.status == .unprocessableContent)
                #expect(Set(try LegalWorld.fields(rejected)) == ["matter", "facts", "parties[0]", "guardian.name", "followUpId"])
                var badUrgency = LegalWorld.application(person: world.child)
                badUrgency["urgency"] = "whenever"
                #expect(try await client.post("/v1/legal-cases", json: badUrgency, token: world.legal).status == .badRequest)
                // The other town's child is not in this office's scope, nor this town's child in theirs.
                let theirs = try await client.post("/v1/legal-cases", json: LegalWorld.application(person: world.other), token: world.legal)
                #expect(try LegalWorld.fields(theirs) == ["personId"])
                let ours = try await client.post("/v1/legal-cases", json: LegalWorld.application(person: world.child), token: world.otherLegal)
                #expect(try LegalWorld.fields(ours) == ["personId"])
                #expect(try await client.send(.get, "/v1/legal-cases/\(id)", token: world.otherLegal).status == .notFound)
                #expect(try await client.post("/v1/legal-cases", json: body, token: nil).status == .unauthorized)
                #expect(try await client.post("/v1/legal-cases", json: body, token: world.cadre).status == .forbidden)
                #expect(try await client.post("/v1/legal-cases", json: body, token: world.county).status == .forbidden)
            }
        }
    }

    @Test("a grid follow-up with a legal need opens a case linked to it and is resolved by it")
    func fromFollowUp() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let check: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child,
                    "occurredAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)),
                    "channel": "in_person", "kind": "grid_knock", "outcome": "needs_follow_up", "needs": ["legal", "study"],
                ]
                let knocked = try await client.post("/v1/door-checks", json: check, token: worker)
                #expect(knocked.status == .created, "\(knocked.text)")
                let rows = try await database.pool.query("select id, need from follow_up where person_id = \(UUID(uuidString: world.child))")
                var followUps: [String: String] = [:]
                for row in rows { followUps[try row.decode("need")] = try row.decode("id", as: UUID.self).uuidString.lowercased() }
                let legalNeed = try #require(followUps["legal"])
                let studyNeed = try #require(followUps["study"])
                let wrongNeed = try await client.post(
                    "/v1/legal-cases",
                    json: LegalWorld.application(
                        person: world.child,
                        channel: "follow_up",
                        followUp: studyNeed
                    ),
                    token: world.legal
                )
                #expect(try LegalWorld.fields(wrongNeed) == ["followUpId"])
                let wrongPerson = try await client.post(
                    "/v1/legal-cases",
                    json: LegalWorld.application(
                        person: world.elder,
                        channel: "follow_up",
                        followUp: legalNeed
                    ),
                    token: world.legal
                )
                #expect(try LegalWorld.fields(wrongPerson) == ["followUpId"])
                let opened = try await client.post(
                    "/v1/legal-cases",
                    json: LegalWorld.application(
                        person: world.child,
                        channel: "follow_up",
                        followUp: legalNeed
                    ),
                    token: world.legal
                )
                #expect(opened.status == .created, "\(opened.text)")
                #expect((try opened.json()["followUpId"] as? String)?.lowercased() == legalNeed)
                let status = try await database.pool.query("select status, resolution from follow_up where id = \(UUID(uuidString: legalNeed))").first
                #expect(try status?.decode("status", as: String.self) == "resolved")
                #expect(try status?.decode("resolution", as: String.self) == "已受理法律援助申请")
            }
        }
    }
}
