import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Follow-ups")
struct FollowUpTests {
    @Test("a household's health or study need goes to the village cadre, who sees the household; the clinic is not told of one it cannot see")
    func householdNeedsGoToTheVillage() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let household = UUID().uuidString.lowercased()
                let created = try await client.post(
                    "/v1/households",
                    json: ["id": household, "villageId": world.fixture.village1a.idString, "address": "甲村 8 号"],
                    token: cadre
                )
                #expect(created.status == .created, "\(created.text)")
                var check = Checks.body(
                    person: world.child,
                    kind: "cadre_visit",
                    outcome: "needs_follow_up",
                    needs: ["health", "study", "daily_life"]
                )
                check.removeValue(forKey: "personId")
                check["householdId"] = household
                let stored = try await client.post("/v1/door-checks", json: check, token: cadre)
                #expect(stored.status == .created, "\(stored.text)")
                let routed = try await database.pool.query("select need, routed_role from follow_up order by need").map {
                    "\(try $0.decode("need", as: String.self))→\(try $0.decode("routed_role", as: String.self))"
                }
                #expect(routed == ["daily_life→relief_officer", "health→village_cadre", "study→village_cadre"])
                let mine = try await client.send(.get, "/v1/follow-ups", token: cadre).decode(Answer.Items<Answer.FollowUp>.self).items
                #expect(Set(mine.filter(\.canResolve).map(\.need)) == ["health", "study"])
                let doctor = try await client.login("clinic1.doctor")
                #expect(try await client.send(.get, "/v1/follow-ups", token: doctor).decode(Answer.Items<Answer.FollowUp>.self).items.isEmpty)
                let clinicAlerts = try await database.pool.query(
                    """
                    select count(*)::int as n from alert i join account a on a.id = i.account_id where a.username = 'clinic1.doctor'
                    """
                ).first?.decode("n", as: Int.self)
                #expect(clinicAlerts == 0)
            }
        }
    }

    @Test("study needs of two children of one school, uploaded in one batch, reach the school's teacher for each child")
    func studyNeedsReachTheSchool() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let second = try await GridWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.child(
                            name: "甲三",
                            sequence: 133,
                            village: world.fixture.village1a,
                            grid: world.fixture.grid1a,
                            school: world.fixture.school1
                        ),
                        token: cadre
                    )
                )
                let worker = try await client.login("grid1a.worker")
                let items = [world.child, second].map { Checks.body(person: $0, outcome: "needs_follow_up", needs: ["study"]) }
                let batch = try await client.post("/v1/door-checks/batch", json: ["items": items], token: worker)
                #expect(batch.status == .ok, "\(batch.text)")
                let heard = try await database.pool.query(
                    """
                    select count(*)::int as n from alert i join alert_event e on e.id = i.event_id join account a on a.id = i.account_id
                    where a.username = 'school1.teacher' and e.event = 'follow_up.opened'
                    """
                ).first?.decode("n", as: Int.self)
                #expect(heard == 2)
            }
        }
    }

    @Test("a routed role finds its follow-up behind thousands of older ones routed elsewhere; resolved ones come newest first")
    func listReadsPastOthersFollowUps() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                // 2,100 older open follow-ups of the village, routed to its cadre.
                try await database.pool.query(
                    """
                    with k as (
                        insert into door_check_key (id, occurred_at)
                        select gen_random_uuid(), now() - interval '3 days' from generate_series(1, 2100) returning id
                    )
                    insert into follow_up (id, check_id, person_id, unit_id, need, routed_role, status, opened_at)
                    select gen_random_uuid(), k.id, \(UUID(uuidString: world.child)!), \(world.fixture.village1a.id), 'safety', 'village_cadre', 'open',
                        now() - interval '2 days'
                    from k
                    """
                )
                let worker = try await client.login("grid1a.worker")
                let check = Checks.body(person: world.child, outcome: "needs_follow_up", needs: ["daily_life"])
                #expect(try await client.post("/v1/door-checks", json: check, token: worker).status == .created)
                let relief = try await client.login("town1.relief")
                let open = try await client.send(.get, "/v1/follow-ups", token: relief).decode(Answer.Items<Answer.FollowUp>.self).items
                #expect(open.map(\.need) == ["daily_life"])
                let cadre = try await client.login("village1a.cadre")
                let cadres = try await client.send(.get, "/v1/follow-ups", token: cadre).decode(Answer.Items<Answer.FollowUp>.self).items
                #expect(cadres.count == 500)
                // The follow-up just resolved is first among the resolved, not behind the oldest.
                try await database.pool.query(
                    "update follow_up set status = 'resolved', resolved_at = now() - interval '1 day', resolution = '旧' where routed_role = 'village_cadre'"
                )
                let id = try #require(open.first?.id)
                let resolved = try await client.send(
                    .post,
                    "/v1/follow-ups/\(id)/resolve",
                    json: ["resolution": "已申请临时救助"],
                    token: relief,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(resolved.status == .ok, "\(resolved.text)")
                let town = try await client.login("town1.admin")
                let newest = try await client.send(.get, "/v1/follow-ups?status=resolved", token: town).decode(Answer.Items<Answer.FollowUp>.self)
                #expect(newest.items.first?.id == id)
                #expect(newest.items.count == 500)
            }
        }
    }

    @Test("needs found at a visit open follow-ups routed by need; only the routed role (or an overseer) resolves them, once")
    func routing() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let check = Checks.body(person: world.child, outcome: "needs_follow_up", needs: ["health", "legal"])
                #expect(try await client.post("/v1/door-checks", json: check, token: worker).status == .created)
                func open(_ username: String) async throws -> [Answer.FollowUp] {
                    let token = try await client.login(username)
                    let response = try await client.send(.get, "/v1/follow-ups", token: token)
                    #expect(response.status == .ok, "\(username): \(response.text)")
                    return try response.decode(Answer.Items<Answer.FollowUp>.self).items
                }
                #expect(try await open("town1.legal").map(\.need) == ["legal"])
                #expect(try await open("clinic1.doctor").map(\.need) == ["health"])
                #expect(try await open("town1.relief").isEmpty)
                #expect(Set(try await open("town1.supervisor").map(\.routedRole)) == ["clinic_staff", "legal_aid_officer"])
                let legal = try #require(try await open("town1.legal").first)
                let id = legal.id
                let relief = try await client.login("town1.relief")
                #expect(
                    try await client.send(
                        .post,
                        "/v1/follow-ups/\(id)/resolve",
                        json: ["resolution": "已转介"],
                        token: relief,
                        headers: [.ifMatch: "\"1\""]
                    ).status == .forbidden
                )
                let officer = try await client.login("town1.legal")
                let empty = try await client.send(
                    .post,
                    "/v1/follow-ups/\(id)/resolve",
                    json: ["resolution": " "],
                    token: officer,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(empty.status == .unprocessableContent)
                let done = try await client.send(
                    .post,
                    "/v1/follow-ups/\(id)/resolve",
                    json: ["resolution": "已联系司法所律师上门"],
                    token: officer,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(done.status == .ok, "\(done.text)")
                #expect(try done.decode(Answer.FollowUp.self).status == "resolved")
                let twice = try await client.send(
                    .post,
                    "/v1/follow-ups/\(id)/resolve",
                    json: ["resolution": "again"],
                    token: officer,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(twice.status == .conflict)
                #expect(try await open("town1.legal").isEmpty)
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: officer)
                #expect(timeline.text.contains("follow_up.resolved"))
                #expect(timeline.text.contains("跟进已办结：法律"), "the need in Chinese, not its code")
                let auditor = try await client.login("county.auditor")
                #expect(try await client.send(.get, "/v1/follow-ups", token: auditor).status == .forbidden)
            }
        }
    }
}

@Suite("Safeguarding reports (强制报告)")
struct SafeguardingTests {
    @Test(
        "any user files; the town's supervisor and admins see it at once; others do not; police notice and acknowledgement are recorded and audited"
    )
    func visibility() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let teacher = try await client.login("school1.teacher")
                let body: [String: Any] = ["personId": world.child, "kind": "living_alone", "details": "孩子连续三天独自在家，父母联系不上"]
                // A police notice in the future or a receipt number of a page is refused at filing, as later.
                var early = body
                early["policeNotifiedAt"] = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
                early["policeReference"] = String(repeating: "号", count: 101)
                let refused = try await client.post("/v1/safeguarding-reports", json: early, token: teacher)
                #expect(refused.status == .unprocessableContent)
                let fields = ((try refused.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
                #expect(Set(fields) == ["policeNotifiedAt", "policeReference"], "\(refused.text)")
                let filed = try await client.post("/v1/safeguarding-reports", json: body, token: teacher)
                #expect(filed.status == .created, "\(filed.text)")
                let id = try #require(try filed.json()["id"] as? String).lowercased()
                let supervisor = try await client.login("town1.supervisor")
                let list = try await client.send(.get, "/v1/safeguarding-reports", token: supervisor)
                let items = try list.decode(Answer.Items<Answer.Keyed<Answer.SafeguardingReport>>.self).items
                #expect(items.count == 1)
                #expect(items.first?.keys.contains("details") != true, "lists leave the details out")
                let read = try await client.send(.get, "/v1/safeguarding-reports/\(id)", token: supervisor)
                #expect(read.status == .ok)
                #expect(read.text.contains("独自在家"))
                #expect(try await client.send(.get, "/v1/safeguarding-reports/\(id)", token: teacher).status == .ok, "the reporter reads their own")
                for username in ["village1a.cadre", "grid1a.worker", "town1.relief"] {
                    let token = try await client.login(username)
                    #expect(try await client.send(.get, "/v1/safeguarding-reports", token: token).status == .forbidden, "\(username)")
                    #expect(try await client.send(.get, "/v1/safeguarding-reports/\(id)", token: token).status == .notFound, "\(username)")
                }
                let police = try await client.send(
                    .post,
                    "/v1/safeguarding-reports/\(id)/police",
                    json: ["notifiedAt": Checks.timestamp(Date().addingTimeInterval(-600)), "reference": "110 接警 2026-1129-07"],
                    token: supervisor,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(police.status == .ok, "\(police.text)")
                // Two corrections of the notice at one version: one is kept, the other answers 412 (both were
                // answered 200 and the first was lost).
                let corrections = try ["110 接警 甲", "110 接警 乙"].map {
                    try JSONSerialization.data(withJSONObject: ["notifiedAt": Checks.timestamp(Date().addingTimeInterval(-300)), "reference": $0])
                }
                let policeURI = "/v1/safeguarding-reports/\(id)/police"
                async let first = client.send(
                    .post,
                    policeURI,
                    body: corrections[0],
                    contentType: "application/json",
                    token: supervisor,
                    headers: [.ifMatch: "\"2\""]
                )
                async let second = client.send(
                    .post,
                    policeURI,
                    body: corrections[1],
                    contentType: "application/json",
                    token: supervisor,
                    headers: [.ifMatch: "\"2\""]
                )
                let (one, two) = (try await first, try await second)
                #expect([one.status.code, two.status.code].sorted() == [200, 412])
                let kept = one.status == .ok ? "甲" : "乙"
                #expect(try await client.send(.get, "/v1/safeguarding-reports/\(id)", token: supervisor).text.contains("110 接警 \(kept)"))
                let stale = try await client.send(
                    .post,
                    "/v1/safeguarding-reports/\(id)/acknowledge",
                    token: supervisor,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(stale.status == .preconditionFailed)
                let ack = try await client.send(.post, "/v1/safeguarding-reports/\(id)/acknowledge", token: supervisor, headers: [.ifMatch: "\"3\""])
                #expect(ack.status == .ok)
                #expect(
                    try await client.send(
                        .post,
                        "/v1/safeguarding-reports/\(id)/acknowledge",
                        token: supervisor,
                        headers: [.ifMatch: "\"4\""]
                    ).status == .conflict
                )
                #expect(
                    try await client.send(.get, "/v1/safeguarding-reports", token: supervisor).decode(Answer.Items<Answer.SafeguardingReport>.self)
                        .items.isEmpty
                )
                let county = try await client.login("county.admin")
                #expect(try await client.send(.get, "/v1/safeguarding-reports?status=closed", token: county).status == .badRequest)
                #expect(
                    try await client.send(.get, "/v1/safeguarding-reports?status=all", token: county).decode(
                        Answer.Items<Answer.SafeguardingReport>.self
                    ).items.count == 1
                )

                let volunteer = try await client.login("village1a.volunteer")
                let unregistered = try await client.post(
                    "/v1/safeguarding-reports",
                    json: [
                        "unitId": world.fixture.village1a.idString, "kind": "missing", "details": "邻居家的孩子两天没回家",
                    ],
                    token: volunteer
                )
                #expect(unregistered.status == .created, "\(unregistered.text)")
                let outside = try await client.post(
                    "/v1/safeguarding-reports",
                    json: ["personId": world.other, "kind": "violence", "details": "x"],
                    token: volunteer
                )
                #expect(outside.status == .unprocessableContent)
                let blank = try await client.post(
                    "/v1/safeguarding-reports",
                    json: ["personId": world.child, "kind": "violence", "details": " "],
                    token: volunteer
                )
                #expect(blank.status == .unprocessableContent)
                let audits = try await database.pool.query(
                    "select action from audit_log where resource = 'safeguarding_report' order by chain_position"
                )
                .map { try $0.decode("action", as: String.self) }
                #expect(audits.filter { $0 == "safeguarding.read" }.count == 3, "two reads above and the one after the corrections")
                #expect(audits.contains("safeguarding.police") && audits.contains("safeguarding.acknowledge"))
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: supervisor)
                #expect(timeline.text.contains("safeguarding.reported"))
                #expect(!timeline.text.contains("独自在家"), "the timeline does not carry the details")
                #expect(!timeline.text.contains("独居") && !timeline.text.contains("school1.teacher"), "nor the kind or the reporter")
                let doctorReport = try await client.post(
                    "/v1/safeguarding-reports",
                    json: [
                        "unitId": world.fixture.village1b.idString, "kind": "injury", "details": "就诊儿童身上有多处伤痕，未在本卫生院建档",
                    ],
                    token: try await client.login("clinic1.doctor")
                )
                #expect(doctorReport.status == .created, "a doctor reports a child of any village of the county: \(doctorReport.text)")
                // The duty to report (强制报告) reaches the whole county: a report on another town's village lands in that
                // town's queue, not the reporter's own town's; the reporter reads it back; a school or clinic is no place.
                let elsewhere = try await client.post(
                    "/v1/safeguarding-reports",
                    json: [
                        "unitId": world.fixture.village2a.idString, "kind": "missing", "details": "走亲戚时听说丙村一名儿童失联三天",
                    ],
                    token: volunteer
                )
                #expect(elsewhere.status == .created, "\(elsewhere.text)")
                let elsewhereID = try #require(try elsewhere.json()["id"] as? String).lowercased()
                #expect(try await client.send(.get, "/v1/safeguarding-reports/\(elsewhereID)", token: volunteer).status == .ok)
                let town1Queue = try await client.send(.get, "/v1/safeguarding-reports?status=all", token: supervisor)
                #expect(!town1Queue.text.lowercased().contains(elsewhereID))
                #expect(try await client.send(.get, "/v1/safeguarding-reports/\(elsewhereID)", token: supervisor).status == .notFound)
                let countyQueue = try await client.send(.get, "/v1/safeguarding-reports?status=all", token: county)
                #expect(countyQueue.text.lowercased().contains(elsewhereID))
                let atSchool = try await client.post(
                    "/v1/safeguarding-reports",
                    json: [
                        "unitId": world.fixture.school1.idString, "kind": "missing", "details": "x",
                    ],
                    token: volunteer
                )
                #expect(atSchool.status == .unprocessableContent)
            }
        }
    }
}
