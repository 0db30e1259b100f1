import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against the grid routes, for a child in its own scope and one in the other town.
@Suite("Grid access by role and tenant")
struct GridAccessTests {
    /// The kind of check each role makes, if it makes any.
    static let kinds: [Role: String] = [
        .countyAdmin: "cadre_visit", .townAdmin: "cadre_visit", .childWelfareSupervisor: "cadre_visit", .villageCadre: "cadre_visit",
        .gridWorker: "grid_knock", .volunteer: "volunteer_visit", .schoolStaff: "teacher_home_visit",
    ]

    @Test("each role × own and other-town people × every grid route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let token = try await client.login(world.fixture.username(for: role))
                let county = role == .countyAdmin
                let records = Permission.checksRecord.roles.contains(role)
                let kind = Self.kinds[role] ?? "grid_knock"
                let own = try await client.post("/v1/door-checks", json: Checks.body(person: world.child, kind: kind), token: token)
                #expect(own.status.code == (records ? 201 : 403), "\(role) check own: \(own.text)")
                let other = try await client.post("/v1/door-checks", json: Checks.body(person: world.other, kind: kind), token: token)
                #expect(other.status.code == (!records ? 403 : county ? 201 : 422), "\(role) check other: \(other.text)")
                if role == .gridWorker {
                    let wrongKind = try await client.post(
                        "/v1/door-checks",
                        json: Checks.body(person: world.child, kind: "cadre_visit"),
                        token: token
                    )
                    #expect(wrongKind.status == .unprocessableContent)
                    #expect(wrongKind.text.contains("kind"))
                }
                let batch = try await client.post(
                    "/v1/door-checks/batch",
                    json: ["items": [Checks.body(person: world.child, kind: kind)]],
                    token: token
                )
                #expect(batch.status.code == (records ? 200 : 403), "\(role) batch")

                let reads = role != .auditor
                for route in ["obligations", "door-checks"] {
                    let mine = try await client.send(.get, "/v1/persons/\(world.child)/\(route)", token: token)
                    #expect(mine.status.code == (reads ? 200 : 403), "\(role) \(route) own")
                    let theirs = try await client.send(.get, "/v1/persons/\(world.other)/\(route)", token: token)
                    #expect(theirs.status.code == (!reads ? 403 : county ? 200 : 404), "\(role) \(route) other")
                }

                let overseesVisits = Permission.visitsRead.roles.contains(role)
                let home = role == .gridWorker ? world.fixture.grid1a : world.fixture.village1a
                let overdueOwn = try await client.send(.get, "/v1/overdue?unitId=\(home.idString)", token: token)
                #expect(overdueOwn.status.code == (overseesVisits ? 200 : 403), "\(role) overdue own")
                let overdueOther = try await client.send(.get, "/v1/overdue?unitId=\(world.fixture.village2a.idString)", token: token)
                #expect(overdueOther.status.code == (!overseesVisits ? 403 : county ? 200 : 404), "\(role) overdue other")

                let manages = Permission.visitRulesManage.roles.contains(role)
                let rule: [String: Any] = [
                    "description": "测试", "categories": ["left_behind_child"], "checkKinds": ["grid_knock"], "cadenceHours": 48,
                ]
                let setOwn = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.village1a.idString)/visit-rules/daily_knock",
                    json: rule,
                    token: token
                )
                #expect(setOwn.status.code == (manages ? 201 : 403), "\(role) rule own: \(setOwn.text)")
                let setOther = try await client.send(
                    .put,
                    "/v1/units/\(world.fixture.village2a.idString)/visit-rules/daily_knock",
                    json: rule,
                    token: token
                )
                #expect(setOther.status.code == (!manages ? 403 : county ? 201 : 404), "\(role) rule other")
                let rules = try await client.send(.get, "/v1/units/\(home.idString)/visit-rules", token: token)
                #expect(rules.status.code == (overseesVisits ? 200 : 403), "\(role) rules read")
            }
        }
    }
}
