import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport

/// The platform fixture plus people and a volunteer register: a child in grid 甲村一组 (enrolled at
/// 一乡中心小学), an elder in 甲村, a child in the other town; volunteers registered by the town:
/// 张志愿 (screened, login village1a.volunteer), 李学生 (screening pending, login town1.student),
/// 赵未过 (failed the check, no login).
struct VolunteerWorld {
    var fixture: PlatformFixture
    var child: String
    var elder: String
    var other: String
    var passed: String
    var pending: String
    var failed: String
    var townAdmin: String
    var cadre: String

    static let today = ChinaClock.system.today().description

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> VolunteerWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        try await seeder.user("town1.student", password: PlatformFixture.password, home: fixture.town1, grants: [(.volunteer, fixture.town1)])
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
        let elder = try await Self.created(try await client.post("/v1/persons", json: People.elder(village: fixture.village1a), token: cadre))
        let otherCadre = try await client.login("village2a.cadre")
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(name: "丙一", sequence: 105, village: fixture.village2a),
                token: otherCadre
            )
        )
        let townAdmin = try await client.login("town1.admin")
        let accounts = try await database.pool.query("select id, username from account where username in ('village1a.volunteer', 'town1.student')")
        var ids: [String: String] = [:]
        for row in accounts { ids[try row.decode("username")] = try row.decode("id", as: UUID.self).uuidString.lowercased() }
        let passed = try await Self.created(
            try await client.post(
                "/v1/volunteers",
                json: Self.volunteer(
                    name: "张志愿",
                    unit: fixture.town1,
                    account: ids["village1a.volunteer"],
                    screening: "passed",
                    sequence: 301
                ),
                token: townAdmin
            )
        )
        let pending = try await Self.created(
            try await client.post(
                "/v1/volunteers",
                json: Self.volunteer(
                    name: "李学生",
                    unit: fixture.town1,
                    account: ids["town1.student"],
                    organisation: "student",
                    screening: "pending",
                    sequence: 302
                ),
                token: townAdmin
            )
        )
        let failed = try await Self.created(
            try await client.post(
                "/v1/volunteers",
                json: Self.volunteer(
                    name: "赵未过",
                    unit: fixture.town1,
                    screening: "failed",
                    sequence: 303
                ),
                token: townAdmin
            )
        )
        return VolunteerWorld(
            fixture: fixture,
            child: child,
            elder: elder,
            other: other,
            passed: passed,
            pending: pending,
            failed: failed,
            townAdmin: townAdmin,
            cadre: cadre
        )
    }

    static func volunteer(
        id: UUID = UUID(),
        name: String,
        unit: OrgUnit,
        account: String? = nil,
        organisation: String = "party_member",
        screening: String,
        sequence: Int
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "unitId": unit.idString, "name": name, "phone": "13600136000",
            "idNumber": People.idNumber(born: "1980-06-06", sequence: sequence), "organisation": organisation,
            "skills": ["tutoring", "daily_care"], "availability": "周末", "screening": screening,
        ]
        if screening != "pending" { body["screenedOn"] = "2026-01-10" }
        if let account { body["accountId"] = account }
        return body
    }

    /// A pairing body; `people` pairs each person with the guardian's consent when `consent`.
    static func pairing(
        id: UUID = UUID(),
        kind: String = "proxy_parent",
        helpers: [String],
        people: [String],
        consent: Bool = true,
        startOn: String = VolunteerWorld.today,
        endOn: String? = nil
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "kind": kind, "helpers": helpers, "goals": "每周陪伴两次，辅导作业",
            "people": people.map { person -> [String: Any] in
                consent ? ["personId": person, "consentBy": "王大爷", "consentOn": "2026-01-15"] : ["personId": person]
            },
            "startOn": startOn,
        ]
        if let endOn { body["endOn"] = endOn }
        return body
    }

    /// A visit body; `occurred` is seconds before now.
    static func visit(
        id: UUID = UUID(),
        pairing: String,
        person: String,
        minutes: Int = 60,
        activities: [String] = ["tutoring"],
        outcome: String = "all_well",
        needs: [String] = [],
        occurred: TimeInterval = 60
    ) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        return [
            "id": id.uuidString, "pairingId": pairing, "personId": person, "occurredAt": formatter.string(from: Date().addingTimeInterval(-occurred)),
            "channel": "in_person", "outcome": outcome, "needs": needs, "activities": activities, "durationMinutes": minutes,
        ]
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// Field names of a problem's errors.
    static func fields(_ response: TestResponse) throws -> [String] {
        (try response.decode(ProblemBody.self).errors ?? []).map(\.field)
    }
}
