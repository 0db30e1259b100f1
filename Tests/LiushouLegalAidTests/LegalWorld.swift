import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport

/// The platform fixture plus people of the registry and the legal-aid office: a left-behind child
/// (a minor) in grid 甲村一组, an elder on 低保 and an elder without assistance in 甲村, a child of
/// the other town; a second legal-aid officer of 一乡 (town1.legal2) and one of 二乡 (town2.legal).
struct LegalWorld {
    var fixture: PlatformFixture
    var child: String
    var poorElder: String
    var elder: String
    var other: String
    var legal: String
    var legal2: String
    var townAdmin: String
    var county: String
    var cadre: String
    var otherLegal: String

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> LegalWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        try await seeder.user("town1.legal2", password: PlatformFixture.password, home: fixture.town1, grants: [(.legalAidOfficer, fixture.town1)])
        try await seeder.user("town2.legal", password: PlatformFixture.password, home: fixture.town2, grants: [(.legalAidOfficer, fixture.town2)])
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
        var poor = People.elder(name: "低保奶奶", sequence: 224, village: fixture.village1a)
        poor["assistance"] = ["minimum_living"]
        let poorElder = try await Self.created(try await client.post("/v1/persons", json: poor, token: cadre))
        let elder = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.elder(name: "赵爷爷", sequence: 226, village: fixture.village1a),
                token: cadre
            )
        )
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(
                    name: "丙一",
                    sequence: 105,
                    village: fixture.village2a
                ),
                token: try await client.login("village2a.cadre")
            )
        )
        return LegalWorld(
            fixture: fixture,
            child: child,
            poorElder: poorElder,
            elder: elder,
            other: other,
            legal: try await client.login("town1.legal"),
            legal2: try await client.login("town1.legal2"),
            townAdmin: try await client.login("town1.admin"),
            county: try await client.login("county.admin"),
            cadre: cadre,
            otherLegal: try await client.login("town2.legal")
        )
    }

    /// An application body.
    static func application(
        id: UUID = UUID(),
        person: String,
        matter: String = "custody_guardianship",
        facts: String = "父母外出务工，祖父无力监护，叔叔争夺抚养权",
        parties: [String] = ["王二叔"],
        channel: String = "walk_in",
        followUp: String? = nil,
        guardian: Bool = false
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "personId": person, "matter": matter, "parties": parties, "facts": facts, "urgency": "urgent", "channel": channel,
        ]
        if let followUp { body["followUpId"] = followUp }
        if guardian { body["guardian"] = ["name": "王大爷", "relationship": "祖父"] }
        return body
    }

    /// Opens a case and answers its id.
    static func open(_ client: some TestClientProtocol, person: String, matter: String = "custody_guardianship", token: String) async throws -> String
    {
        try await Self.created(try await client.post("/v1/legal-cases", json: Self.application(person: person, matter: matter), token: token))
    }

    /// Takes a transition with If-Match `version`.
    static func step(
        _ client: some TestClientProtocol,
        _ id: String,
        _ action: String,
        _ body: [String: Any],
        version: Int,
        token: String
    ) async throws -> TestResponse {
        try await client.post("/v1/legal-cases/\(id)/\(action)", json: body, token: token, headers: [.ifMatch: "\"\(version)\""])
    }

    /// The account id of a username.
    static func account(_ username: String, _ database: TestDatabase) async throws -> String {
        guard let row = try await database.pool.query("select id from account where username = \(username)").first else {
            throw FixtureError.loginFailed(username, 0)
        }
        return try row.decode("id", as: UUID.self).uuidString.lowercased()
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// Field names of a problem's errors.
    static func fields(_ response: TestResponse) throws -> [String] {
        (try response.decode(Read.Problem.self).errors ?? []).map(\.field)
    }
}

/// Typed views of the answers the tests read (only the fields they check).
enum Read {
    struct Items<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct TimelineEntry: Decodable {
        var module: String
        var summary: String
    }

    /// An object whose fields the test does not read.
    struct Entry: Decodable {}

    struct FieldError: Decodable {
        var field: String
    }

    struct Problem: Decodable {
        var errors: [FieldError]?
    }

    struct Matter: Decodable {
        var code: String
    }

    struct Review: Decodable {
        var decision: String
    }

    struct Eligibility: Decodable {
        var decision: String
        var basis: String?
        var refusalReason: String?
        var decidedBy: String?
        var review: Review?
    }

    struct Assignee: Decodable {
        var accountId: String?
        var firm: String?
        var overdue: Bool
    }

    struct Guardian: Decodable {
        var relationship: String
    }

    struct Count: Decodable {
        var matter: String
        var stage: String
        var cases: Int
    }

    struct Unit: Decodable {
        var unitId: String
        var cases: Int
        var eligibleChildCases: Int
        var aidedChildCases: Int
        var aidRate: Double?
        var medianDaysToAssignment: Double?
        var byMatterAndStage: [Count]
    }

    struct Indicators: Decodable {
        var target: Double
        var items: [Unit]
    }

    struct Case: Decodable {
        var guardian: Guardian?
        var eligibility: Eligibility?
        var assignee: Assignee?
    }
}
