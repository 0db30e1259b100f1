import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Organisation units")
struct OrgUnitTests {
    @Test("a town admin creates a village; a retry with the same id is not duplicated; a different body is 409")
    func createIdempotent() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("town1.admin")
                let id = UUID().uuidString.lowercased()
                let body: [String: Any] = ["id": id, "kind": "village", "name": "丁村", "code": "341122100003", "parentId": fixture.town1.idString]
                let created = try await client.post("/v1/units", json: body, token: token)
                #expect(created.status == .created)
                #expect(created.headers[.eTag] == "\"1\"")
                #expect(try created.json()["path"] as? String == fixture.town1.path + "." + OrgUnit.label(for: UUID(uuidString: id)!))
                let retried = try await client.post("/v1/units", json: body, token: token)
                #expect(retried.status == .ok)
                var changed = body
                changed["name"] = "戊村"
                let conflict = try await client.post("/v1/units", json: changed, token: token)
                #expect(conflict.status == .conflict)
                #expect(try conflict.json()["code"] as? String == "id_conflict")
                let count = try await database.pool.query("select count(*) as n from org_unit where id = \(UUID(uuidString: id)!)")
                #expect(try count.first?.decode("n", as: Int.self) == 1)
                let audit = try await database.pool.query("select count(*) as n from audit_log where action = 'unit.create'")
                #expect(try audit.first?.decode("n", as: Int.self) == 1)
            }
        }
    }

    @Test("invalid units are refused with 422 naming the field")
    func validation() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("town1.admin")
                let cases: [([String: Any], String)] = [
                    (["kind": "village", "name": "错村", "code": "341122101003", "parentId": fixture.town1.idString], "code"),
                    (["kind": "village", "name": "错村", "code": "34112210000A", "parentId": fixture.town1.idString], "code"),
                    (["kind": "village", "name": "错村", "code": "341122100000", "parentId": fixture.town1.idString], "code"),
                    (["kind": "village", "name": "错村", "parentId": fixture.town1.idString], "code"),
                    (["kind": "grid", "name": "错格", "parentId": fixture.town1.idString], "parentId"),
                    (["kind": "village", "name": "  ", "code": "341122100009", "parentId": fixture.town1.idString], "name"),
                    (["kind": "village", "name": "外村", "code": "341122101009", "parentId": fixture.town2.idString], "parentId"),
                ]
                for (body, field) in cases {
                    let response = try await client.post("/v1/units", json: body, token: token)
                    #expect(response.status == .unprocessableContent, "\(body)")
                    let fields = (try response.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                    #expect(fields.contains(field), "\(body) → \(fields)")
                }
                let badKind = try await client.post(
                    "/v1/units",
                    json: ["kind": "province", "name": "x", "parentId": fixture.town1.idString],
                    token: token
                )
                #expect(badKind.status == .badRequest)
                let taken = try await client.post(
                    "/v1/units",
                    json: ["kind": "village", "name": "重码", "code": "341122100001", "parentId": fixture.town1.idString],
                    token: token
                )
                #expect(taken.status == .conflict)
                #expect(try taken.json()["code"] as? String == "code_taken")
            }
        }
    }

    @Test("renames need If-Match; a stale version is 412; of two concurrent renames exactly one wins")
    func optimisticConcurrency() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("town1.admin")
                let uri = "/v1/units/\(fixture.village1a.idString)"
                let missing = try await client.send(.patch, uri, json: ["name": "新甲村"], token: token)
                #expect(missing.status == .preconditionRequired)
                let stale = try await client.send(.patch, uri, json: ["name": "新甲村"], token: token, headers: [.ifMatch: "\"7\""])
                #expect(stale.status == .preconditionFailed)
                async let first = client.send(.patch, uri, json: ["name": "新甲村一"], token: token, headers: [.ifMatch: "\"1\""])
                async let second = client.send(.patch, uri, json: ["name": "新甲村二"], token: token, headers: [.ifMatch: "\"1\""])
                let statuses = [try await first.status, try await second.status].map(\.code).sorted()
                #expect(statuses == [200, 412])
                let current = try await client.send(.get, uri, token: token)
                #expect(current.headers[.eTag] == "\"2\"")
            }
        }
    }

    @Test("moving a unit moves its subtree; it needs rights over the unit and both parents, and a consistent code")
    func move() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let microGrid = try await PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                .unit(.grid, name: "甲村一组东片", parent: fixture.grid1a)
            try await PlatformApp.make(database).test(.router) { client in
                let townAdmin = try await client.login("town1.admin")
                let uri = "/v1/units/\(fixture.village1b.idString)/move"
                let refused = try await client.post(uri, json: ["parentId": fixture.town2.idString], token: townAdmin, headers: [.ifMatch: "\"1\""])
                #expect(refused.status == .unprocessableContent)
                let countyAdmin = try await client.login("county.admin")
                let badCode = try await client.post(uri, json: ["parentId": fixture.town2.idString], token: countyAdmin, headers: [.ifMatch: "\"1\""])
                #expect(badCode.status == .unprocessableContent, "a village code must keep its town's prefix")
                let gridMove = try await client.post(
                    "/v1/units/\(fixture.grid1a.idString)/move",
                    json: ["parentId": fixture.village2a.idString],
                    token: countyAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(gridMove.status == .ok)
                let moved = try await database.pool.query("select path::text as path from org_unit where id = \(fixture.grid1a.id)")
                let newGridPath = fixture.village2a.path + "." + OrgUnit.label(for: fixture.grid1a.id)
                #expect(try moved.first?.decode("path", as: String.self) == newGridPath)
                let child = try await database.pool.query("select path::text as path, version from org_unit where id = \(microGrid.id)")
                #expect(try child.first?.decode("path", as: String.self) == newGridPath + "." + OrgUnit.label(for: microGrid.id))
                #expect(try child.first?.decode("version", as: Int.self) == 1)
                let intoItself = try await client.post(
                    "/v1/units/\(fixture.town1.idString)/move",
                    json: ["parentId": fixture.village1a.idString],
                    token: countyAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(intoItself.status == .unprocessableContent)
            }
        }
    }

    @Test("deactivation refuses units with active children and never deletes")
    func deactivate() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("town1.admin")
                let busy = try await client.post(
                    "/v1/units/\(fixture.village1a.idString)/deactivate",
                    json: [:],
                    token: token,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(busy.status == .unprocessableContent)
                let done = try await client.post(
                    "/v1/units/\(fixture.grid1a.idString)/deactivate",
                    json: [:],
                    token: token,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(done.status == .ok)
                #expect(try done.json()["active"] as? Bool == false)
                let still = try await database.pool.query("select active from org_unit where id = \(fixture.grid1a.id)")
                #expect(try still.first?.decode("active", as: Bool.self) == false)
            }
        }
    }
}

@Suite("Organisation unit locks")
struct OrgUnitLockTests {
    @Test("a create holding its parent blocks a move of the parent's subtree, and a move blocks a create under it")
    func locksConflict() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let caller = Caller(
                accountID: UUID(),
                name: "probe",
                kind: .user,
                grants: [Grant(role: .countyAdmin, unitID: fixture.county.id, unitPath: fixture.county.path)],
                credentialID: UUID()
            )
            let tenant = TenantDatabase(pool: database.appPool)
            let repository = PostgresOrgUnitRepository()
            // Create side first: the parent grid is share-locked; moving its village must wait.
            let moveBlocked: DatabaseError? = try await tenant.transaction(for: caller) { creating in
                _ = try await repository.findLockedForShare(fixture.grid1a.id, in: creating)
                do {
                    try await tenant.transaction(for: caller) { moving in
                        try await moving.query("set local lock_timeout = '200ms'")
                        try await repository.lockSubtree(of: fixture.village1a.path, and: fixture.village2a.id, in: moving)
                    }
                    return nil
                } catch let error as DatabaseError {
                    return error
                }
            }
            #expect(moveBlocked?.sqlState == "55P03")
            // Move side first: the subtree is locked; a create under it must wait.
            let createBlocked: DatabaseError? = try await tenant.transaction(for: caller) { moving in
                try await repository.lockSubtree(of: fixture.village1a.path, and: fixture.village2a.id, in: moving)
                do {
                    try await tenant.transaction(for: caller) { creating in
                        try await creating.query("set local lock_timeout = '200ms'")
                        _ = try await repository.findLockedForShare(fixture.grid1a.id, in: creating)
                    }
                    return nil
                } catch let error as DatabaseError {
                    return error
                }
            }
            #expect(createBlocked?.sqlState == "55P03")
        }
    }
}

@Suite("Clinic service areas")
struct ServiceAreaTests {
    @Test("a clinic serves villages of its own town; the set is replaced and audited")
    func serviceArea() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let uri = "/v1/units/\(fixture.clinic1.idString)/service-area"
                let set = try await client.send(
                    .put,
                    uri,
                    json: ["villageIds": [fixture.village1a.idString, fixture.village1b.idString]],
                    token: admin
                )
                #expect(set.status == .ok)
                #expect((try set.json()["villageIds"] as? [String])?.count == 2)
                let foreign = try await client.send(.put, uri, json: ["villageIds": [fixture.village2a.idString]], token: admin)
                #expect(foreign.status == .unprocessableContent)
                #expect(((try foreign.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "villageIds[0]")
                let notClinic = try await client.send(
                    .put,
                    "/v1/units/\(fixture.school1.idString)/service-area",
                    json: ["villageIds": []],
                    token: admin
                )
                #expect(notClinic.status == .unprocessableContent)
                let doctor = try await client.login("clinic1.doctor")
                let read = try await client.send(.get, uri, token: doctor)
                #expect((try read.json()["villageIds"] as? [String])?.count == 2)
                // Two admins replacing the area from one read: with If-Match, the second is told (412), not silently
                // overwriting who may read health details.
                let etag = try #require(read.etag)
                #expect(set.etag == etag)
                let first = try await client.send(
                    .put,
                    uri,
                    json: ["villageIds": [fixture.village1a.idString]],
                    token: admin,
                    headers: [.ifMatch: etag]
                )
                #expect(first.status == .ok && first.etag != etag, "\(first.text)")
                let second = try await client.send(
                    .put,
                    uri,
                    json: ["villageIds": [fixture.village1b.idString]],
                    token: admin,
                    headers: [.ifMatch: etag]
                )
                #expect(second.status == .preconditionFailed, "\(second.text)")
                #expect(
                    (try await client.send(.get, uri, token: doctor).json()["villageIds"] as? [String]) == [fixture.village1a.idString.uppercased()]
                )
                #expect(try await client.send(.put, uri, json: ["villageIds": []], token: doctor).status == .forbidden)
                let cleared = try await client.send(.put, uri, json: ["villageIds": []], token: admin)
                #expect((try cleared.json()["villageIds"] as? [String]) == [])
                let audit = try await database.pool.query("select count(*) as n from audit_log where action = 'unit.service_area'")
                #expect(try audit.first?.decode("n", as: Int.self) == 3, "set, the If-Match replacement, cleared (the stale one wrote nothing)")
            }
        }
    }
}
