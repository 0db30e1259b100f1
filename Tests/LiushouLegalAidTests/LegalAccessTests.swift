import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouLegalAid
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against every legal-aid route, for records of its own town (and county) and of the
/// other town (and another county).
@Suite("Legal-aid access by role and tenant")
struct LegalAccessTests {
    @Test("an officer whose display name is longer than 50 characters is assigned, and the case keeps the whole name")
    func longOfficerName() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let officer = try await LegalWorld.account("town1.legal2", database)
                let name = String(repeating: "律", count: 60)
                try await database.pool.query("update account set display_name = \(name) where id = \(UUID(uuidString: officer)!)")
                let id = try await LegalWorld.open(client, person: world.child, token: world.legal)
                let decided = try await LegalWorld.step(client, id, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.legal)
                #expect(decided.status == .ok, "\(decided.text)")
                let assigned = try await LegalWorld.step(client, id, "assignment", ["officerAccountId": officer], version: 2, token: world.legal)
                #expect(assigned.status == .ok, "\(assigned.text)")
                let stored = try await database.pool.query(
                    "select assignee_name from legal_case_detail where case_id = \(UUID(uuidString: id)!)"
                ).first
                #expect(try stored?.decode("assignee_name", as: String.self) == name)
            }
        }
    }

    @Test("each role × own and other-tenant records × every legal-aid route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                let otherCounty = try await seeder.unit(.county, name: "他县", code: "341123000000")
                let officer = try await LegalWorld.account("town1.legal2", database)
                // Own cases, one per stage a transition starts from; the other town's case at intake.
                func open(_ person: String = world.child) async throws -> String {
                    try await LegalWorld.open(client, person: person, token: world.legal)
                }
                func step(_ id: String, _ action: String, _ body: [String: Any], _ version: Int, _ token: String) async throws {
                    let response = try await LegalWorld.step(client, id, action, body, version: version, token: token)
                    guard response.status == .ok else { throw FixtureError.loginFailed("\(action): \(response.text)", Int(response.status.code)) }
                }
                let intake = try await open()
                let refused = try await open()
                try await step(refused, "decision", ["eligible": false, "reason": "不符合"], 1, world.legal2)
                let eligible = try await open()
                try await step(eligible, "decision", ["eligible": true, "basis": "minor"], 1, world.legal)
                let assigned = try await open()
                try await step(assigned, "decision", ["eligible": true, "basis": "minor"], 1, world.legal)
                try await step(assigned, "assignment", ["officerAccountId": officer], 2, world.legal)
                let running = try await open()
                try await step(running, "decision", ["eligible": true, "basis": "minor"], 1, world.legal)
                try await step(running, "assignment", ["officerAccountId": officer], 2, world.legal)
                try await step(running, "first-contact", ["mode": "advice"], 3, world.legal)
                let theirs = try await LegalWorld.open(client, person: world.other, token: world.otherLegal)

                let token = try await client.login(world.fixture.username(for: role))
                let isCounty = role == .countyAdmin
                func expectCodes(
                    _ permission: Permission,
                    own: TestResponse,
                    other: TestResponse,
                    success: Int,
                    otherFailure: Int = 404,
                    _ label: String
                ) {
                    let holds = permission.roles.contains(role)
                    #expect(own.status.code == (holds ? success : 403), "\(role) \(label) own: \(own.text)")
                    #expect(other.status.code == (!holds ? 403 : isCounty ? success : otherFailure), "\(role) \(label) other: \(other.text)")
                }

                expectCodes(
                    .legalAidManage,
                    own: try await client.post("/v1/legal-cases", json: LegalWorld.application(person: world.child), token: token),
                    other: try await client.post("/v1/legal-cases", json: LegalWorld.application(person: world.other), token: token),
                    success: 201,
                    otherFailure: 422,
                    "open"
                )
                let list = try await client.send(.get, "/v1/legal-cases", token: token)
                #expect(list.status.code == (Permission.legalAidRead.roles.contains(role) ? 200 : 403), "\(role) list")
                expectCodes(
                    .legalAidRead,
                    own: try await client.send(.get, "/v1/legal-cases/\(intake)", token: token),
                    other: try await client.send(.get, "/v1/legal-cases/\(theirs)", token: token),
                    success: 200,
                    "read"
                )
                // Notes: the county admin reads but does not manage.
                let note: () -> [String: Any] = { ["id": UUID().uuidString, "body": "电话联系申请人"] }
                let ownNote = try await client.post("/v1/legal-cases/\(intake)/notes", json: note(), token: token)
                let otherNote = try await client.post("/v1/legal-cases/\(theirs)/notes", json: note(), token: token)
                let manages = Permission.legalAidManage.roles.contains(role)
                #expect(ownNote.status.code == (manages ? 201 : 403), "\(role) note own: \(ownNote.text)")
                #expect(otherNote.status.code == (manages ? 404 : 403), "\(role) note other: \(otherNote.text)")

                // Transitions: the role the state machine names, on the case's town.
                let transitions: [(LegalAction, String, [String: Any], Int)] = [
                    (.decide, intake, ["eligible": true, "basis": "minor"], 1),
                    (.review, refused, ["decision": "overturn", "basis": "minor", "reason": "复核准予"], 2),
                    (.assign, eligible, ["officerAccountId": officer], 2),
                    (.firstContact, assigned, ["mode": "mediation"], 3),
                    (.close, running, ["outcome": "referred"], 4),
                ]
                for (action, id, body, version) in transitions {
                    let own = try await LegalWorld.step(client, id, action.path, body, version: version, token: token)
                    #expect(own.status.code == (action.roles.contains(role) ? 200 : 403), "\(role) \(action) own: \(own.text)")
                    let other = try await LegalWorld.step(client, theirs, action.path, body, version: 1, token: token)
                    #expect(other.status.code == (manages ? 404 : 403), "\(role) \(action) other: \(other.text)")
                }

                // Existence and stage: whoever may read the person.
                for person in [world.child, world.other] {
                    let file = try await client.send(.get, "/v1/persons/\(person)", token: token)
                    let cases = try await client.send(.get, "/v1/persons/\(person)/legal-cases", token: token)
                    #expect(cases.status == file.status, "\(role) existence: \(cases.text)")
                    if cases.status == .ok { #expect(try cases.decode(Read.Items<Read.Entry>.self).items.count >= 1) }
                }

                for route in ["overdue", "indicators"] {
                    expectCodes(
                        .legalAidRead,
                        own: try await client.send(.get, "/v1/legal-aid/\(route)?unitId=\(world.fixture.town1.idString)", token: token),
                        other: try await client.send(.get, "/v1/legal-aid/\(route)?unitId=\(world.fixture.town2.idString)", token: token),
                        success: 200,
                        route
                    )
                }
                let matters = try await client.send(.get, "/v1/legal-aid/matters", token: token)
                #expect(matters.status.code == (Permission.legalAidRead.roles.contains(role) ? 200 : 403), "\(role) matters")
                let configures = Permission.legalAidConfigure.roles.contains(role)
                let matter: (OrgUnit) -> [String: Any] = { ["countyId": $0.idString, "code": "land_lease", "name": "土地承包", "meansFree": false] }
                let ownMatter = try await client.post("/v1/legal-aid/matters", json: matter(world.fixture.county), token: token)
                let otherMatter = try await client.post("/v1/legal-aid/matters", json: matter(otherCounty), token: token)
                #expect(ownMatter.status.code == (configures ? 201 : 403), "\(role) add matter: \(ownMatter.text)")
                #expect(otherMatter.status.code == (configures ? 422 : 403), "\(role) add matter elsewhere: \(otherMatter.text)")
                let reads = Permission.legalAidRead.roles.contains(role)
                let ownSettings = try await client.send(.get, "/v1/legal-aid/settings/\(world.fixture.county.idString)", token: token)
                let otherSettings = try await client.send(.get, "/v1/legal-aid/settings/\(otherCounty.idString)", token: token)
                #expect(ownSettings.status.code == (reads ? 200 : 403), "\(role) settings")
                #expect(otherSettings.status.code == (reads ? 404 : 403), "\(role) settings elsewhere")
                let settings: [String: Any] = ["hardshipAssistance": ["minimum_living"], "meansFreeCategories": [], "firstContactDays": 4]
                let ownPut = try await client.send(
                    .put,
                    "/v1/legal-aid/settings/\(world.fixture.county.idString)",
                    json: settings,
                    token: token,
                    headers: [.ifMatch: "\"0\""]
                )
                let otherPut = try await client.send(
                    .put,
                    "/v1/legal-aid/settings/\(otherCounty.idString)",
                    json: settings,
                    token: token,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(ownPut.status.code == (configures ? 200 : 403), "\(role) set settings: \(ownPut.text)")
                #expect(otherPut.status.code == (configures ? 404 : 403), "\(role) set settings elsewhere: \(otherPut.text)")
            }
        }
    }

    @Test("matters: the national list, a county's additions, retries and clashes")
    func matters() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let list = try await client.send(.get, "/v1/legal-aid/matters", token: world.legal)
                let codes = try list.decode(Read.Items<Read.Matter>.self).items.map(\.code)
                #expect(
                    Set(codes) == [
                        "elder_support", "inheritance", "forest_land", "custody_guardianship", "domestic_violence",
                        "child_victim_or_offender", "migrant_wages", "other",
                    ]
                )
                let body: [String: Any] = ["countyId": world.fixture.county.idString, "code": "land_lease", "name": "土地承包经营", "meansFree": true]
                #expect(try await client.post("/v1/legal-aid/matters", json: body, token: world.county).status == .created)
                #expect(try await client.post("/v1/legal-aid/matters", json: body, token: world.county).status == .ok)
                // The same new matter twice at once: one created, the other answers it.
                let raced = try JSONSerialization.data(withJSONObject: [
                    "countyId": world.fixture.county.idString, "code": "house_site", "name": "宅基地纠纷", "meansFree": false,
                ])
                async let first = client.send(.post, "/v1/legal-aid/matters", body: raced, contentType: "application/json", token: world.county)
                async let second = client.send(.post, "/v1/legal-aid/matters", body: raced, contentType: "application/json", token: world.county)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                var changed = body
                changed["name"] = "土地"
                #expect(try await client.post("/v1/legal-aid/matters", json: changed, token: world.county).status == .conflict)
                var national = body
                national["code"] = "inheritance"
                #expect(try LegalWorld.fields(try await client.post("/v1/legal-aid/matters", json: national, token: world.county)) == ["code"])
                var bad = body
                bad["code"] = "Bad Code"
                bad["name"] = ""
                #expect(
                    Set(try LegalWorld.fields(try await client.post("/v1/legal-aid/matters", json: bad, token: world.county))) == ["code", "name"]
                )
                // A line break after a valid code is not a valid code (the database's pattern refuses it too).
                var trailing = body
                trailing["code"] = "land_lease2\n"
                #expect(try LegalWorld.fields(try await client.post("/v1/legal-aid/matters", json: trailing, token: world.county)) == ["code"])
                var town = body
                town["countyId"] = world.fixture.town1.idString
                #expect(try LegalWorld.fields(try await client.post("/v1/legal-aid/matters", json: town, token: world.county)) == ["countyId"])
                // The county's matter is usable at intake and aided regardless of means.
                let opened = try await client.post(
                    "/v1/legal-cases",
                    json: LegalWorld.application(person: world.elder, matter: "land_lease"),
                    token: world.legal
                )
                #expect(opened.status == .created, "\(opened.text)")
                #expect(try opened.json()["grounds"] as? [String] == ["matter"])
                // The other town of the same county uses the county's list.
                let theirs = try await client.send(.get, "/v1/legal-aid/matters", token: world.otherLegal)
                #expect(try theirs.decode(Read.Items<Read.Matter>.self).items.contains { $0.code == "land_lease" })
            }
        }
    }
}
