import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Legal-aid eligibility")
struct LegalEligibilityTests {
    @Test("means-tested from the registry's 低保/特困, regardless of means for minors, county categories and means-free matters")
    func rules() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                func grounds(_ id: String) async throws -> [String] {
                    (try await client.send(.get, "/v1/legal-cases/\(id)", token: world.legal).json()["grounds"] as? [String]) ?? ["unread"]
                }
                // Means-tested: the elder on 低保 qualifies by hardship, the elder without assistance does not.
                let poor = try await LegalWorld.open(client, person: world.poorElder, matter: "elder_support", token: world.legal)
                let notPoor = try await LegalWorld.open(client, person: world.elder, matter: "elder_support", token: world.legal)
                #expect(try await grounds(poor) == ["economic_hardship"])
                #expect(try await grounds(notPoor) == [])
                let refusedGround = try await LegalWorld.step(
                    client,
                    notPoor,
                    "decision",
                    ["eligible": true, "basis": "economic_hardship"],
                    version: 1,
                    token: world.legal
                )
                #expect(refusedGround.status == .unprocessableContent)
                #expect(try LegalWorld.fields(refusedGround) == ["basis"])
                #expect(
                    try await LegalWorld.step(client, notPoor, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.legal)
                        .status == .unprocessableContent
                )
                let granted = try await LegalWorld.step(
                    client,
                    poor,
                    "decision",
                    ["eligible": true, "basis": "economic_hardship"],
                    version: 1,
                    token: world.legal
                )
                #expect(granted.status == .ok, "\(granted.text)")
                let eligibility = try granted.decode(Read.Case.self).eligibility
                #expect(eligibility?.decision == "eligible")
                #expect(eligibility?.basis == "economic_hardship")
                #expect(eligibility?.decidedBy != nil)
                #expect(try granted.json()["stage"] as? String == "eligible")
                #expect(granted.etag == "\"2\"")

                // Regardless of means: a minor; a means-free matter (domestic violence).
                let child = try await LegalWorld.open(client, person: world.child, token: world.legal)
                #expect(try await grounds(child) == ["minor"])
                let violence = try await LegalWorld.open(client, person: world.elder, matter: "domestic_violence", token: world.legal)
                #expect(try await grounds(violence) == ["matter"])
                #expect(
                    try await LegalWorld.step(client, violence, "decision", ["eligible": true, "basis": "matter"], version: 1, token: world.legal)
                        .status == .ok
                )

                // The county aids left-behind elders regardless of means; and counts only 特困 as hardship.
                let settingsURI = "/v1/legal-aid/settings/\(world.fixture.county.idString)"
                let defaults = try await client.send(.get, settingsURI, token: world.legal)
                #expect(defaults.etag == "\"0\"")
                #expect(try defaults.json()["hardshipAssistance"] as? [String] == ["minimum_living", "extreme_poverty"])
                let set = try await client.send(
                    .put,
                    settingsURI,
                    json: [
                        "hardshipAssistance": ["extreme_poverty"], "meansFreeCategories": ["left_behind_elder"], "firstContactDays": 5,
                    ],
                    token: world.county,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(set.status == .ok, "\(set.text)")
                #expect(set.etag == "\"1\"")
                #expect(try await grounds(notPoor) == ["category"])
                #expect(try await grounds(poor) == ["category"])
                #expect(
                    try await LegalWorld.step(client, notPoor, "decision", ["eligible": true, "basis": "category"], version: 1, token: world.legal)
                        .status == .ok
                )
                // Bad decision bodies name the field.
                let noReason = try await LegalWorld.step(
                    client,
                    child,
                    "decision",
                    ["eligible": false, "reason": " "],
                    version: 1,
                    token: world.legal
                )
                #expect(try LegalWorld.fields(noReason) == ["reason"])
                #expect(
                    try LegalWorld.fields(try await LegalWorld.step(client, child, "decision", [:], version: 1, token: world.legal)) == ["eligible"]
                )
                #expect(
                    try await LegalWorld.step(client, child, "decision", ["eligible": true, "basis": "luck"], version: 1, token: world.legal)
                        .status == .badRequest
                )
                // Only an officer decides: the town admin may not, nor without If-Match, nor on a stale version.
                #expect(
                    try await LegalWorld.step(client, child, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.townAdmin)
                        .status == .forbidden
                )
                #expect(
                    try await client.post("/v1/legal-cases/\(child)/decision", json: ["eligible": true, "basis": "minor"], token: world.legal)
                        .status == .preconditionRequired
                )
                #expect(
                    try await LegalWorld.step(client, child, "decision", ["eligible": true, "basis": "minor"], version: 7, token: world.legal)
                        .status == .preconditionFailed
                )
                #expect(
                    try await LegalWorld.step(client, child, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.otherLegal)
                        .status == .notFound
                )
                let decisions = try await database.pool.query("select count(*) as n from audit_log where action = 'legal_case.decide'").first
                #expect(try decisions?.decode("n", as: Int.self) == 3)
            }
        }
    }

    @Test("a child's case keeps its grounds after the child's file moved to another town; the office decides it")
    func groundsAfterMove() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let id = try await LegalWorld.open(client, person: world.child, token: world.legal)
                let county = try await client.login("county.admin")
                let current = try await client.send(.get, "/v1/persons/\(world.child)", token: county)
                var file = People.child(name: "甲一", sequence: 101, village: world.fixture.village2a)
                file["currentAddress"] = "丙村 9 号"
                let moved = try await client.send(
                    .put,
                    "/v1/persons/\(world.child)",
                    json: file,
                    token: county,
                    headers: [.ifMatch: current.etag ?? "\"1\""]
                )
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: world.legal).status == .notFound)
                let read = try await client.send(.get, "/v1/legal-cases/\(id)", token: world.legal)
                #expect(try read.json()["grounds"] as? [String] == ["minor"], "\(read.text)")
                let decided = try await LegalWorld.step(client, id, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.legal)
                #expect(decided.status == .ok, "\(decided.text)")
            }
        }
    }

    @Test("county settings: only the county admin changes them, with If-Match; bad values name the field")
    func settings() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let uri = "/v1/legal-aid/settings/\(world.fixture.county.idString)"
                let body: [String: Any] = ["hardshipAssistance": ["minimum_living"], "meansFreeCategories": [], "firstContactDays": 2]
                #expect(try await client.send(.put, uri, json: body, token: world.townAdmin, headers: [.ifMatch: "\"0\""]).status == .forbidden)
                #expect(try await client.send(.put, uri, json: body, token: world.county).status == .preconditionRequired)
                var bad = body
                bad["firstContactDays"] = 0
                bad["meansFreeCategories"] = ["left_behind_elder", "left_behind_elder"]
                let rejected = try await client.send(.put, uri, json: bad, token: world.county, headers: [.ifMatch: "\"0\""])
                #expect(Set(try LegalWorld.fields(rejected)) == ["firstContactDays", "meansFreeCategories"])
                bad["hardshipAssistance"] = ["lottery"]
                #expect(try await client.send(.put, uri, json: bad, token: world.county, headers: [.ifMatch: "\"0\""]).status == .badRequest)
                let raw = try JSONSerialization.data(withJSONObject: body)
                async let one = client.send(.put, uri, body: raw, contentType: "application/json", token: world.county, headers: [.ifMatch: "\"0\""])
                async let two = client.send(.put, uri, body: raw, contentType: "application/json", token: world.county, headers: [.ifMatch: "\"0\""])
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                #expect(try await client.send(.get, uri, token: world.legal).etag == "\"1\"")
                #expect(try await client.send(.get, "/v1/legal-aid/settings/\(world.fixture.town1.idString)", token: world.legal).status == .notFound)
                #expect(try await client.send(.get, uri, token: world.cadre).status == .forbidden)
            }
        }
    }
}
