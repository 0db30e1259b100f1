import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against every schools route, for records of its own town and of the other town.
@Suite("Schools access by role and tenant")
struct SchoolMatrixTests {
    /// Records of one town: a child on a roll, a child not yet on one, an open dropout case.
    struct Side {
        var school: OrgUnit
        var village: OrgUnit
        var child: String
        var row: String
        var newcomer: String
        var dropoutCase: String
        var teacherID: UUID
        var planID: String
    }

    static func side(_ client: some TestClientProtocol, world: SchoolWorld, own: Bool, database: TestDatabase) async throws -> Side {
        let f = world.fixture
        let (school, village, teacher, cadre, admin, child) =
            own
            ? (f.school1, f.village1a, world.teacher, world.cadre, world.town, world.child)
            : (
                world.school3, f.village2a, world.teacher3, try await client.login("village2a.cadre"), try await client.login("town2.admin"),
                world.other
            )
        let base = own ? 300 : 400
        let newcomer = try await SchoolWorld.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: own ? "甲三" : "丙二",
                    born: "2014-01-01",
                    sequence: base + 1,
                    village: village,
                    school: school
                ),
                token: cadre
            )
        )
        let dropout = try await SchoolWorld.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: own ? "甲四" : "丙三",
                    born: "2013-01-01",
                    sequence: base + 3,
                    village: village,
                    school: school
                ),
                token: cadre
            )
        )
        let row = try await SchoolWorld.enrol(client, person: child, school: school, token: teacher)
        let dropoutRow = try await SchoolWorld.enrol(client, person: dropout, school: school, token: teacher)
        let caseID = UUID()
        _ = try await SchoolWorld.changeStatus(client, enrolment: dropoutRow, body: SchoolWorld.change(id: caseID, to: "dropped_out"), token: teacher)
        let username = own ? "school1.teacher" : "school3.teacher"
        let teacherID = try await database.pool.query("select id from account where username = \(username)").first!.decode("id", as: UUID.self)
        _ = try await client.post("/v1/schools/\(school.idString)/counsellors", json: ["accountId": teacherID.uuidString], token: admin)
        let plan = try await SchoolWorld.created(
            try await client.post("/v1/learning-plans", json: LearningPlanTests.plan(person: child), token: teacher)
        )
        return Side(
            school: school,
            village: village,
            child: child,
            row: row,
            newcomer: newcomer,
            dropoutCase: caseID.uuidString.lowercased(),
            teacherID: teacherID,
            planID: plan
        )
    }

    @Test("each role × own and other-town records × every schools route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.query(
                    """
                    insert into person_assignment (id, person_id, account_id, unit_id, source)
                    values (\(UUID()), \(UUID(uuidString: world.child)!), \(volunteer), \(world.fixture.grid1a.id), 'pairing')
                    """
                )
                // The clinic serves 甲村 and the volunteer is paired with the child: every role but the auditor sees the child.
                try await database.pool.query(
                    "insert into clinic_service_area (clinic_id, village_id) values (\(world.fixture.clinic1.id), \(world.fixture.village1a.id))"
                )
                let own = try await Self.side(client, world: world, own: true, database: database)
                let other = try await Self.side(client, world: world, own: false, database: database)
                #expect(
                    try await client.post("/v1/counselling-sessions", json: CounsellingTests.session(person: own.child), token: world.teacher).status
                        == .created
                )
                let token = try await client.login(world.fixture.username(for: role))
                let county = role == .countyAdmin
                let read = Permission.schoolsRead.roles.contains(role)
                let manage = Permission.schoolsManage.roles.contains(role)
                let closes = Permission.schoolsDropoutClose.roles.contains(role)
                let designates = Permission.schoolsCounsellors.roles.contains(role)
                let staff = role == .schoolStaff
                func expect(_ response: TestResponse, _ code: Int, _ label: String) {
                    #expect(response.status.code == code, "\(role.rawValue) \(label): \(response.text)")
                }

                for side in [own, other] {
                    let mine = side.school == own.school
                    let label = mine ? "own" : "other"
                    let outside = { (success: Int) in mine ? success : county ? success : 404 }
                    expect(
                        try await client.post(
                            "/v1/enrolments",
                            json: SchoolWorld.enrolment(person: side.newcomer, school: side.school),
                            token: token
                        ),
                        !manage ? 403 : mine || county ? 201 : 422,
                        "enrol \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/schools/\(side.school.idString)/roll", token: token),
                        !read ? 403 : role == .villageCadre ? 404 : outside(200),
                        "roll \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/schools/\(side.school.idString)/talks-due", token: token),
                        !read ? 403 : role == .villageCadre ? 404 : outside(200),
                        "talks due \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/persons/\(side.child)/enrolments", token: token),
                        !read ? 403 : outside(200),
                        "history \(label)"
                    )
                    let placement: [String: Any] = ["stage": "primary", "grade": 4, "className": "四（1）班", "boarding": false]
                    expect(
                        try await client.send(.put, "/v1/enrolments/\(side.row)", json: placement, token: token, headers: [.ifMatch: "\"1\""]),
                        !manage ? 403 : outside(200),
                        "placement \(label)"
                    )
                    expect(
                        try await SchoolWorld.changeStatus(
                            client,
                            enrolment: side.row,
                            body: SchoolWorld.change(to: "long_absence"),
                            token: token,
                            version: manage && (mine || county) ? 2 : 1
                        ),
                        !manage ? 403 : outside(201),
                        "status \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/school-rates?unitId=\(side.village.idString)", token: token),
                        !read ? 403 : staff ? 404 : outside(200),
                        "rates \(label)"
                    )
                    expect(
                        try await client.post("/v1/talks", json: TalkTests.talk(person: side.child), token: token),
                        !staff ? 403 : mine ? 201 : 422,
                        "talk \(label)"
                    )
                    expect(
                        try await client.post("/v1/counselling-sessions", json: CounsellingTests.session(person: side.child), token: token),
                        !staff ? 403 : mine ? 201 : 422,
                        "counselling \(label)"
                    )
                    expect(
                        try await client.post(
                            "/v1/family-contacts",
                            json: FamilyContactTests.contact(
                                person: side.child,
                                on: FamilyContactTests.today.description,
                                kind: "phone"
                            ),
                            token: token
                        ),
                        !staff ? 403 : mine ? 201 : 422,
                        "family contact \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/schools/\(side.school.idString)/five-ones", token: token),
                        !read ? 403 : role == .villageCadre ? 404 : outside(200),
                        "five ones \(label)"
                    )
                    let plan = try await client.post("/v1/learning-plans", json: LearningPlanTests.plan(person: side.child), token: token)
                    expect(plan, !staff ? 403 : mine ? 201 : 422, "learning plan \(label)")
                    expect(
                        try await client.post("/v1/learning-plans/\(side.planID)/checks", json: LearningPlanTests.check(), token: token),
                        !staff ? 403 : mine ? 201 : 404,
                        "learning check \(label)"
                    )
                    expect(
                        try await client.send(.get, "/v1/persons/\(side.child)/learning-plans", token: token),
                        !read ? 403 : outside(200),
                        "learning plans \(label)"
                    )
                    let view = try await client.send(.get, "/v1/persons/\(side.child)/counselling", token: token)
                    expect(view, role == .auditor ? 403 : outside(200), "counselling view \(label)")
                    if mine, role != .auditor {
                        #expect((try view.json()["details"] != nil) == (staff || role == .childWelfareSupervisor), "\(role.rawValue) details")
                    }
                    let cases = try await client.send(.get, "/v1/dropout-cases", token: token)
                    expect(cases, read ? 200 : 403, "cases \(label)")
                    if read {
                        let ids = try SchoolWorld.items(cases, as: Answer.DropoutCase.self).map { $0.id.lowercased() }
                        #expect(ids.contains(side.dropoutCase) == (mine || county), "\(role.rawValue) lists \(label) case")
                    }
                    expect(
                        try await client.post(
                            "/v1/dropout-cases/\(side.dropoutCase)/close",
                            json: ["reason": "已随父母在外省入学"],
                            token: token,
                            headers: [.ifMatch: "\"1\""]
                        ),
                        !closes ? 403 : outside(200),
                        "close \(label)"
                    )
                    let counsellors = "/v1/schools/\(side.school.idString)/counsellors"
                    expect(
                        try await client.post(counsellors, json: ["accountId": side.teacherID.uuidString], token: token),
                        !designates ? 403 : outside(200),
                        "designate \(label)"
                    )
                    expect(
                        try await client.post("\(counsellors)/\(side.teacherID.uuidString)/revoke", json: [:], token: token),
                        !designates ? 403 : outside(200),
                        "revoke \(label)"
                    )
                }
            }
        }
    }
}
