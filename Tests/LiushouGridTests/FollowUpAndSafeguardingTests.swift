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
                let stale = try await client.send(
                    .post,
                    "/v1/safeguarding-reports/\(id)/acknowledge",
                    token: supervisor,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(stale.status == .preconditionFailed)
                let ack = try await client.send(.post, "/v1/safeguarding-reports/\(id)/acknowledge", token: supervisor, headers: [.ifMatch: "\"2\""])
                #expect(ack.status == .ok)
                #expect(
                    try await client.send(
                        .post,
                        "/v1/safeguarding-reports/\(id)/acknowledge",
                        token: supervisor,
                        headers: [.ifMatch: "\"3\""]
                    ).status == .conflict
                )
                #expect(
                    try await client.send(.get, "/v1/safeguarding-reports", token: supervisor).decode(Answer.Items<Answer.SafeguardingReport>.self)
                        .items.isEmpty
                )
                let county = try await client.login("county.admin")
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
                #expect(audits.filter { $0 == "safeguarding.read" }.count == 2)
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
