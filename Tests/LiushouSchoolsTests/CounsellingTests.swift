import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

@Suite("Counselling confidentiality (心理辅导)")
struct CounsellingTests {
    static func session(id: UUID = UUID(), person: String) -> [String: Any] {
        [
            "id": id.uuidString, "personId": person, "heldOn": ChinaClock.system.today().description, "issue": "夜里常哭，担心父母不回来",
            "notes": "沙盘游戏", "plan": "每两周一次", "riskLevel": "medium",
        ]
    }

    @Test("the town designates counsellors; only they record; details for counsellors and the town supervisor (audited), dates for the rest")
    func confidentiality() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let designate = "/v1/schools/\(world.fixture.school1.idString)/counsellors"
                let counsellor = try await client.login("school1.counsellor")
                // Not designated yet: a school's staff may not record counselling.
                #expect(
                    try await client.post("/v1/counselling-sessions", json: Self.session(person: world.child), token: counsellor).status == .forbidden
                )
                let cadreID = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode(
                    "id",
                    as: UUID.self
                )
                #expect(
                    try SchoolWorld.fields(try await client.post(designate, json: ["accountId": cadreID.uuidString], token: world.town)) == [
                        "accountId"
                    ]
                )
                #expect(try await client.post(designate, json: ["accountId": "x"], token: world.town).status == .badRequest)
                #expect(
                    try await client.post(designate, json: ["accountId": world.counsellorID.uuidString], token: world.teacher).status == .forbidden
                )
                #expect(
                    try await client.post(designate, json: ["accountId": world.counsellorID.uuidString], token: try await client.login("town2.admin"))
                        .status == .notFound
                )
                // Two designations sent at once (a double click): one designates, the other answers the running one.
                let raw = try JSONSerialization.data(withJSONObject: ["accountId": world.counsellorID.uuidString])
                async let first = client.send(.post, designate, body: raw, contentType: "application/json", token: world.town)
                async let second = client.send(.post, designate, body: raw, contentType: "application/json", token: world.town)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                #expect(try await client.post(designate, json: ["accountId": world.counsellorID.uuidString], token: world.town).status == .ok)

                let bad = try await client.post(
                    "/v1/counselling-sessions",
                    json: [
                        "id": UUID().uuidString, "personId": world.child,
                        "heldOn": "2099-01-01", "issue": " ", "riskLevel": "low",
                    ],
                    token: counsellor
                )
                #expect(Set(try SchoolWorld.fields(bad)) == ["heldOn", "issue"])
                #expect(
                    try SchoolWorld.fields(
                        try await client.post("/v1/counselling-sessions", json: Self.session(person: world.other), token: counsellor)
                    )
                        == ["personId"]
                )
                #expect(
                    try await client.post("/v1/counselling-sessions", json: Self.session(person: world.child), token: world.teacher).status
                        == .forbidden
                )
                let id = UUID()
                let created = try await client.post("/v1/counselling-sessions", json: Self.session(id: id, person: world.child), token: counsellor)
                #expect(created.status == .created, "\(created.text)")
                #expect(
                    try await client.post("/v1/counselling-sessions", json: Self.session(id: id, person: world.child), token: counsellor).status
                        == .ok
                )

                let uri = "/v1/persons/\(world.child)/counselling"
                let supervisor = try await client.login("town1.supervisor")
                for token in [counsellor, supervisor] {
                    let view = try await client.send(.get, uri, token: token)
                    #expect(view.status == .ok)
                    let details = try view.decode(Answer.Counselling.self).details ?? []
                    #expect(details.map(\.issue) == ["夜里常哭，担心父母不回来"])
                }
                let audits = "select count(*)::int as n from audit_log where action = 'counselling.read'"
                #expect(try await database.pool.query(SQLQuery(unsafeSQL: audits)).first!.decode("n", as: Int.self) == 2)
                for username in ["school1.teacher", "village1a.cadre", "town1.admin", "county.admin", "grid1a.worker"] {
                    let view = try await client.send(.get, uri, token: try await client.login(username))
                    #expect(view.status == .ok, "\(username)")
                    #expect(try view.json()["details"] == nil, "\(username)")
                    #expect(!view.text.contains("夜里常哭") && !view.text.contains("沙盘"), "\(username)")
                    #expect(try view.decode(Answer.Counselling.self).sessions.count == 1, "\(username)")
                }
                #expect(try await database.pool.query(SQLQuery(unsafeSQL: audits)).first!.decode("n", as: Int.self) == 2)
                // The timeline says only that a session happened.
                let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: world.cadre)
                #expect(timeline.text.contains("心理辅导"))
                #expect(!timeline.text.contains("夜里常哭"))
                #expect(try await client.send(.get, uri, token: try await client.login("town2.supervisor")).status == .notFound)
                #expect(try await client.send(.get, uri, token: try await client.login("county.auditor")).status == .forbidden)

                // Revoked: the counsellor loses the details and cannot record any more.
                #expect(try await client.post("\(designate)/\(world.counsellorID.uuidString)/revoke", json: [:], token: world.town).status == .ok)
                #expect(
                    try await client.post("\(designate)/\(world.counsellorID.uuidString)/revoke", json: [:], token: world.town).status == .notFound
                )
                #expect(try await client.send(.get, uri, token: counsellor).json()["details"] == nil)
                #expect(
                    try await client.post("/v1/counselling-sessions", json: Self.session(person: world.child), token: counsellor).status == .forbidden
                )
            }
        }
    }

    @Test("row-level security alone keeps counselling rows from staff who are not counsellors")
    func rowLevelSecurity() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                #expect(
                    try await client.post(
                        "/v1/schools/\(world.fixture.school1.idString)/counsellors",
                        json: ["accountId": world.counsellorID.uuidString],
                        token: world.town
                    ).status == .created
                )
                #expect(
                    try await client.post(
                        "/v1/counselling-sessions",
                        json: Self.session(person: world.child),
                        token: try await client.login("school1.counsellor")
                    ).status == .created
                )
                let tenant = TenantDatabase(pool: database.appPool)
                let school = world.fixture.school1
                func count(_ caller: Caller) async throws -> Int {
                    try await tenant.transaction(for: caller) { transaction in
                        try await transaction.query("select count(*)::int as n from counselling_session").first?.decode("n", as: Int.self) ?? -1
                    }
                }
                let teacher = try await PlatformFixture.caller("school1.teacher", .schoolStaff, at: school, in: database)
                let counsellor = Caller(
                    accountID: world.counsellorID,
                    name: "school1.counsellor",
                    kind: .user,
                    grants: [Grant(role: .schoolStaff, unitID: school.id, unitPath: school.path)],
                    credentialID: UUID()
                )
                let town = Caller(
                    accountID: UUID(),
                    name: "x",
                    kind: .user,
                    grants: [Grant(role: .townAdmin, unitID: world.fixture.town1.id, unitPath: world.fixture.town1.path)],
                    credentialID: UUID()
                )
                let supervisor = Caller(
                    accountID: UUID(),
                    name: "y",
                    kind: .user,
                    grants: [
                        Grant(role: .childWelfareSupervisor, unitID: world.fixture.town1.id, unitPath: world.fixture.town1.path)
                    ],
                    credentialID: UUID()
                )
                #expect(try await count(teacher) == 0)
                #expect(try await count(town) == 0)
                #expect(try await count(counsellor) == 1)
                #expect(try await count(supervisor) == 1)
                // A direct insert by a teacher who is not a counsellor is refused by the policy.
                let refused = await #expect(throws: DatabaseError.self) {
                    try await tenant.transaction(for: teacher) { transaction in
                        try await transaction.query(
                            """
                            insert into counselling_session (id, person_id, school_id, held_on, issue, risk_level, counsellor_account_id, counsellor_name,
                                content_hash)
                            values (\(UUID()), \(UUID(uuidString: world.child)!), \(school.id), current_date, '试', 'low', \(teacher.accountID), 't', '\\x00')
                            """
                        )
                    }
                }
                #expect(refused?.sqlState == "42501")
            }
        }
    }
}
