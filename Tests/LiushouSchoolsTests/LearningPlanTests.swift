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

@Suite("Learning help plans (学习帮扶计划) and progress checks (进步档案)")
struct LearningPlanTests {
    static let today = ChinaClock.system.today().description

    static func plan(id: UUID = UUID(), person: String, pairing: String? = nil) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "personId": person, "subjects": ["mathematics", "chinese"], "goals": "数学及格，每天读书半小时",
            "measures": "每周两次课后辅导", "startOn": Self.today, "reviewOn": "2099-07-01",
        ]
        if let pairing { body["pairingId"] = pairing }
        return body
    }

    static func check(id: UUID = UUID(), progress: String = "improved") -> [String: Any] {
        ["id": id.uuidString, "checkedOn": Self.today, "progress": progress, "notes": "单元测验 72 分"]
    }

    /// A running learning-buddy pairing of the person (as the pairing module stores one).
    static func pairing(_ person: String, unit: OrgUnit, kind: String = "learning_buddy", database: TestDatabase) async throws -> UUID {
        let id = UUID()
        let creator = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode("id", as: UUID.self)
        try await database.pool.query(
            """
            insert into pairing (id, unit_id, kind, goals, start_on, status, created_by, content_hash)
            values (\(id), \(unit.id), \(kind), '学习帮手', current_date - 30, 'active', \(creator), '\\x00')
            """
        )
        try await database.pool.query(
            """
            insert into pairing_person (pairing_id, person_id, consent_by, consent_on) values (\(id), \(UUID(uuidString: person)!), '王大爷', current_date - 30)
            """
        )
        return id
    }

    @Test("a plan links the child's learning-buddy pairing; progress checks build the record; the village reads it")
    func plans() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let buddy = try await Self.pairing(world.child, unit: world.fixture.grid1a, database: database)
                let proxy = try await Self.pairing(world.child, unit: world.fixture.grid1a, kind: "proxy_parent", database: database)
                let id = UUID()
                let created = try await client.post("/v1/learning-plans", json: Self.plan(id: id, person: world.child), token: world.teacher)
                #expect(created.status == .created, "\(created.text)")
                #expect((try created.json()["pairingId"] as? String)?.lowercased() == buddy.uuidString.lowercased())
                #expect(try await client.post("/v1/learning-plans", json: Self.plan(id: id, person: world.child), token: world.teacher).status == .ok)
                var changed = Self.plan(id: id, person: world.child)
                changed["goals"] = "别的目标"
                #expect(try await client.post("/v1/learning-plans", json: changed, token: world.teacher).status == .conflict)
                let wrongPairing = try await client.post(
                    "/v1/learning-plans",
                    json: Self.plan(person: world.child, pairing: proxy.uuidString),
                    token: world.teacher
                )
                #expect(try SchoolWorld.fields(wrongPairing) == ["pairingId"])

                let checks = "/v1/learning-plans/\(id.uuidString)/checks"
                let checkID = UUID()
                #expect(try await client.post(checks, json: Self.check(id: checkID), token: world.teacher).status == .created)
                #expect(try await client.post(checks, json: Self.check(id: checkID), token: world.teacher).status == .ok)
                #expect(try await client.post(checks, json: Self.check(id: checkID, progress: "declined"), token: world.teacher).status == .conflict)
                #expect(try await client.post(checks, json: Self.check(progress: "steady"), token: world.teacher).status == .created)
                let badCheck = try await client.post(
                    checks,
                    json: ["id": UUID().uuidString, "checkedOn": "2099-01-01", "progress": "steady"],
                    token: world.teacher
                )
                #expect(try SchoolWorld.fields(badCheck) == ["checkedOn"])
                #expect(
                    try await client.post(
                        checks,
                        json: ["id": UUID().uuidString, "checkedOn": Self.today, "progress": "magic"],
                        token: world.teacher
                    )
                    .status == .badRequest
                )
                #expect(try await client.post(checks, json: Self.check(), token: world.teacher2).status == .notFound)
                #expect(
                    try await client.post("/v1/learning-plans/\(UUID().uuidString)/checks", json: Self.check(), token: world.teacher).status
                        == .notFound
                )

                let read = try await client.send(.get, "/v1/persons/\(world.child)/learning-plans", token: world.cadre)
                #expect(read.status == .ok)
                let plans = try SchoolWorld.items(read, as: Answer.LearningPlan.self)
                #expect(plans.count == 1)
                #expect((plans.first?.checks ?? []).map(\.progress) == ["improved", "steady"])
                #expect(
                    try await client.send(.get, "/v1/persons/\(world.child)/learning-plans", token: try await client.login("village2a.cadre")).status
                        == .notFound
                )
            }
        }
    }

    @Test("plans: bad input named, only the child's own school")
    func access() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                var bad = Self.plan(person: world.child)
                bad["subjects"] = []
                bad["goals"] = " "
                bad["reviewOn"] = "2000-01-01"
                #expect(
                    Set(try SchoolWorld.fields(try await client.post("/v1/learning-plans", json: bad, token: world.teacher)))
                        == ["subjects", "goals", "reviewOn"]
                )
                var subject = Self.plan(person: world.child)
                subject["subjects"] = ["alchemy"]
                #expect(try await client.post("/v1/learning-plans", json: subject, token: world.teacher).status == .badRequest)
                for (token, person) in [(world.teacher2, world.child), (world.teacher, world.other)] {
                    #expect(
                        try SchoolWorld.fields(try await client.post("/v1/learning-plans", json: Self.plan(person: person), token: token))
                            == ["personId"]
                    )
                }
                #expect(try await client.post("/v1/learning-plans", json: Self.plan(person: world.child), token: world.town).status == .forbidden)
                // No learning-buddy pairing: the plan stands alone.
                let alone = try await client.post("/v1/learning-plans", json: Self.plan(person: world.child), token: world.teacher)
                #expect(alone.status == .created)
                #expect(try alone.json()["pairingId"] == nil)
            }
        }
    }
}
