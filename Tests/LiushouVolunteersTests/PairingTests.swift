import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Pairings")
struct PairingTests {
    @Test("children: only screened helpers, only with the guardian's consent; failed helpers never")
    func screeningAndConsent() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let pendingForChild = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(helpers: [world.pending], people: [world.child]),
                    token: world.cadre
                )
                #expect(pendingForChild.status == .unprocessableContent)
                #expect(try VolunteerWorld.fields(pendingForChild) == ["helpers[0]"])
                let noConsent = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(
                        helpers: [world.passed],
                        people: [world.child],
                        consent: false
                    ),
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(noConsent) == ["people[0].consentBy"])
                // Consent given before the child was born (2015-03-04), a start before it: refused naming both.
                var unborn = VolunteerWorld.pairing(helpers: [world.passed], people: [world.child])
                unborn["startOn"] = "2014-01-01"
                unborn["people"] = [["personId": world.child, "consentBy": "王大爷", "consentOn": "2014-01-01"]]
                let beforeBirth = try await client.post("/v1/pairings", json: unborn, token: world.cadre)
                #expect(Set(try VolunteerWorld.fields(beforeBirth)) == ["people[0].consentOn", "startOn"], "\(beforeBirth.text)")
                let failedForElder = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(
                        kind: "elder_companion",
                        helpers: [world.failed],
                        people: [world.elder],
                        consent: false
                    ),
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(failedForElder) == ["helpers[0]"])
                // An elder needs neither consent nor a finished check (only a failed one bars).
                let pendingForElder = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(
                        kind: "elder_companion",
                        helpers: [world.pending],
                        people: [world.elder],
                        consent: false
                    ),
                    token: world.cadre
                )
                #expect(pendingForElder.status == .created, "\(pendingForElder.text)")
                let bad = try await client.post(
                    "/v1/pairings",
                    json: [
                        "id": UUID().uuidString, "kind": "proxy_parent", "helpers": [], "people": [["personId": world.child]], "goals": "",
                        "startOn": "2026-03-01", "endOn": "2026-02-01",
                    ],
                    token: world.cadre
                )
                #expect(Set(try VolunteerWorld.fields(bad)) == ["helpers", "goals", "endOn"])
                let unknownKind = try await client.post("/v1/pairings", json: ["id": UUID().uuidString, "kind": "best_friend"], token: world.cadre)
                #expect(unknownKind.status == .badRequest)
                // Other town's person, or none at all: the same answer.
                let other = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(helpers: [world.passed], people: [world.other]),
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(other) == ["people[0].personId"])
                let nobody = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(helpers: [world.passed], people: [UUID().uuidString]),
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(nobody) == ["people[0].personId"])
                #expect(try await database.pool.query("select count(*) as n from pairing").first!.decode("n", as: Int.self) == 1)
            }
        }
    }

    @Test("one helper for several people, several helpers for one person; retries never duplicate")
    func manyToOneAndOneToMany() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let id = UUID()
                let oneToMany = VolunteerWorld.pairing(id: id, helpers: [world.passed], people: [world.child, world.elder])
                let created = try await client.post("/v1/pairings", json: oneToMany, token: world.cadre)
                #expect(created.status == .created, "\(created.text)")
                let json = try created.decode(PairingBody.self)
                #expect(json.people.count == 2)
                #expect(json.running == true)
                // Two people in one village: filed under the village.
                #expect(json.unitId.lowercased() == world.fixture.village1a.idString)
                #expect(try await client.post("/v1/pairings", json: oneToMany, token: world.cadre).status == .ok)
                // The same new pairing sent twice at once: one creates it, the other gets it back.
                let raw = try JSONSerialization.data(withJSONObject: VolunteerWorld.pairing(helpers: [world.passed], people: [world.elder]))
                async let first = client.send(.post, "/v1/pairings", body: raw, contentType: "application/json", token: world.cadre)
                async let second = client.send(.post, "/v1/pairings", body: raw, contentType: "application/json", token: world.cadre)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                var changed = oneToMany
                changed["goals"] = "别的目标"
                #expect(try await client.post("/v1/pairings", json: changed, token: world.cadre).status == .conflict)

                let supervisor = try await client.login("town1.supervisor")
                try await database.pool.query(
                    "update volunteer set screening_status = 'passed', screened_on = '2026-02-01' where id = \(UUID(uuidString: world.pending)!)"
                )
                let manyToOne = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(
                        kind: "learning_buddy",
                        helpers: [world.passed, world.pending],
                        people: [world.child]
                    ),
                    token: supervisor
                )
                #expect(manyToOne.status == .created, "\(manyToOne.text)")
                #expect(try manyToOne.decode(PairingBody.self).helpers.count == 2)
                #expect((try manyToOne.json()["unitId"] as? String)?.lowercased() == world.fixture.grid1a.idString)

                let forChild = try await client.send(.get, "/v1/pairings?personId=\(world.child)", token: world.cadre)
                #expect((try forChild.json()["items"] as? [Any])?.count == 2)
                #expect(try await database.pool.query("select count(*) as n from pairing").first!.decode("n", as: Int.self) == 3)
                let byHelper = try await client.send(.get, "/v1/pairings?volunteerId=\(world.pending)", token: world.cadre)
                #expect((try byHelper.json()["items"] as? [Any])?.count == 1)
                // Both helpers with logins now see the child; assignments are filed per person.
                let assignments = try await database.pool.query("select count(*) as n from person_assignment where source = 'pairing'").first!
                #expect(try assignments.decode("n", as: Int.self) == 5)
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: world.cadre)
                #expect(timeline.text.components(separatedBy: "pairing.started").count - 1 == 2)
                // The other town sees no pairing.
                let otherCadre = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, "/v1/pairings/\(id.uuidString)", token: otherCadre).status == .notFound)
                #expect(((try await client.send(.get, "/v1/pairings", token: otherCadre).json()["items"] as? [Any]) ?? [1]).isEmpty)
            }
        }
    }

    @Test("a volunteer sees paired people only while the pairing runs, never their ID numbers")
    func volunteerScope() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let volunteer = try await client.login("village1a.volunteer")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: volunteer).status == .notFound)
                // A pairing that starts next week gives nothing yet.
                let later = PersonDate.offset(days: 7)
                let future = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(
                        helpers: [world.passed],
                        people: [world.elder],
                        startOn: later
                    ),
                    token: world.cadre
                )
                #expect(future.status == .created)
                #expect(try await client.send(.get, "/v1/persons/\(world.elder)", token: volunteer).status == .notFound)

                let id = UUID()
                #expect(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(id: id, helpers: [world.passed], people: [world.child]),
                        token: world.cadre
                    ).status == .created
                )
                let file = try await client.send(.get, "/v1/persons/\(world.child)", token: volunteer)
                #expect(file.status == .ok)
                #expect(!file.text.contains("idNumber\":\"3"), "no ID numbers for volunteers: \(file.text)")
                #expect(!file.text.contains(People.idNumber(born: "2015-03-04", sequence: 101)))
                let list = try await client.send(.get, "/v1/persons", token: volunteer)
                let ids = try list.decode(ItemsBody<NamedBody>.self).items.map { $0.id.lowercased() }
                #expect(ids == [world.child])
                let mine = try await client.send(.get, "/v1/me/volunteer", token: volunteer)
                #expect(((try mine.json()["pairings"] as? [Any]) ?? []).count == 2)
                #expect(try await client.send(.get, "/v1/pairings/\(id.uuidString)", token: volunteer).status == .ok)

                // Ending needs a reason and the version; then the volunteer loses the person.
                let uri = "/v1/pairings/\(id.uuidString)/end"
                #expect(try await client.post(uri, json: ["reason": "家长返乡"], token: world.cadre).status == .preconditionRequired)
                let noReason = try await client.post(uri, json: ["reason": " "], token: world.cadre, headers: [.ifMatch: "\"1\""])
                #expect(try VolunteerWorld.fields(noReason) == ["reason"])
                #expect(try await client.post(uri, json: ["reason": "家长返乡"], token: volunteer, headers: [.ifMatch: "\"1\""]).status == .forbidden)
                let raw = try JSONSerialization.data(withJSONObject: ["reason": "家长返乡"])
                async let one = client.send(.post, uri, body: raw, contentType: "application/json", token: world.cadre, headers: [.ifMatch: "\"1\""])
                async let two = client.send(
                    .post,
                    uri,
                    body: raw,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                #expect(try await client.post(uri, json: ["reason": "再次"], token: world.cadre, headers: [.ifMatch: "\"2\""]).status == .conflict)
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: volunteer).status == .notFound)
                // The ended pairing still shows to its helper, without the guardian, goals or why it ended.
                let helperView = try await client.send(.get, "/v1/pairings/\(id.uuidString)", token: volunteer)
                #expect(helperView.status == .ok)
                #expect(!helperView.text.contains("王大爷") && !helperView.text.contains("家长返乡") && !helperView.text.contains("辅导作业"))
                let ownRecord = try await client.send(.get, "/v1/me/volunteer", token: volunteer)
                #expect(!ownRecord.text.contains("王大爷") && !ownRecord.text.contains("家长返乡"))
                let after = try await client.send(.get, "/v1/persons", token: volunteer)
                #expect(((try after.json()["items"] as? [Any]) ?? [1]).isEmpty)
                // History stays: the pairing, its reason and the timeline.
                let ended = try await client.send(.get, "/v1/pairings/\(id.uuidString)", token: world.cadre)
                #expect(try ended.json()["status"] as? String == "ended")
                #expect(try ended.json()["endReason"] as? String == "家长返乡")
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: world.cadre)
                #expect(timeline.text.contains("pairing.ended"))
                // A grid worker reads pairings but cannot end one.
                let worker = try await client.login("grid1a.worker")
                #expect(try await client.send(.get, "/v1/pairings/\(id.uuidString)", token: worker).status == .ok)
                #expect(try await client.post(uri, json: ["reason": "x"], token: worker, headers: [.ifMatch: "\"2\""]).status == .forbidden)
            }
        }
    }

    @Test("a failed background check ends access to people outside the register keeper's area too")
    func failedCheckEndsAccessEverywhere() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                try await seeder.user(
                    "village1b.cadre",
                    password: PlatformFixture.password,
                    home: world.fixture.village1b,
                    grants: [(.villageCadre, world.fixture.village1b)]
                )
                try await seeder.user(
                    "village1b.helper",
                    password: PlatformFixture.password,
                    home: world.fixture.village1b,
                    grants: [(.volunteer, world.fixture.village1b)]
                )
                let helperAccount = try await database.pool.query("select id from account where username = 'village1b.helper'").first!.decode(
                    "id",
                    as: UUID.self
                )
                // 乙村 keeps the register; the town pairs its volunteer with a child of 甲村.
                let keeper = try await client.login("village1b.cadre")
                var body = VolunteerWorld.volunteer(
                    name: "钱乙村",
                    unit: world.fixture.village1b,
                    account: helperAccount.uuidString,
                    screening: "passed",
                    sequence: 305
                )
                let volunteer = try await VolunteerWorld.created(try await client.post("/v1/volunteers", json: body, token: keeper))
                let pairing = try await client.post(
                    "/v1/pairings",
                    json: VolunteerWorld.pairing(helpers: [volunteer], people: [world.child]),
                    token: world.townAdmin
                )
                #expect(pairing.status == .created, "\(pairing.text)")
                let helper = try await client.login("village1b.helper")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: helper).status == .ok)
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: keeper).status == .notFound)

                body.removeValue(forKey: "id")
                body["screening"] = "failed"
                body["screenedOn"] = VolunteerWorld.today
                let failed = try await client.send(.put, "/v1/volunteers/\(volunteer)", json: body, token: keeper, headers: [.ifMatch: "\"1\""])
                #expect(failed.status == .ok, "\(failed.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: helper).status == .notFound)
                // Passed again: the login reads the child again.
                body["screening"] = "passed"
                let passed = try await client.send(.put, "/v1/volunteers/\(volunteer)", json: body, token: keeper, headers: [.ifMatch: "\"2\""])
                #expect(passed.status == .ok, "\(passed.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: helper).status == .ok)
            }
        }
    }

    @Test("access follows the volunteer's login and background check; a pairing ends after its person moved")
    func accessFollowsTheRegister() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let id = UUID()
                #expect(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(
                            id: id,
                            kind: "elder_companion",
                            helpers: [world.pending],
                            people: [world.elder],
                            consent: false
                        ),
                        token: world.cadre
                    ).status == .created
                )
                let student = try await client.login("town1.student")
                #expect(try await client.send(.get, "/v1/persons/\(world.elder)", token: student).status == .ok)
                // The register moves the volunteer to another login: the old one loses the elder, the new one gains them.
                let other = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
                    "id",
                    as: UUID.self
                )
                var change = VolunteerWorld.volunteer(
                    name: "李学生",
                    unit: world.fixture.town1,
                    account: other.uuidString,
                    organisation: "student",
                    screening: "pending",
                    sequence: 302
                )
                change.removeValue(forKey: "id")
                try await database.pool.query("update volunteer set account_id = null where account_id = \(other)")
                let moved = try await client.send(
                    .put,
                    "/v1/volunteers/\(world.pending)",
                    json: change,
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.elder)", token: student).status == .notFound)
                let volunteer = try await client.login("village1a.volunteer")
                #expect(try await client.send(.get, "/v1/persons/\(world.elder)", token: volunteer).status == .ok)
                // A failed background check ends access at once.
                change["screening"] = "failed"
                change["screenedOn"] = "2026-02-01"
                #expect(
                    try await client.send(
                        .put,
                        "/v1/volunteers/\(world.pending)",
                        json: change,
                        token: world.townAdmin,
                        headers: [.ifMatch: "\"2\""]
                    ).status == .ok
                )
                #expect(try await client.send(.get, "/v1/persons/\(world.elder)", token: volunteer).status == .notFound)
                // The child of another pairing moves to another village of the town: the pairing still ends.
                let pairing = UUID()
                #expect(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(id: pairing, helpers: [world.passed], people: [world.child]),
                        token: world.townAdmin
                    ).status == .created
                )
                var file = People.child(name: "甲一", sequence: 101, village: world.fixture.village1b, school: world.fixture.school1)
                file["currentAddress"] = "乙村 1 号"
                let move = try await client.send(.put, "/v1/persons/\(world.child)", json: file, token: world.townAdmin, headers: [.ifMatch: "\"1\""])
                #expect(move.status == .ok, "\(move.text)")
                let ended = try await client.post(
                    "/v1/pairings/\(pairing.uuidString)/end",
                    json: ["reason": "搬迁"],
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(ended.status == .ok, "\(ended.text)")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: volunteer).status == .notFound)
            }
        }
    }
}

/// Dates relative to today in China.
enum PersonDate {
    static func offset(days: Int) -> String {
        LocalDate(daysSince1970: LocalDate(VolunteerWorld.today)!.daysSince1970 + days).description
    }
}
