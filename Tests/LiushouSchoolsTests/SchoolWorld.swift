import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport

/// The platform fixture plus a second school of town 1 (一乡中学) and a school of town 2 (二乡小学),
/// each with a teacher, a second staff account at 一乡中心小学 (to be designated counsellor), town 2's
/// admin and cadre; a child of 甲村 registered at 一乡中心小学 and a child of 丙村 at 二乡小学.
struct SchoolWorld {
    var fixture: PlatformFixture
    var school2: OrgUnit
    var school3: OrgUnit
    var child: String
    var other: String
    var teacher: String
    var teacher2: String
    var teacher3: String
    var town: String
    var cadre: String
    var counsellorID: UUID

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> SchoolWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        let school2 = try await seeder.unit(.school, name: "一乡中学", parent: fixture.town1)
        let school3 = try await seeder.unit(.school, name: "二乡小学", parent: fixture.town2)
        let password = PlatformFixture.password
        try await seeder.user("school2.teacher", password: password, home: school2, grants: [(.schoolStaff, school2)])
        try await seeder.user("school3.teacher", password: password, home: school3, grants: [(.schoolStaff, school3)])
        try await seeder.user("school1.counsellor", password: password, home: fixture.school1, grants: [(.schoolStaff, fixture.school1)])
        try await seeder.user("town2.admin", password: password, home: fixture.town2, grants: [(.townAdmin, fixture.town2)])
        try await seeder.user("town2.supervisor", password: password, home: fixture.town2, grants: [(.childWelfareSupervisor, fixture.town2)])
        try await seeder.user("village2a.cadre", password: password, home: fixture.village2a, grants: [(.villageCadre, fixture.village2a)])
        let cadre = try await client.login("village1a.cadre")
        let child = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: "甲一",
                    sequence: 101,
                    village: fixture.village1a,
                    grid: fixture.grid1a,
                    school: fixture.school1
                ),
                token: cadre
            )
        )
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: "丙一",
                    sequence: 105,
                    village: fixture.village2a,
                    school: school3
                ),
                token: try await client.login("village2a.cadre")
            )
        )
        let counsellor = try await database.pool.query("select id from account where username = 'school1.counsellor'").first
        return SchoolWorld(
            fixture: fixture,
            school2: school2,
            school3: school3,
            child: child,
            other: other,
            teacher: try await client.login("school1.teacher"),
            teacher2: try await client.login("school2.teacher"),
            teacher3: try await client.login("school3.teacher"),
            town: try await client.login("town1.admin"),
            cadre: cadre,
            counsellorID: try counsellor?.decode("id", as: UUID.self) ?? UUID()
        )
    }

    /// A roll row body for `person` at `school`.
    static func enrolment(
        id: UUID = UUID(),
        person: String,
        school: OrgUnit,
        stage: String = "primary",
        grade: Int = 3,
        className: String? = "三（2）班",
        enrolledOn: String = "2024-09-01"
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "personId": person, "schoolId": school.idString, "stage": stage, "grade": grade, "boarding": false,
            "enrolledOn": enrolledOn,
        ]
        if let className { body["className"] = className }
        return body
    }

    /// A status change body.
    static func change(
        id: UUID = UUID(),
        to status: String,
        on date: String = "2026-03-01",
        reason: String? = "家长带去务工地",
        toSchoolId: String? = nil,
        toSchoolName: String? = nil
    ) -> [String: Any] {
        var body: [String: Any] = ["id": id.uuidString, "toStatus": status, "effectiveOn": date]
        if let reason { body["reason"] = reason }
        if let toSchoolId { body["toSchoolId"] = toSchoolId }
        if let toSchoolName { body["toSchoolName"] = toSchoolName }
        return body
    }

    /// Enrols `person` and returns the row's id (fails the test when the school refuses).
    static func enrol(
        _ client: some TestClientProtocol,
        person: String,
        school: OrgUnit,
        token: String,
        stage: String = "primary",
        grade: Int = 3,
        enrolledOn: String = "2024-09-01"
    ) async throws -> String {
        try await Self.created(
            try await client.post(
                "/v1/enrolments",
                json: Self.enrolment(
                    person: person,
                    school: school,
                    stage: stage,
                    grade: grade,
                    enrolledOn: enrolledOn
                ),
                token: token
            )
        )
    }

    /// Records a status change of a roll row at version `version`.
    static func changeStatus(
        _ client: some TestClientProtocol,
        enrolment: String,
        body: [String: Any],
        token: String,
        version: Int = 1
    ) async throws
        -> TestResponse
    {
        try await client.post("/v1/enrolments/\(enrolment)/status-changes", json: body, token: token, headers: [.ifMatch: "\"\(version)\""])
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// The fields a problem answer names.
    static func fields(_ response: TestResponse) throws -> [String] {
        (try response.decode(Answer.Problem.self).errors ?? []).map(\.field)
    }

    /// The `items` of a list answer.
    static func items<Item: Decodable>(_ response: TestResponse, as type: Item.Type) throws -> [Item] {
        try response.decode(Answer.Items<Item>.self).items
    }
}
