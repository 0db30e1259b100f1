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

@Suite("Account administration")
struct UserTests {
    static func newUser(_ fixture: PlatformFixture, username: String = "v1a.worker2", role: String = "grid_worker") -> [String: Any] {
        [
            "username": username, "displayName": "网格员二", "homeUnitId": fixture.village1a.idString, "password": "Temp#pass2026",
            "grants": [["role": role, "unitId": fixture.grid1a.idString]],
        ]
    }

    @Test("a town admin creates a user who must change the password at first login, then works")
    func createAndFirstLogin() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let created = try await client.post("/v1/users", json: Self.newUser(fixture), token: admin)
                #expect(created.status == .created)
                #expect(try created.json()["mustChangePassword"] as? Bool == true)
                #expect(!created.text.contains("Temp#pass2026") && !created.text.contains("$2b$"))
                let token = try await client.login("v1a.worker2", password: "Temp#pass2026")
                #expect(try await client.send(.get, "/v1/units/\(fixture.grid1a.idString)", token: token).status == .forbidden)
                let weak = try await client.post(
                    "/v1/auth/password",
                    json: ["currentPassword": "Temp#pass2026", "newPassword": "short"],
                    token: token
                )
                #expect(weak.status == .unprocessableContent)
                let wrong = try await client.post(
                    "/v1/auth/password",
                    json: ["currentPassword": "Nope#pass2026", "newPassword": "Fresh#pass2026"],
                    token: token
                )
                #expect(wrong.status == .unprocessableContent)
                let changed = try await client.post(
                    "/v1/auth/password",
                    json: ["currentPassword": "Temp#pass2026", "newPassword": "Fresh#pass2026"],
                    token: token
                )
                #expect(changed.status == .noContent)
                #expect(try await client.send(.get, "/v1/units/\(fixture.grid1a.idString)", token: token).status == .ok)
                #expect(try await client.login("v1a.worker2", password: "Fresh#pass2026").hasPrefix("lss_"))
            }
        }
    }

    @Test("admins grant only roles they may grant, only inside their subtree")
    func grantLimits() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                var escalate = Self.newUser(fixture, username: "sneaky.one")
                escalate["grants"] = [["role": "county_admin", "unitId": fixture.town1.idString]]
                let refused = try await client.post("/v1/users", json: escalate, token: admin)
                #expect(refused.status == .unprocessableContent)
                #expect(((try refused.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "grants[0].role")
                var elsewhere = Self.newUser(fixture, username: "sneaky.two")
                elsewhere["grants"] = [["role": "grid_worker", "unitId": fixture.village2a.idString]]
                let outside = try await client.post("/v1/users", json: elsewhere, token: admin)
                #expect(outside.status == .unprocessableContent)
                #expect(((try outside.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "grants[0].unitId")
                let badRole = try await client.post("/v1/users", json: Self.newUser(fixture, username: "sneaky.three", role: "emperor"), token: admin)
                #expect(badRole.status == .badRequest)
                let cadre = try await client.login("village1a.cadre")
                #expect(try await client.post("/v1/users", json: Self.newUser(fixture), token: cadre).status == .forbidden)
                #expect(try await client.post("/v1/users", json: Self.newUser(fixture)).status == .unauthorized)
                // A phone or ID number as a username would be logged and audited unmasked.
                for username in ["13812345678", "zhang.13812345678", "34112219900307123x"] {
                    let phone = try await client.post("/v1/users", json: Self.newUser(fixture, username: username), token: admin)
                    #expect(phone.status == .unprocessableContent, "\(username)")
                    #expect(phone.text.contains("\"username\"") && phone.text.contains("phone or ID number"), "\(phone.text)")
                }
                let duplicate = Self.newUser(fixture, username: "grid1a.worker")
                #expect(try await client.post("/v1/users", json: duplicate, token: admin).status == .conflict)
                // The same role on the same unit twice names the repeat (the database holds one such grant).
                var twice = Self.newUser(fixture, username: "twice.granted")
                twice["grants"] = [
                    ["role": "grid_worker", "unitId": fixture.grid1a.idString], ["role": "grid_worker", "unitId": fixture.grid1a.idString],
                ]
                let repeated = try await client.post("/v1/users", json: twice, token: admin)
                #expect(repeated.status == .unprocessableContent, "\(repeated.text)")
                #expect(try repeated.decode(Answer.Problem.self).fields == ["grants[1].role"])
                // An id already naming an account or a unit the admin cannot see answers 409, as any taken id.
                let countyAdmin = try await database.pool.query("select id from account where username = 'county.admin'").first!
                    .decode("id", as: UUID.self)
                var taken = Self.newUser(fixture, username: "taken.id")
                taken["id"] = countyAdmin.uuidString
                let takenAnswer = try await client.post("/v1/users", json: taken, token: admin)
                #expect(takenAnswer.status == .conflict, "\(takenAnswer.text)")
                #expect(!takenAnswer.text.contains("county.admin"))
                let unit = try await client.post(
                    "/v1/units",
                    json: ["id": fixture.town2.idString, "kind": "grid", "name": "三组", "parentId": fixture.village1a.idString],
                    token: admin
                )
                #expect(unit.status == .conflict, "\(unit.text)")
                // The same create sent twice at once (a retry while the first is on its way): one account, both answered.
                var racing = Self.newUser(fixture, username: "racing.one")
                racing["id"] = UUID().uuidString
                let racingBody = try JSONSerialization.data(withJSONObject: racing)
                async let first = client.send(.post, "/v1/users", body: racingBody, contentType: "application/json", token: admin)
                async let second = client.send(.post, "/v1/users", body: racingBody, contentType: "application/json", token: admin)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                let stored = try await database.pool.query("select count(*) as n from account where username in ('twice.granted', 'taken.id')")
                #expect(try stored.first?.decode("n", as: Int.self) == 0)
            }
        }
    }

    @Test("reset password and disable end the user's sessions; another town's admin gets 404")
    func resetAndDisable() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let town2Admin = try await seeder.user(
                "town2.admin",
                password: PlatformFixture.password,
                home: fixture.town2,
                grants: [(.townAdmin, fixture.town2)]
            )
            _ = town2Admin
            let workerID = try await database.pool.query("select id from account where username = 'grid1a.worker'").first!.decode("id", as: UUID.self)
            try await PlatformApp.make(database).test(.router) { client in
                let workerToken = try await client.login("grid1a.worker")
                let otherTown = try await client.login("town2.admin")
                let hidden = try await client.post("/v1/users/\(workerID.uuidString)/disable", json: [:], token: otherTown)
                #expect(hidden.status == .notFound)
                #expect(try await client.send(.get, "/v1/users/\(workerID.uuidString)", token: otherTown).status == .notFound)
                let admin = try await client.login("town1.admin")
                let reset = try await client.post(
                    "/v1/users/\(workerID.uuidString)/reset-password",
                    json: ["password": "Reset#pass2026"],
                    token: admin
                )
                #expect(reset.status == .ok)
                #expect(try await client.send(.get, "/v1/auth/me", token: workerToken).status == .unauthorized)
                let afterReset = try await client.login("grid1a.worker", password: "Reset#pass2026")
                let disabled = try await client.post("/v1/users/\(workerID.uuidString)/disable", json: [:], token: admin)
                #expect(disabled.status == .ok)
                #expect(try disabled.json()["disabled"] as? Bool == true)
                #expect(try await client.send(.get, "/v1/auth/me", token: afterReset).status == .unauthorized)
                let audit = try await database.pool.query("select action from audit_log where resource = 'account' order by chain_position")
                #expect(try audit.map { try $0.decode("action", as: String.self) } == ["password.reset", "account.disable"])
            }
        }
    }

    @Test("grants can be added and revoked, keeping history")
    func grantAndRevoke() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let workerID = try await database.pool.query("select id from account where username = 'grid1a.worker'").first!.decode("id", as: UUID.self)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let added = try await client.post(
                    "/v1/users/\(workerID.uuidString)/grants",
                    json: ["role": "volunteer", "unitId": fixture.village1b.idString],
                    token: admin
                )
                #expect(added.status == .ok)
                let grants = try added.json()["grants"] as? [[String: Any]] ?? []
                #expect(grants.count == 2)
                let grantID = try #require(grants.first { $0["role"] as? String == "volunteer" }?["id"] as? String)
                let revoked = try await client.post("/v1/users/\(workerID.uuidString)/grants/\(grantID)/revoke", json: [:], token: admin)
                #expect(revoked.status == .ok)
                #expect((try revoked.json()["grants"] as? [[String: Any]])?.count == 1)
                let history = try await database.pool.query("select count(*) as n from role_grant where account_id = \(workerID)")
                #expect(try history.first?.decode("n", as: Int.self) == 2)
            }
        }
    }

    @Test("account changes sent with If-Match apply to the version read: two resets at once, one 412; every change raises the version")
    func changesAtTheVersionRead() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let workerID = try await database.pool.query("select id from account where username = 'grid1a.worker'").first!.decode("id", as: UUID.self)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let path = "/v1/users/\(workerID.uuidString)"
                func version() async throws -> String {
                    try #require(try await client.send(.get, path, token: admin).headers[.eTag])
                }
                let read = try await version()
                // Two administrators reset the password having read the same version: one is refused. A third
                // transaction holds the account's row meanwhile, so both requests have read the account before
                // either may write it.
                let locked = AsyncStream<Void>.makeStream()
                let holder = Task {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query("select id from account where id = \(workerID) for update")
                        locked.continuation.yield()
                        try await Task.sleep(for: .milliseconds(1500))
                    }
                }
                for await _ in locked.stream { break }
                let body = try JSONSerialization.data(withJSONObject: ["password": "Reset#pass2026"])
                async let first = client.send(
                    .post,
                    path + "/reset-password",
                    body: body,
                    contentType: "application/json",
                    token: admin,
                    headers: [.ifMatch: read]
                )
                async let second = client.send(
                    .post,
                    path + "/reset-password",
                    body: body,
                    contentType: "application/json",
                    token: admin,
                    headers: [.ifMatch: read]
                )
                let statuses = [try await first.status, try await second.status].map(\.code).sorted()
                try await holder.value
                #expect(statuses == [200, 412])
                let audited = try await database.pool.query("select count(*)::int as n from audit_log where action = 'password.reset'").first!
                    .decode("n", as: Int.self)
                #expect(audited == 1)
                // A grant, its revocation and a second-factor reset each make a new version; a stale one changes nothing.
                let afterReset = try await version()
                #expect(afterReset != read)
                let stale = try await client.send(
                    .post,
                    path + "/grants",
                    json: ["role": "volunteer", "unitId": fixture.village1b.idString],
                    token: admin,
                    headers: [.ifMatch: read]
                )
                #expect(stale.status == .preconditionFailed)
                #expect(try stale.json()["code"] as? String == "version_mismatch")
                let grants = try await database.pool.query("select count(*)::int as n from role_grant where account_id = \(workerID)").first!.decode(
                    "n",
                    as: Int.self
                )
                #expect(grants == 1)
                let added = try await client.send(
                    .post,
                    path + "/grants",
                    json: ["role": "volunteer", "unitId": fixture.village1b.idString],
                    token: admin,
                    headers: [.ifMatch: afterReset]
                )
                #expect(added.status == .ok)
                let afterGrant = try #require(added.headers[.eTag])
                #expect(afterGrant != afterReset)
                let grantID = try #require(
                    (try added.json()["grants"] as? [[String: Any]])?.first { $0["role"] as? String == "volunteer" }?["id"] as? String
                )
                let revoked = try await client.send(.post, path + "/grants/\(grantID)/revoke", token: admin, headers: [.ifMatch: afterGrant])
                #expect(revoked.status == .ok)
                let afterRevoke = try #require(revoked.headers[.eTag])
                #expect(afterRevoke != afterGrant)
                let twoFactor = try await client.send(.post, path + "/reset-two-factor", token: admin, headers: [.ifMatch: afterRevoke])
                #expect(twoFactor.status == .ok)
                #expect(try #require(twoFactor.headers[.eTag]) != afterRevoke)
                let staleDisable = try await client.send(.post, path + "/disable", token: admin, headers: [.ifMatch: afterRevoke])
                #expect(staleDisable.status == .preconditionFailed)
                #expect(try await client.send(.get, path, token: admin).json()["disabled"] as? Bool == false)
                // Without If-Match a change applies to the account as it is.
                #expect(try await client.post(path + "/disable", json: [:], token: admin).status == .ok)
                let malformed = try await client.send(.post, path + "/reset-two-factor", token: admin, headers: [.ifMatch: "soon"])
                #expect(malformed.status == .badRequest)
            }
        }
    }

    @Test("a grant waiting for its unit (a move in progress) does not hold the account: its owner still logs in")
    func grantWaitsWithoutHoldingTheAccount() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let workerID = try await database.pool.query("select id from account where username = 'grid1a.worker'").first!.decode("id", as: UUID.self)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let locked = AsyncStream<Void>.makeStream()
                let release = AsyncStream<Void>.makeStream()
                // A unit move holds the village's row until it commits.
                let mover = Task {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query("select id from org_unit where id = \(fixture.village1b.id) for update")
                        locked.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                for await _ in locked.stream { break }
                let body = try JSONSerialization.data(withJSONObject: ["role": "volunteer", "unitId": fixture.village1b.idString])
                async let granted = client.send(
                    .post,
                    "/v1/users/\(workerID.uuidString)/grants",
                    body: body,
                    contentType: "application/json",
                    token: admin
                )
                try await Task.sleep(for: .milliseconds(300))
                // The grant waits for the unit; the account is not held meanwhile, so the login answers while the
                // unit is still held. (Were the account held, the login would wait for the unit: it is let go
                // after 20 s so that the test fails instead of hanging, whatever the machine's load.)
                let letGo = LetGo()
                let fallback = Task {
                    try await Task.sleep(for: .seconds(20))
                    await letGo.mark()
                    release.continuation.yield()
                }
                let login = try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": PlatformFixture.password])
                #expect(login.status == .ok)
                #expect(await !letGo.happened, "the login answered while the unit was still held")
                fallback.cancel()
                release.continuation.yield()
                try await mover.value
                #expect(try await granted.status == .ok)
            }
        }
    }
}

/// Whether a test's fallback let a held lock go.
private actor LetGo {
    private(set) var happened = false

    func mark() {
        self.happened = true
    }
}

@Suite("Account administration limits")
struct AccountAuthorityTests {
    @Test("a town admin cannot reset, disable or mint tokens for accounts holding roles above its own")
    func noEscalation() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let auditorID = try await seeder.user(
                "village.auditor",
                password: PlatformFixture.password,
                home: fixture.village1a,
                grants: [(.auditor, fixture.county)]
            )
            let peerID = try await seeder.user(
                "town1.admin2",
                password: PlatformFixture.password,
                home: fixture.town1,
                grants: [(.townAdmin, fixture.town1)]
            )
            let serviceID = UUID()
            try await database.pool.query(
                """
                insert into account (id, kind, username, display_name, home_unit_id) values (\(serviceID), 'service', 'county.dashboard', '看板', \(fixture.town1.id))
                """
            )
            try await database.pool.query(
                "insert into role_grant (id, account_id, role, unit_id) values (\(UUID()), \(serviceID), 'county_admin', \(fixture.county.id))"
            )
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                for target in [auditorID, peerID] {
                    let reset = try await client.post(
                        "/v1/users/\(target.uuidString)/reset-password",
                        json: ["password": "Taken#over2026"],
                        token: admin
                    )
                    #expect(reset.status == .forbidden)
                    #expect(try reset.json()["code"] as? String == "insufficient_authority")
                    #expect(try await client.post("/v1/users/\(target.uuidString)/disable", json: [:], token: admin).status == .forbidden)
                }
                let token = try await client.post("/v1/service-accounts/\(serviceID.uuidString)/tokens", json: [:], token: admin)
                #expect(token.status == .forbidden)
                #expect(try await client.login("village.auditor").hasPrefix("lss_"))
                let county = try await client.login("county.admin")
                let allowed = try await client.post(
                    "/v1/users/\(auditorID.uuidString)/reset-password",
                    json: ["password": "Reset#pass2026"],
                    token: county
                )
                #expect(allowed.status == .ok)
            }
        }
    }
}
