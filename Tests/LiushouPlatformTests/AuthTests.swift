import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Login, sessions and tokens")
struct AuthTests {
    @Test("login returns a token that identifies the caller, its grants and permissions")
    func loginAndMe() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("Town1.Admin")
                #expect(token.hasPrefix("lss_"))
                let me = try await client.send(.get, "/v1/auth/me", token: token)
                #expect(me.status == .ok)
                let body = try me.json()
                #expect(body["username"] as? String == "town1.admin")
                let grants = body["grants"] as? [[String: Any]]
                #expect(grants?.first?["role"] as? String == "town_admin")
                #expect((grants?.first?["unitId"] as? String)?.lowercased() == fixture.town1.idString)
                #expect((body["permissions"] as? [String])?.contains("units.manage") == true)
                let stored = try await database.pool.query("select token_hash from credential")
                #expect(stored.count == 1)
                #expect(try stored.first?.decode("token_hash", as: Data.self) == BearerToken.hash(token))
            }
        }
    }

    @Test("bad login input answers 400/422 naming the field")
    func badInput() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let missing = try await client.post("/v1/auth/login", json: ["username": "x"])
                #expect(missing.status == .badRequest)
                #expect(((try missing.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "password")
                let empty = try await client.post("/v1/auth/login", json: ["username": "", "password": ""])
                #expect(empty.status == .unprocessableContent)
                let fields = (try empty.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == ["username", "password"])
            }
        }
    }

    @Test("unknown user and wrong password answer the same 401 after the same work (one bcrypt check), and are audited")
    func failuresLookAlike() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let hasher = try PasswordHasher(cost: 10)
            try await PlatformApp.make(database, hasher: hasher).test(.router) { client in
                func attempt(_ username: String) async throws -> (body: String, checks: Int) {
                    let before = hasher.verificationCount
                    let response = try await client.post("/v1/auth/login", json: ["username": username, "password": "Whatever#1"])
                    #expect(response.status == .unauthorized)
                    let body = response.text.split(separator: ",").filter { !$0.contains("requestId") }.joined(separator: ",")
                    return (body, hasher.verificationCount - before)
                }
                let unknown = try await attempt("nobody.here")
                let wrong = try await attempt("town1.admin")
                #expect(unknown.body == wrong.body)
                #expect(unknown.body.contains("login_failed"))
                #expect(unknown.checks == 1 && wrong.checks == 1)
                let audited = try await database.pool.query(
                    "select detail->>'reason' as reason from audit_log where action = 'login' order by chain_position"
                )
                #expect(try audited.map { try $0.decode("reason", as: String?.self) } == ["unknown_user", "wrong_password"])
                // What was typed as an unknown name (often a password in the wrong field) is kept only as a tag.
                let names = try await database.pool.query("select account_name from audit_log where action = 'login' order by chain_position")
                    .map { try $0.decode("account_name", as: String?.self) ?? "" }
                #expect(names.count == 2 && !names[0].contains("nobody") && names[0].hasPrefix("未知用户名 ") && names[0].count == 12)
                #expect(names.last == "town1.admin")
            }
            await hasher.shutdown()
        }
    }

    @Test("five wrong passwords lock the account; the right password is refused until the lock expires")
    func lockout() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.lockDuration = .seconds(2)
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                for _ in 0..<5 {
                    let response = try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": "Wrong#pass1"])
                    #expect(response.status == .unauthorized)
                }
                let locked = try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": PlatformFixture.password])
                #expect(locked.status == .unauthorized)
                try await Task.sleep(for: .milliseconds(2200))
                let unlocked = try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": PlatformFixture.password])
                #expect(unlocked.status == .ok)
                let reasons = try await database.pool.query(
                    "select detail->>'reason' as reason from audit_log where action = 'login' order by chain_position"
                )
                let list = try reasons.map { try $0.decode("reason", as: String?.self) }
                #expect(list.filter { $0 == "wrong_password" }.count == 5)
                #expect(list.contains("locked"))
            }
        }
    }

    @Test("wrong current passwords on the password change count as failed logins: five lock the account")
    func passwordChangeGuesses() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            // A lock long enough to outlast a loaded machine between the guesses and the checks below.
            var settings = AuthSettings()
            settings.lockDuration = .seconds(300)
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let token = try await client.login("grid1a.worker")
                for _ in 0..<5 {
                    let guess = try await client.post(
                        "/v1/auth/password",
                        json: ["currentPassword": "Wrong#pass1", "newPassword": "Taken#over2026"],
                        token: token
                    )
                    #expect(guess.status == .unprocessableContent, "\(guess.text)")
                }
                // The right password is refused too while the lock holds, here and at login.
                let sixth = try await client.post(
                    "/v1/auth/password",
                    json: ["currentPassword": PlatformFixture.password, "newPassword": "Taken#over2026"],
                    token: token
                )
                #expect(sixth.status == .tooManyRequests, "\(sixth.text)")
                #expect(try sixth.json()["code"] as? String == "account_locked")
                let login = try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": PlatformFixture.password])
                #expect(login.status == .unauthorized)
                let denied = try await database.pool.query(
                    "select count(*)::int as n from audit_log where action = 'password.change' and result = 'denied'"
                ).first?.decode("n", as: Int.self)
                #expect(denied == 6)
            }
        }
    }

    @Test("a burst of parallel guesses gets no more than five password checks")
    func parallelGuesses() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            let password = index == 19 ? PlatformFixture.password : "Wrong#pass\(index)"
                            return try await client.post("/v1/auth/login", json: ["username": "grid1a.worker", "password": password]).status.code
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                // Refused as failed logins, or at once for too many logins of one address in flight (429).
                #expect(statuses.filter { $0 == 401 || $0 == 429 }.count >= 19, "\(statuses)")
                let reasons = try await database.pool.query("select detail->>'reason' as reason from audit_log where action = 'login'")
                let checked = try reasons.map { try $0.decode("reason", as: String?.self) }.filter { $0 != "locked" }
                #expect(checked.count <= 5, "at most five attempts had their password checked: \(checked)")
            }
        }
    }

    @Test("a session dies after the idle timeout")
    func idleExpiry() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.sessionIdle = .seconds(2)
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let token = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/auth/me", token: token).status == .ok)
                try await Task.sleep(for: .milliseconds(2500))
                let expired = try await client.send(.get, "/v1/auth/me", token: token)
                #expect(expired.status == .unauthorized)
                #expect(try expired.json()["code"] as? String == "invalid_token")
            }
        }
    }

    @Test("a session dies at its absolute lifetime even while used")
    func absoluteExpiry() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.sessionLifetime = .seconds(3)
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let token = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/auth/me", token: token).status == .ok)
                try await Task.sleep(for: .milliseconds(1500))
                #expect(try await client.send(.get, "/v1/auth/me", token: token).status == .ok)
                try await Task.sleep(for: .milliseconds(1700))
                #expect(try await client.send(.get, "/v1/auth/me", token: token).status == .unauthorized)
            }
        }
    }

    @Test("logout revokes the token; a disabled account's tokens die at once")
    func revocation() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let first = try await client.login("town1.relief")
                #expect(try await client.send(.post, "/v1/auth/logout", token: first).status == .noContent)
                #expect(try await client.send(.get, "/v1/auth/me", token: first).status == .unauthorized)

                let second = try await client.login("town1.legal")
                try await database.pool.query("update account set disabled_at = now() where username = 'town1.legal'")
                #expect(try await client.send(.get, "/v1/auth/me", token: second).status == .unauthorized)
                let again = try await client.post("/v1/auth/login", json: ["username": "town1.legal", "password": PlatformFixture.password])
                #expect(again.status == .unauthorized)
            }
        }
    }

    @Test("token checks arriving together are answered each for its own token (live, revoked, unknown)")
    func concurrentTokenChecks() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let users = ["town1.admin", "village1a.cadre", "county.admin"]
                var tokens: [(token: String, user: String?)] = []
                for user in users { tokens.append((try await client.login(user), user)) }
                let revoked = try await client.login("town1.relief")
                #expect(try await client.send(.post, "/v1/auth/logout", token: revoked).status == .noContent)
                tokens.append((revoked, nil))
                tokens.append(("not-a-real-token-0123456789abcdef", nil))
                let answers = try await withThrowingTaskGroup(of: (Int, UInt16, String?).self) { tasks in
                    for index in 0..<60 {
                        let (token, _) = tokens[index % tokens.count]
                        tasks.addTask {
                            let response = try await client.send(.get, "/v1/auth/me", token: token)
                            let name = response.status == .ok ? try response.json()["username"] as? String : nil
                            return (index, UInt16(response.status.code), name)
                        }
                    }
                    var answers: [Int: (UInt16, String?)] = [:]
                    for try await (index, code, name) in tasks { answers[index] = (code, name) }
                    return answers
                }
                #expect(answers.count == 60)
                for (index, answer) in answers {
                    let expected = tokens[index % tokens.count].user
                    #expect(answer.0 == (expected == nil ? 401 : 200), "request \(index)")
                    #expect(answer.1 == expected, "request \(index) answered as \(answer.1 ?? "nobody")")
                }
            }
        }
    }

    @Test("missing or malformed credentials answer 401")
    func unauthenticated() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let none = try await client.send(.get, "/v1/auth/me")
                #expect(none.status == .unauthorized)
                #expect(try none.json()["code"] as? String == "unauthenticated")
                let garbage = try await client.send(.get, "/v1/auth/me", headers: [.authorization: "Bearer lss_forged"])
                #expect(garbage.status == .unauthorized)
                let basic = try await client.send(.get, "/v1/auth/me", headers: [.authorization: "Basic dXNlcjpwYXNz"])
                #expect(basic.status == .unauthorized)
            }
        }
    }

    @Test("a user whose password was reset can only reach the password change")
    func mustChangePassword() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            try await seeder.user(
                "fresh.admin",
                password: PlatformFixture.password,
                home: fixture.town1,
                grants: [(.townAdmin, fixture.town1)],
                mustChangePassword: true
            )
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login("fresh.admin")
                let me = try await client.send(.get, "/v1/auth/me", token: token)
                #expect(me.status == .ok)
                #expect(try me.json()["mustChangePassword"] as? Bool == true)
                let blocked = try await client.send(.get, "/v1/units/\(fixture.town1.idString)", token: token)
                #expect(blocked.status == .forbidden)
                #expect(try blocked.json()["code"] as? String == "password_change_required")
            }
        }
    }

    @Test("the password policy wants 8 characters from 3 of 4 classes")
    func passwordPolicy() {
        #expect(!PasswordPolicy.problems(with: "Ab1!").isEmpty)
        #expect(!PasswordPolicy.problems(with: "abcdefgh1").isEmpty)
        #expect(!PasswordPolicy.problems(with: "ABCDEFGH").isEmpty)
        #expect(PasswordPolicy.problems(with: "abcdefG1").isEmpty)
        #expect(PasswordPolicy.problems(with: "abcdefg#1").isEmpty)
        #expect(PasswordPolicy.problems(with: "留守儿童abcDEF").isEmpty)
        #expect(PasswordPolicy.problems(with: "abcdefgh", field: "newPassword").first?.field == "newPassword")
        #expect(!PasswordPolicy.problems(with: "\u{0}Aa1aaaaa").isEmpty)
        #expect(!PasswordPolicy.problems(with: String(repeating: "留", count: 25) + "a1").isEmpty)
    }

    @Test("bcrypt hashes use cost 10 or more and verify only the right password")
    func hashing() async throws {
        let hash = try await TestHasher.shared.hash("Liushou#2026")
        #expect(hash.hasPrefix("$2b$10$"))
        #expect(try await TestHasher.shared.verify("Liushou#2026", against: hash))
        #expect(try await !TestHasher.shared.verify("liushou#2026", against: hash))
        #expect(try await !TestHasher.shared.verify("Liushou#2026", against: nil))
        let empty = try await TestHasher.shared.hash("Empty#1")
        #expect(try await !TestHasher.shared.verify("Empty#1\u{0}more", against: empty))
    }
}
