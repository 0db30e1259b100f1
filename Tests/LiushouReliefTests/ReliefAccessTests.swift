import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against the relief routes, for records in its own scope and in the other town (or county).
/// The transitions route's role × action matrix is `ReliefStateMachineTests.roles`.
@Suite("Relief access by role and tenant")
struct ReliefAccessTests {
    /// Every relief route, as declared.
    static let routes: [(HTTPRequest.Method, String)] = [
        (.post, "/v1/relief/cases"), (.get, "/v1/relief/cases"), (.get, "/v1/relief/cases/:id"), (.post, "/v1/relief/cases/:id/transitions"),
        (.get, "/v1/relief/overdue"), (.get, "/v1/relief/indicators"), (.get, "/v1/relief/payments.csv"),
        (.get, "/v1/relief/case-types"), (.post, "/v1/relief/case-types"), (.get, "/v1/relief/calendar"), (.put, "/v1/relief/calendar"),
    ]

    @Test("each role × own and other-town records × every relief route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                let otherCounty = try await seeder.unit(.county, name: "邻县", code: "341123000000")
                let county = try await client.login("county.admin")
                let ownCase = try await Relief.file(client, token: county, Relief.caseBody(person: world.child, type: "temporary"))
                let otherCase = try await Relief.file(client, token: county, Relief.caseBody(person: world.other, type: "temporary"))
                let token = try await client.login(world.fixture.username(for: role))
                let isCounty = role == .countyAdmin
                func expect(
                    _ response: TestResponse,
                    _ success: Int,
                    holds permission: Permission,
                    outside: Bool = false,
                    outsideStatus: Int = 404,
                    _ label: String
                ) {
                    let expected = !permission.roles.contains(role) ? 403 : (outside && !isCounty ? outsideStatus : success)
                    #expect(response.status.code == expected, "\(role.rawValue) \(label): \(response.text)")
                }

                let raiseOwn = try await client.post(
                    "/v1/relief/cases",
                    json: Relief.caseBody(person: world.child, type: try await world.newType()),
                    token: token
                )
                expect(raiseOwn, 201, holds: .reliefRaise, "raise own")
                let raiseOther = try await client.post(
                    "/v1/relief/cases",
                    json: Relief.caseBody(person: world.other, type: try await world.newType()),
                    token: token
                )
                expect(raiseOther, 201, holds: .reliefRaise, outside: true, outsideStatus: 422, "raise other")

                expect(try await client.send(.get, "/v1/relief/cases/\(ownCase)", token: token), 200, holds: .reliefRead, "read own")
                expect(
                    try await client.send(.get, "/v1/relief/cases/\(otherCase)", token: token),
                    200,
                    holds: .reliefRead,
                    outside: true,
                    "read other"
                )
                let home = role == .gridWorker ? world.fixture.grid1a : world.fixture.village1a
                expect(try await client.send(.get, "/v1/relief/cases?unitId=\(home.idString)", token: token), 200, holds: .reliefRead, "list own")
                expect(
                    try await client.send(.get, "/v1/relief/cases?unitId=\(world.fixture.village2a.idString)", token: token),
                    200,
                    holds: .reliefRead,
                    outside: true,
                    "list other"
                )
                expect(
                    try await client.send(.get, "/v1/relief/cases?personId=\(world.other)", token: token),
                    200,
                    holds: .reliefRead,
                    outside: true,
                    "list other person"
                )
                expect(
                    try await client.send(.get, "/v1/relief/case-types?unitId=\(home.idString)", token: token),
                    200,
                    holds: .reliefRead,
                    "types own"
                )
                expect(
                    try await client.send(.get, "/v1/relief/case-types?unitId=\(world.fixture.village2a.idString)", token: token),
                    200,
                    holds: .reliefRead,
                    outside: true,
                    "types other"
                )
                // A withdrawal by the reader is the cheapest transition to probe tenancy with.
                let withdrawOther = try await Relief.step(
                    client,
                    otherCase,
                    "withdraw",
                    token: token,
                    version: 1,
                    extra: Relief.extra(for: "withdraw")
                )
                expect(withdrawOther, 200, holds: .reliefRead, outside: true, "withdraw other")

                let month = String(Relief.today.prefix(7))
                let town1 = world.fixture.town1.idString
                let town2 = world.fixture.town2.idString
                for (label, uri) in [
                    ("overdue", "/v1/relief/overdue?unitId="), ("indicators", "/v1/relief/indicators?unitId="),
                    ("payments", "/v1/relief/payments.csv?month=\(month)&unitId="),
                ] {
                    expect(try await client.send(.get, uri + town1, token: token), 200, holds: .reliefReports, "\(label) own")
                    expect(try await client.send(.get, uri + town2, token: token), 200, holds: .reliefReports, outside: true, "\(label) other")
                }

                let type: [String: Any] = [
                    "countyId": world.fixture.county.idString, "key": "flood_\(role.rawValue)", "name": "洪涝灾害救助",
                    "decisionWorkingDays": 5,
                ]
                expect(try await client.post("/v1/relief/case-types", json: type, token: token), 201, holds: .reliefRules, "type own")
                var foreign = type
                foreign["countyId"] = otherCounty.idString
                let typeOther = try await client.post("/v1/relief/case-types", json: foreign, token: token)
                #expect(typeOther.status.code == (Permission.reliefRules.roles.contains(role) ? 404 : 403), "\(role.rawValue) type other county")

                expect(
                    try await client.send(.get, "/v1/relief/calendar?unitId=\(home.idString)", token: token),
                    200,
                    holds: .reliefRead,
                    "calendar own"
                )
                expect(
                    try await client.send(.get, "/v1/relief/calendar?unitId=\(world.fixture.village2a.idString)", token: token),
                    200,
                    holds: .reliefRead,
                    outside: true,
                    "calendar other town"
                )
                let holiday: [String: Any] = [
                    "countyId": world.fixture.county.idString, "days": [["day": "2026-10-01", "working": false, "note": "国庆节"]],
                ]
                expect(try await client.send(.put, "/v1/relief/calendar", json: holiday, token: token), 200, holds: .reliefRules, "calendar set own")
                var foreignHoliday = holiday
                foreignHoliday["countyId"] = otherCounty.idString
                let holidayOther = try await client.send(.put, "/v1/relief/calendar", json: foreignHoliday, token: token)
                #expect(
                    holidayOther.status.code == (Permission.reliefRules.roles.contains(role) ? 404 : 403),
                    "\(role.rawValue) calendar other county"
                )
            }
        }
    }

    @Test("every relief route answers 401 without a valid token")
    func unauthenticated() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                for (method, path) in Self.routes {
                    let uri = path.replacingOccurrences(of: ":id", with: UUID().uuidString)
                    let response = try await client.send(method, uri, json: method == .post ? [:] : nil)
                    #expect(response.status == .unauthorized, "\(method) \(path)")
                    let forged = try await client.send(method, uri, json: method == .post ? [:] : nil, token: "forged")
                    #expect(forged.status == .unauthorized, "\(method) \(path) forged")
                }
            }
        }
    }

    @Test("bad input names the field: 400 for what cannot be read, 422 for what breaks a rule")
    func badInput() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await ReliefWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let county = try await client.login("county.admin")
                func check(_ response: TestResponse, _ status: Int, field: String, _ label: String) throws {
                    #expect(response.status.code == status, "\(label): \(response.text)")
                    let fields = (try response.decode(Read.Problem.self).errors ?? []).map(\.field)
                    #expect(fields.contains(field), "\(label) names \(field): \(response.text)")
                }
                var missing = Relief.caseBody(person: world.child)
                missing.removeValue(forKey: "typeKey")
                try check(try await client.post("/v1/relief/cases", json: missing, token: cadre), 400, field: "typeKey", "missing type")
                var wrongType = Relief.caseBody(person: world.child)
                wrongType["amountRequestedFen"] = "很多"
                try check(try await client.post("/v1/relief/cases", json: wrongType, token: cadre), 400, field: "amountRequestedFen", "amount text")
                try check(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, amount: -1), token: cadre),
                    422,
                    field: "amountRequestedFen",
                    "negative amount"
                )
                try check(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, need: " "), token: cadre),
                    422,
                    field: "need",
                    "blank need"
                )
                try check(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, type: "no_such_type"), token: cadre),
                    422,
                    field: "typeKey",
                    "unknown type"
                )
                try check(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, source: "follow_up"), token: cadre),
                    422,
                    field: "followUpId",
                    "follow-up source without a follow-up"
                )
                try check(
                    try await client.post("/v1/relief/cases", json: Relief.caseBody(person: world.child, followUp: UUID().uuidString), token: cadre),
                    422,
                    field: "followUpId",
                    "follow-up with another source"
                )
                try check(
                    try await client.post(
                        "/v1/relief/cases",
                        json: Relief.caseBody(person: world.child, source: "follow_up", followUp: UUID().uuidString),
                        token: cadre
                    ),
                    422,
                    field: "followUpId",
                    "unknown follow-up"
                )
                var officer = Relief.caseBody(person: world.child)
                officer["officerAccountId"] = try await database.pool.query("select id from account where username = 'town2.relief'").first!
                    .decode("id", as: UUID.self).uuidString
                try check(
                    try await client.post("/v1/relief/cases", json: officer, token: cadre),
                    422,
                    field: "officerAccountId",
                    "officer of another town"
                )
                officer["officerAccountId"] = try await database.pool.query("select id from account where username = 'town1.relief'").first!
                    .decode("id", as: UUID.self).uuidString
                #expect(try await client.post("/v1/relief/cases", json: officer, token: cadre).status == .created, "the town's officer")

                try check(try await client.send(.get, "/v1/relief/cases/not-a-uuid", token: cadre), 400, field: "id", "case id")
                // Ids in the path and the query are read in their canonical form only: a sign or 0x inside a group is
                // refused, not read as another id.
                let signed = "+" + UUID().uuidString.dropFirst()
                try check(try await client.send(.get, "/v1/relief/cases/\(signed)", token: cadre), 400, field: "id", "signed case id")
                let prefixed = "0x" + world.fixture.village1a.idString.dropFirst(2)
                try check(try await client.send(.get, "/v1/relief/cases?unitId=\(prefixed)", token: cadre), 400, field: "unitId", "0x unit")
                #expect(try await client.send(.get, "/v1/relief/cases/\(UUID().uuidString)", token: cadre).status == .notFound)
                try check(try await client.send(.get, "/v1/relief/cases", token: cadre), 400, field: "unitId", "list without unit")
                try check(
                    try await client.send(.get, "/v1/relief/cases?unitId=\(world.fixture.village1a.idString)&state=open", token: cadre),
                    400,
                    field: "state",
                    "list state"
                )
                let id = try await Relief.file(client, token: cadre, Relief.caseBody(person: world.elder))
                try check(try await Relief.step(client, id, "pay_twice", token: cadre, version: 1), 400, field: "action", "unknown action")
                try check(
                    try await Relief.step(client, id, "withdraw", token: cadre, version: 1, extra: ["comment": "撤回", "amountFen": 5]),
                    422,
                    field: "amountFen",
                    "amount on a withdrawal"
                )
                try check(
                    try await Relief.step(client, id, "review", token: cadre, version: 1, extra: ["comment": String(repeating: "长", count: 2001)]),
                    422,
                    field: "comment",
                    "long comment"
                )
                let relief = try await client.login("town1.relief")
                #expect(try await Relief.step(client, id, "review", token: cadre, version: 1).status == .ok)
                try check(
                    try await Relief.step(client, id, "approve", token: relief, version: 2, extra: ["comment": "同意"]),
                    422,
                    field: "amountFen",
                    "approve without an amount"
                )
                try check(try await Relief.step(client, id, "reject", token: relief, version: 2), 422, field: "comment", "reject without a reason")
                #expect(try await Relief.step(client, id, "approve", token: relief, version: 2, extra: Relief.extra(for: "approve")).status == .ok)
                try check(
                    try await Relief.step(
                        client,
                        id,
                        "pay",
                        token: relief,
                        version: 3,
                        extra: [
                            "amountFen": 30_000, "paidOn": "2099-01-01",
                            "channel": "cash",
                        ]
                    ),
                    422,
                    field: "paidOn",
                    "future payment"
                )
                try check(
                    try await Relief.step(client, id, "pay", token: relief, version: 3, extra: ["amountFen": 30_000, "paidOn": Relief.today]),
                    422,
                    field: "channel",
                    "payment without a channel"
                )
                try check(
                    try await Relief.step(
                        client,
                        id,
                        "pay",
                        token: relief,
                        version: 3,
                        extra: [
                            "amountFen": 30_000, "paidOn": Relief.today,
                            "channel": "wechat",
                        ]
                    ),
                    400,
                    field: "channel",
                    "unknown channel"
                )

                for uri in [
                    "/v1/relief/overdue", "/v1/relief/indicators", "/v1/relief/payments.csv?month=2026-01", "/v1/relief/case-types",
                    "/v1/relief/calendar",
                ] {
                    try check(try await client.send(.get, uri, token: county), 400, field: "unitId", uri)
                }
                try check(
                    try await client.send(.get, "/v1/relief/payments.csv?unitId=\(world.fixture.town1.idString)", token: county),
                    400,
                    field: "month",
                    "payments without a month"
                )
                let base: [String: Any] = [
                    "countyId": world.fixture.county.idString, "key": "Bad Key", "name": " ", "decisionWorkingDays": 0,
                    "emergencyHours": 500,
                ]
                let invalid = try await client.post("/v1/relief/case-types", json: base, token: county)
                for field in ["key", "name", "decisionWorkingDays", "emergencyHours"] { try check(invalid, 422, field: field, "type \(field)") }
                let town: [String: Any] = ["countyId": world.fixture.town1.idString, "key": "flood", "name": "洪灾", "decisionWorkingDays": 5]
                try check(try await client.post("/v1/relief/case-types", json: town, token: county), 422, field: "countyId", "type on a town")
                let good: [String: Any] = ["countyId": world.fixture.county.idString, "key": "flood", "name": "洪灾", "decisionWorkingDays": 5]
                #expect(try await client.post("/v1/relief/case-types", json: good, token: county).status == .created)
                // The same type again is a retry (200 with it); other content under the key is refused.
                #expect(try await client.post("/v1/relief/case-types", json: good, token: county).status == .ok)
                var renamed = good
                renamed["name"] = "洪涝灾害"
                let again = try await client.post("/v1/relief/case-types", json: renamed, token: county)
                #expect(again.status == .conflict)
                #expect(try again.json()["code"] as? String == "type_exists")
                try check(
                    try await client.send(.get, "/v1/relief/calendar?unitId=\(world.fixture.county.idString)&year=1999", token: county),
                    400,
                    field: "year",
                    "calendar year"
                )
                try check(
                    try await client.send(
                        .put,
                        "/v1/relief/calendar",
                        json: [
                            "countyId": world.fixture.county.idString,
                            "days": [["day": "2026-02-30", "working": false]],
                        ],
                        token: county
                    ),
                    400,
                    field: "days[0].day",
                    "impossible date"
                )
                try check(
                    try await client.send(
                        .put,
                        "/v1/relief/calendar",
                        json: ["countyId": world.fixture.county.idString, "days": [[String: Any]]()],
                        token: county
                    ),
                    422,
                    field: "days",
                    "no days"
                )
                try check(
                    try await client.send(
                        .put,
                        "/v1/relief/calendar",
                        json: [
                            "countyId": world.fixture.town1.idString,
                            "days": [["day": "2026-10-01", "working": false]],
                        ],
                        token: county
                    ),
                    422,
                    field: "countyId",
                    "calendar of a town"
                )
            }
        }
    }
}
