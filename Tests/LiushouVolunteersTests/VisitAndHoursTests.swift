import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Volunteer visits, service hours, pairing rate, effect checks")
struct VisitAndHoursTests {
    /// The world with the screened volunteer paired with the child (returns the pairing id).
    static func paired(_ world: VolunteerWorld, client: some TestClientProtocol) async throws -> String {
        try await VolunteerWorld.created(
            try await client.post(
                "/v1/pairings",
                json: VolunteerWorld.pairing(helpers: [world.passed], people: [world.child]),
                token: world.cadre
            )
        )
    }

    @Test("visits: idempotent single and batch uploads, only paired people, daily knock satisfied, needs opening follow-ups")
    func visits() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let pairing = try await Self.paired(world, client: client)
                let volunteer = try await client.login("village1a.volunteer")
                let id = UUID()
                let visit = VolunteerWorld.visit(
                    id: id,
                    pairing: pairing,
                    person: world.child,
                    minutes: 90,
                    activities: ["tutoring", "heart_to_heart"]
                )
                let created = try await client.post("/v1/volunteer-visits", json: visit, token: volunteer)
                #expect(created.status == .created, "\(created.text)")
                #expect(try await client.post("/v1/volunteer-visits", json: visit, token: volunteer).status == .ok)
                // The same new visit sent twice at once (a retry overlapping the original): 201 and 200.
                let racing = try JSONSerialization.data(withJSONObject: VolunteerWorld.visit(pairing: pairing, person: world.child, minutes: 30))
                async let first = client.send(.post, "/v1/volunteer-visits", body: racing, contentType: "application/json", token: volunteer)
                async let second = client.send(.post, "/v1/volunteer-visits", body: racing, contentType: "application/json", token: volunteer)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                var longer = visit
                longer["durationMinutes"] = 120
                #expect(try await client.post("/v1/volunteer-visits", json: longer, token: volunteer).status == .conflict)
                // Nobody home is no visit: refused, so it never counts as service hours.
                for outcome in ["not_home", "away"] {
                    var missed = VolunteerWorld.visit(pairing: pairing, person: world.child, minutes: 30)
                    missed["outcome"] = outcome
                    let refused = try await client.post("/v1/volunteer-visits", json: missed, token: volunteer)
                    #expect(refused.status == .unprocessableContent && refused.text.contains("\"outcome\""), "\(refused.text)")
                }
                let stored = try await database.pool.query(
                    """
                    select c.kind, c.visitor_role, v.duration_minutes from door_check c join volunteer_visit v on v.check_id = c.id where c.id = \(id)
                    """
                ).first!
                #expect(try stored.decode("kind", as: String.self) == "volunteer_visit")
                #expect(try stored.decode("duration_minutes", as: Int.self) == 90)
                // The visit satisfied the child's daily knock.
                let obligations = try await client.send(.get, "/v1/persons/\(world.child)/obligations", token: world.cadre)
                let knock = try obligations.decode(ItemsBody<ObligationBody>.self).items.first { $0.ruleKey == "daily_knock" }
                #expect(knock?.overdue == false, "\(obligations.text)")
                // The child had no check before this visit.
                #expect(knock?.lastCheckAt != nil)

                let bad = try await client.post(
                    "/v1/volunteer-visits",
                    json: VolunteerWorld.visit(
                        pairing: pairing,
                        person: world.child,
                        minutes: 0,
                        activities: []
                    ),
                    token: volunteer
                )
                #expect(Set(try VolunteerWorld.fields(bad)) == ["activities", "durationMinutes"])
                let unpaired = try await client.post(
                    "/v1/volunteer-visits",
                    json: VolunteerWorld.visit(pairing: pairing, person: world.elder),
                    token: volunteer
                )
                #expect(try VolunteerWorld.fields(unpaired) == ["personId"])
                let notMine = try await client.post(
                    "/v1/volunteer-visits",
                    json: VolunteerWorld.visit(pairing: UUID().uuidString, person: world.child),
                    token: volunteer
                )
                #expect(try VolunteerWorld.fields(notMine) == ["pairingId"])
                // Only volunteers record visits; a volunteer login outside the register is refused.
                #expect(try await client.post("/v1/volunteer-visits", json: visit, token: world.cadre).status == .forbidden)
                let student = try await client.login("town1.student")
                #expect(
                    try await client.post(
                        "/v1/volunteer-visits",
                        json: VolunteerWorld.visit(pairing: pairing, person: world.child),
                        token: student
                    ).status == .unprocessableContent
                )

                // A batch retried after a timeout, with good, bad, unreadable and conflicting items.
                let fresh = VolunteerWorld.visit(
                    pairing: pairing,
                    person: world.child,
                    minutes: 45,
                    activities: ["family_video_call"],
                    outcome: "needs_follow_up",
                    needs: ["study"]
                )
                // An id with a space inside its first group is refused, not read as another id (as a door check's).
                var spaced = VolunteerWorld.visit(pairing: pairing, person: world.child, minutes: 30)
                spaced["id"] = " " + UUID().uuidString.lowercased().dropFirst()
                let items: [[String: Any]] = [
                    fresh, visit, longer, VolunteerWorld.visit(pairing: pairing, person: world.elder), ["id": "nonsense"], spaced,
                ]
                let batch = try await client.post("/v1/volunteer-visits/batch", json: ["items": items], token: volunteer)
                #expect(batch.status == .ok)
                let answer = try batch.json()
                #expect(answer["created"] as? Int == 1)
                #expect(answer["duplicate"] as? Int == 1)
                #expect(answer["conflict"] as? Int == 1)
                #expect(answer["rejected"] as? Int == 3)
                let spacedAnswer = try #require((answer["results"] as? [[String: Any]])?.last)
                #expect(spacedAnswer["status"] as? String == "rejected" && spacedAnswer["id"] == nil)
                #expect(((spacedAnswer["errors"] as? [[String: Any]])?.first?["message"] as? String)?.hasPrefix("items[5].id ") == true)
                let again = try await client.post("/v1/volunteer-visits/batch", json: ["items": items], token: volunteer).json()
                #expect(again["created"] as? Int == 0)
                #expect(again["duplicate"] as? Int == 2)
                #expect(try await database.pool.query("select count(*) as n from volunteer_visit").first!.decode("n", as: Int.self) == 3)
                // The need found opened a follow-up for the school.
                let followUps = try await database.pool.query("select need, routed_role from follow_up").map {
                    (try $0.decode("need", as: String.self), try $0.decode("routed_role", as: String.self))
                }
                #expect(followUps.map(\.0) == ["study"])
                let tooMany = try await client.post(
                    "/v1/volunteer-visits/batch",
                    json: ["items": Array(repeating: fresh, count: 1001)],
                    token: volunteer
                )
                #expect(try VolunteerWorld.fields(tooMany) == ["items"])
            }
        }
    }

    @Test("service hours per volunteer and organisation by month; a volunteer's own record")
    func hours() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let pairing = try await Self.paired(world, client: client)
                let volunteer = try await client.login("village1a.volunteer")
                for minutes in [90, 45] {
                    #expect(
                        try await client.post(
                            "/v1/volunteer-visits",
                            json: VolunteerWorld.visit(pairing: pairing, person: world.child, minutes: minutes),
                            token: volunteer
                        ).status == .created
                    )
                }
                let month = String(VolunteerWorld.today.prefix(7))
                let year = String(VolunteerWorld.today.prefix(4))
                let own = try await client.send(.get, "/v1/volunteers/\(world.passed)/hours?year=\(year)", token: world.cadre).decode(HoursBody.self)
                #expect(own.totalMinutes == 135)
                #expect(own.months.count == 1)
                #expect(own.months.first?.month == month)
                #expect(own.months.first?.hours == "2.25")
                #expect(own.months.first?.visits == 2)
                let other = try await client.send(.get, "/v1/volunteers/\(world.pending)/hours", token: world.cadre).decode(HoursBody.self)
                #expect(other.totalMinutes == 0)
                let town = try await client.send(.get, "/v1/volunteer-hours?unitId=\(world.fixture.town1.idString)", token: world.townAdmin)
                let rows = try town.decode(ItemsBody<HoursBody.Month>.self).items
                #expect(rows.count == 1)
                #expect(rows.first?.organisation == "party_member")
                #expect(rows.first?.minutes == 135)
                #expect(rows.first?.volunteers == 1)
                let elsewhere = try await client.send(.get, "/v1/volunteer-hours?unitId=\(world.fixture.village1b.idString)", token: world.townAdmin)
                #expect(try elsewhere.decode(ItemsBody<JSONObject>.self).items.isEmpty)
                let mine = try await client.send(.get, "/v1/me/volunteer", token: volunteer).decode(OwnRecordBody.self)
                #expect(mine.hours.totalMinutes == 135)
                #expect(mine.volunteer.name == "张志愿")
                // The field app keeps this answer on the phone: the number is masked as everywhere else.
                let raw = try await client.send(.get, "/v1/me/volunteer", token: volunteer).text
                #expect(!raw.contains("13600136000"))
                #expect(raw.contains("136****6000"))
                // Bad input, other towns, missing auth.
                #expect(
                    try await client.send(.get, "/v1/volunteer-hours?unitId=\(world.fixture.town1.idString)&year=20x6", token: world.townAdmin).status
                        == .badRequest
                )
                #expect(try await client.send(.get, "/v1/volunteer-hours", token: world.townAdmin).status == .badRequest)
                let otherCadre = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, "/v1/volunteers/\(world.passed)/hours", token: otherCadre).status == .notFound)
                #expect(
                    try await client.send(.get, "/v1/volunteer-hours?unitId=\(world.fixture.town1.idString)", token: otherCadre).status == .notFound
                )
                #expect(try await client.send(.get, "/v1/me/volunteer", token: world.cadre).status == .forbidden)
                #expect(try await client.send(.get, "/v1/me/volunteer", token: nil).status == .unauthorized)
            }
        }
    }

    @Test("pairing rate: people with a running pairing ÷ active people, per unit and child unit")
    func pairingRate() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                // A third person in 乙村, and an ended pairing (does not count) for the elder.
                _ = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.elder(
                            name: "周爷爷",
                            sequence: 225,
                            village: world.fixture.village1b
                        ),
                        token: world.townAdmin
                    )
                )
                _ = try await Self.paired(world, client: client)
                let ended = try await VolunteerWorld.created(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(
                            kind: "elder_companion",
                            helpers: [world.passed],
                            people: [world.elder]
                        ),
                        token: world.cadre
                    )
                )
                #expect(
                    try await client.post(
                        "/v1/pairings/\(ended)/end",
                        json: ["reason": "老人搬去子女家"],
                        token: world.cadre,
                        headers: [.ifMatch: "\"1\""]
                    ).status == .ok
                )
                // A pairing that starts next week does not count yet either.
                let elderInB = try await database.pool.query("select id from person where name = '周爷爷'").first!.decode("id", as: UUID.self)
                #expect(
                    try await client.post(
                        "/v1/pairings",
                        json: VolunteerWorld.pairing(
                            kind: "elder_companion",
                            helpers: [world.passed],
                            people: [elderInB.uuidString],
                            consent: false,
                            startOn: PersonDate.offset(days: 7)
                        ),
                        token: world.townAdmin
                    ).status == .created
                )
                let rate = try await client.send(.get, "/v1/pairing-rate?unitId=\(world.fixture.town1.idString)", token: world.townAdmin)
                #expect(rate.status == .ok, "\(rate.text)")
                var rows: [String: (Int, Int, Double?)] = [:]
                for item in try rate.decode(ItemsBody<RateBody>.self).items {
                    rows[item.unitName] = (item.paired, item.people, item.rate)
                }
                #expect(rows["一乡"]?.0 == 1)
                #expect(rows["一乡"]?.1 == 3)
                #expect(rows["一乡"]?.2 == 0.3333)
                #expect(rows["甲村"]?.0 == 1)
                #expect(rows["甲村"]?.1 == 2)
                #expect(rows["甲村"]?.2 == 0.5)
                #expect(rows["乙村"]?.0 == 0)
                #expect(rows["乙村"]?.1 == 1)
                #expect(rows.count == 3)
                let village = try await client.send(.get, "/v1/pairing-rate?unitId=\(world.fixture.village1a.idString)", token: world.cadre)
                #expect(try village.decode(ItemsBody<RateBody>.self).items.first?.paired == 1)
                #expect(
                    try await client.send(.get, "/v1/pairing-rate?unitId=\(world.fixture.town1.idString)", token: world.cadre).status == .notFound
                )
                let otherCadre = try await client.login("village2a.cadre")
                #expect(
                    try await client.send(.get, "/v1/pairing-rate?unitId=\(world.fixture.village1a.idString)", token: otherCadre).status == .notFound
                )
                #expect(try await client.send(.get, "/v1/pairing-rate?unitId=x", token: world.cadre).status == .badRequest)
            }
        }
    }

    @Test("effect checks by the cadre or the child's teacher, idempotent, on the timeline")
    func progress() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let pairing = try await Self.paired(world, client: client)
                let uri = "/v1/pairings/\(pairing)/progress"
                let check: [String: Any] = [
                    "id": UUID().uuidString, "personId": world.child, "assessedOn": VolunteerWorld.today, "study": "improved",
                    "mood": "steady", "living": "improved", "notes": "数学成绩提高",
                ]
                let created = try await client.post(uri, json: check, token: world.cadre)
                #expect(created.status == .created, "\(created.text)")
                #expect(try await client.post(uri, json: check, token: world.cadre).status == .ok)
                var changed = check
                changed["mood"] = "declined"
                #expect(try await client.post(uri, json: changed, token: world.cadre).status == .conflict)
                let teacher = try await client.login("school1.teacher")
                var byTeacher = check
                byTeacher["id"] = UUID().uuidString
                #expect(try await client.post(uri, json: byTeacher, token: teacher).status == .created)
                let future = try await client.post(
                    uri,
                    json: [
                        "id": UUID().uuidString, "personId": world.child, "assessedOn": "2099-01-01",
                        "mood": "steady", "living": "steady",
                    ],
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(future) == ["assessedOn"])
                let stranger = try await client.post(
                    uri,
                    json: [
                        "id": UUID().uuidString, "personId": world.elder, "assessedOn": VolunteerWorld.today,
                        "mood": "steady", "living": "steady",
                    ],
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(stranger) == ["personId"])
                let worker = try await client.login("grid1a.worker")
                #expect(try await client.post(uri, json: byTeacher, token: worker).status == .forbidden)
                let list = try await client.send(.get, uri, token: teacher)
                #expect(((try list.json()["items"] as? [Any]) ?? []).count == 2)
                let otherCadre = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, uri, token: otherCadre).status == .notFound)
                #expect(try await client.post(uri, json: check, token: otherCadre).status == .notFound)
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: world.cadre)
                #expect(timeline.text.contains("pairing.progress"))
            }
        }
    }
}
