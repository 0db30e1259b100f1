import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport

/// The platform fixture plus people with relief needs: a child in grid 甲村一组, an elder in 甲村,
/// a woman in 乙村 (same town) and a child in 丙村 of the other town, with a relief officer and a
/// village cadre there.
struct ReliefWorld {
    var fixture: PlatformFixture
    var database: TestDatabase
    var child: String
    var elder: String
    var woman: String
    var other: String

    static func make(_ database: TestDatabase, client: some TestClientProtocol) async throws -> ReliefWorld {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        try await seeder.user(
            "village1b.cadre",
            password: PlatformFixture.password,
            home: fixture.village1b,
            grants: [(.villageCadre, fixture.village1b)]
        )
        try await seeder.user("town2.relief", password: PlatformFixture.password, home: fixture.town2, grants: [(.reliefOfficer, fixture.town2)])
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
        let woman = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.elder(name: "乙奶奶", sequence: 226, village: fixture.village1b),
                token: try await client.login("village1b.cadre")
            )
        )
        let other = try await Self.created(
            try await client.post(
                "/v1/persons",
                json: People.child(name: "丙一", sequence: 105, village: fixture.village2a),
                token: try await client.login("village2a.cadre")
            )
        )
        return ReliefWorld(fixture: fixture, database: database, child: child, elder: elder, woman: woman, other: other)
    }

    static func created(_ response: TestResponse) async throws -> String {
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("create: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// A fresh case type of the county (so many cases of one person do not trip the duplicate guard).
    func newType(days: Int = 5, emergencyHours: Int = 24, maxAmountFen: Int64? = nil) async throws -> String {
        let key = "t_" + UUID().uuidString.prefix(8).lowercased()
        try await self.database.pool.query(
            """
            insert into relief_case_type (id, county_id, type_key, name, emergency_hours, decision_working_days, max_amount_fen)
            values (\(UUID()), \(self.fixture.county.id), \(key), \("测试类型 " + key), \(emergencyHours), \(days), \(maxAmountFen))
            """
        )
        return key
    }
}

/// Request bodies and calls of the relief API.
enum Relief {
    static func caseBody(
        id: UUID = UUID(),
        person: String,
        type: String = "temporary",
        urgency: String = "normal",
        amount: Int64 = 50_000,
        need: String = "房屋漏雨，生活困难",
        source: String = "cadre",
        followUp: String? = nil
    ) -> [String: Any] {
        var body: [String: Any] = [
            "id": id.uuidString, "personId": person, "typeKey": type, "urgency": urgency, "need": need, "amountRequestedFen": amount,
            "documents": ["户口本", "困难情况说明"], "source": source,
        ]
        if let followUp { body["followUpId"] = followUp }
        return body
    }

    /// Files a case and returns its id (fails the test when it is not created).
    static func file(_ client: some TestClientProtocol, token: String, _ body: [String: Any]) async throws -> String {
        let response = try await client.post("/v1/relief/cases", json: body, token: token)
        guard response.status == .created, let id = try response.json()["id"] as? String else {
            throw FixtureError.loginFailed("file case: \(response.text)", Int(response.status.code))
        }
        return id.lowercased()
    }

    /// Sends one step with If-Match and a fresh (or given) Idempotency-Key.
    static func step(
        _ client: some TestClientProtocol,
        _ id: String,
        _ action: String,
        token: String,
        version: Int,
        key: String = UUID().uuidString,
        extra: [String: Any] = [:]
    ) async throws -> TestResponse {
        var body: [String: Any] = ["action": action]
        body.merge(extra) { $1 }
        return try await client.send(
            .post,
            "/v1/relief/cases/\(id)/transitions",
            json: body,
            token: token,
            headers: [.ifMatch: "\"\(version)\"", HTTPField.Name("Idempotency-Key")!: key]
        )
    }

    static let yesterday: String = {
        let date = Date().addingTimeInterval(8 * 3600 - 86_400)
        return String(ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate]))
    }()

    /// The body of each step that needs one.
    static func extra(for action: String, amount: Int64 = 30_000) -> [String: Any] {
        switch action {
        case "approve": return ["amountFen": amount, "comment": "经审核符合条件"]
        case "reject": return ["comment": "家庭收入超过标准"]
        case "pay": return ["amountFen": amount, "paidOn": Self.today, "channel": "bank_transfer"]
        case "withdraw": return ["comment": "家属已解决"]
        case "appeal": return ["comment": "收入情况有误，申请复核"]
        default: return ["comment": "情况属实"]
        }
    }

    /// Today in China Standard Time.
    static var today: String {
        ISO8601DateFormatter.string(from: Date().addingTimeInterval(8 * 3600), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }

    /// Who takes each step in the fixture.
    static let actors: [String: String] = [
        "review": "village1a.cadre", "approve": "town1.relief", "reject": "town1.admin", "pay": "town1.relief", "close": "town1.relief",
        "withdraw": "village1a.cadre", "appeal": "village1a.cadre",
    ]

    /// The steps from `submitted` to a state.
    static let path: [String: [String]] = [
        "submitted": [], "village_reviewed": ["review"], "approved": ["review", "approve"], "rejected": ["review", "reject"],
        "paid": ["review", "approve", "pay"], "closed": ["review", "approve", "pay", "close"], "withdrawn": ["withdraw"],
    ]

    /// Files a case for `person` of `type` and walks it to `state`; returns its id and version.
    static func caseAt(
        _ state: String,
        person: String,
        type: String,
        client: some TestClientProtocol,
        urgency: String = "normal",
        amount: Int64 = 30_000,
        village: String = "village1a"
    ) async throws -> (id: String, version: Int) {
        let raiser = try await client.login("\(village).cadre")
        let id = try await Self.file(client, token: raiser, Self.caseBody(person: person, type: type, urgency: urgency, amount: amount))
        var version = 1
        for action in Self.path[state] ?? [] {
            let actor = ["review", "withdraw", "appeal"].contains(action) ? "\(village).cadre" : (Self.actors[action] ?? "town1.relief")
            let token = try await client.login(actor)
            let response = try await Self.step(client, id, action, token: token, version: version, extra: Self.extra(for: action, amount: amount))
            guard response.status == .ok else { throw FixtureError.loginFailed("\(action): \(response.text)", Int(response.status.code)) }
            version += 1
        }
        return (id, version)
    }
}

/// Typed views of the answers the tests read (only the fields they check).
enum Read {
    struct Items<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct FieldError: Decodable {
        var field: String
    }

    struct Problem: Decodable {
        var errors: [FieldError]?
    }

    struct CaseType: Decodable {
        var key: String
        var decisionWorkingDays: Int
    }

    struct Day: Decodable {
        var day: String
    }

    struct Overdue: Decodable {
        var caseId: String
        var hoursLate: Int
        var villageName: String?
    }

    struct Transition: Decodable {
        var id: String
        var action: String
        var actorName: String
        var actorRole: String
        var comment: String?
        var at: String?
    }

    struct Case: Decodable {
        var state: String
        var appeals: Int
        var overdue: Bool
        var decidedAt: String?
        var amountGrantedFen: Int?
        var paidAmountFen: Int?
        var transitions: [Transition]?
        var allowedActions: [String]?
    }

    struct Step: Decodable {
        var `case`: Case
        var transition: Transition
    }

    struct OpenCount: Decodable {
        var state: String
        var typeKey: String
        var count: Int
    }

    struct Figures: Decodable {
        var unitName: String?
        var open: Int
        var decidedThisYear: Int
        var decidedWithinDeadline: Int
        var shareDecidedWithinDeadline: Double?
        var medianDaysToDecision: Double?
        var grantedThisMonthFen: Int
        var grantedThisYearFen: Int
        var paidThisMonthFen: Int
        var paidThisYearFen: Int
        var openByStageAndType: [OpenCount]
    }

    struct Indicators: Decodable {
        var total: Figures
        var units: [Figures]
    }
}
