import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Two-factor authentication (TOTP) for administrators")
struct TwoFactorTests {
    @Test("codes match RFC 6238's SHA-1 test vectors; the window is one step either side; base32 as apps read it")
    func rfcVectors() {
        let totp = TOTP(secret: Data("12345678901234567890".utf8))
        // RFC 6238 appendix B (8 digits there; 6-digit codes are their last six).
        for (time, code) in [
            (59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"), (2_000_000_000, "279037"),
        ] {
            let date = Date(timeIntervalSince1970: TimeInterval(time))
            #expect(totp.code(step: TOTP.step(at: date)) == code, "\(time)")
            #expect(totp.matchingStep(code, at: date) == TOTP.step(at: date))
            #expect(totp.matchingStep(code, at: date.addingTimeInterval(30)) == TOTP.step(at: date), "a step late")
            #expect(totp.matchingStep(code, at: date.addingTimeInterval(-30)) == TOTP.step(at: date), "a step early")
            #expect(totp.matchingStep(code, at: date.addingTimeInterval(90)) == nil, "three steps late")
        }
        #expect(totp.matchingStep("28708", at: Date(timeIntervalSince1970: 59)) == nil)
        #expect(totp.matchingStep("28708x", at: Date(timeIntervalSince1970: 59)) == nil)
        #expect(totp.base32Secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(
            totp.uri(issuer: "Liushou", account: "县.admin")
                == "otpauth://totp/Liushou:%E5%8E%BF.admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Liushou&algorithm=SHA1&digits=6&period=30"
        )
        let codes = RecoveryCodes.generate()
        #expect(Set(codes).count == 10 && codes.allSatisfy { $0.count == 11 && $0.contains("-") })
        #expect(RecoveryCodes.digest(codes[0].lowercased().replacingOccurrences(of: "-", with: " ")) == RecoveryCodes.digest(codes[0]))
    }

    /// The code an enrolled app would show `offset` steps from now.
    static func code(_ secret: String, offset: Int64 = 0) throws -> String {
        let bytes = try #require(Base32Test.decode(secret))
        return TOTP(secret: bytes).code(step: TOTP.step(at: Date()) + offset)
    }

    /// Six digits that are none of the codes around now.
    static func wrongCode(_ secret: String) throws -> String {
        let near = Set(try (-3...3).map { try Self.code(secret, offset: Int64($0)) })
        return (0..<10).map { String(format: "%06d", $0) }.first { !near.contains($0) }!
    }

    @Test("policy roles enrol before anything else; later sessions need a code or a recovery code, each once; wrong codes end the session, then lock")
    func enrolAndVerify() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.countyAdmin, .townAdmin]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                // Outside the policy nothing changes.
                let cadreLogin = try await client.post("/v1/auth/login", json: ["username": "village1a.cadre", "password": PlatformFixture.password])
                #expect(try cadreLogin.json()["secondFactor"] == nil)

                let login = try await client.post("/v1/auth/login", json: ["username": "county.admin", "password": PlatformFixture.password])
                #expect(try login.json()["secondFactor"] as? String == "enrol")
                let token = try #require(try login.json()["token"] as? String)
                let blocked = try await client.send(.get, "/v1/persons", token: token)
                #expect(blocked.status == .forbidden)
                #expect(try blocked.json()["code"] as? String == "second_factor_enrolment_required")
                let password = try await client.post(
                    "/v1/auth/password",
                    json: ["currentPassword": PlatformFixture.password, "newPassword": "Another#Pass2026"],
                    token: token
                )
                #expect(password.status == .forbidden, "no password change on the password alone")
                let me = try await client.send(.get, "/v1/auth/me", token: token)
                #expect(try me.json()["secondFactor"] as? String == "enrol")
                #expect(try me.json()["twoFactorRequired"] as? Bool == true)
                #expect(try await client.post("/v1/auth/two-factor/verify", json: ["code": "123456"], token: token).status == .conflict)

                let enrol = try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token)
                #expect(enrol.status == .created)
                #expect(enrol.headers[.cacheControl] == "no-store")
                let secret = try #require(try enrol.json()["secret"] as? String)
                #expect(try (enrol.json()["uri"] as? String)?.hasPrefix("otpauth://totp/Liushou:county.admin?secret=\(secret)&") == true)
                let stored = try await database.pool.query("select secret_sealed::text as s from account_totp").first!.decode("s", as: String.self)
                let secretHex = try #require(Base32Test.decode(secret)).map { String(format: "%02x", $0) }.joined()
                #expect(!stored.contains(secretHex), "the secret is stored sealed, not as its bytes")

                let wrongCode = try Self.wrongCode(secret)
                let wrong = try await client.post("/v1/auth/two-factor/confirm", json: ["code": wrongCode], token: token)
                #expect(wrong.status == .unprocessableContent)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": "12ab56"], token: token).status == .unprocessableContent)
                let confirmed = try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: token)
                #expect(confirmed.status == .ok, "\(confirmed.text)")
                let recovery = try #require(try confirmed.json()["recoveryCodes"] as? [String])
                #expect(Set(recovery).count == 10)
                #expect(try await client.send(.get, "/v1/persons", token: token).status == .ok, "the enrolling session is verified")
                #expect(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token).status == .conflict)

                // A new session owes a code.
                let second = try await client.login("county.admin")
                let due = try await client.send(.get, "/v1/persons", token: second)
                #expect(try due.json()["code"] as? String == "second_factor_required")
                #expect(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: second).status == .forbidden)
                let next = try Self.code(secret, offset: 1)
                #expect(try await client.post("/v1/auth/two-factor/verify", json: ["code": next], token: second).status == .ok)
                #expect(try await client.send(.get, "/v1/persons", token: second).status == .ok)
                // The same code again (a replay) is refused; a recovery code works once.
                let third = try await client.login("county.admin")
                #expect(try await client.post("/v1/auth/two-factor/verify", json: ["code": next], token: third).status == .unprocessableContent)
                let used = try await client.post("/v1/auth/two-factor/verify", json: ["recoveryCode": recovery[0].lowercased()], token: third)
                #expect(used.status == .ok)
                #expect(try used.json()["recoveryCodesLeft"] as? Int == 9)
                let fourth = try await client.login("county.admin")
                #expect(
                    try await client.post("/v1/auth/two-factor/verify", json: ["recoveryCode": recovery[0]], token: fourth).status
                        == .unprocessableContent
                )

                // Five wrong codes end a session; ten in a row lock the authenticator, whatever the session.
                var statuses: [Int] = []
                var session = fourth
                for _ in 0..<12 {
                    let answer = try await client.post("/v1/auth/two-factor/verify", json: ["code": wrongCode], token: session)
                    statuses.append(answer.status.code)
                    if answer.status == .tooManyRequests {
                        #expect(answer.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 900 } == true)
                        break
                    }
                    if answer.status == .unauthorized { session = try await client.login("county.admin") }
                }
                #expect(statuses.contains(401), "\(statuses)")
                #expect(statuses.last == 429, "\(statuses)")
                let fresh = try await client.login("county.admin")
                let lockedOut = try await client.post("/v1/auth/two-factor/verify", json: ["code": try Self.code(secret, offset: 1)], token: fresh)
                #expect(lockedOut.status == .tooManyRequests, "even the right code waits")

                let actions = try await database.pool.query(
                    """
                    select action || ':' || result as a, count(*) as n from audit_log where action like 'two_factor.%' group by 1
                    """
                ).reduce(into: [String: Int]()) { $0[try $1.decode("a", as: String.self)] = try $1.decode("n", as: Int.self) }
                #expect(actions["two_factor.enrol:success"] == 1 && actions["two_factor.enrol:denied"] == 1, "\(actions)")
                #expect(actions["two_factor.verify:success"] == 1 && (actions["two_factor.verify:denied"] ?? 0) >= 10, "\(actions)")
                #expect(actions["two_factor.recovery_code:success"] == 1, "\(actions)")
            }
        }
    }

    @Test("what a session owes is decided on every request: a role granted after login, or an enrolment made elsewhere, reaches open sessions")
    func decidedPerRequest() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.townAdmin]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let before = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/auth/me", token: before).json()["secondFactor"] as? String == "none")
                let county = try await client.login("county.admin")
                let users = try await client.send(.get, "/v1/users?q=village1a.cadre", token: county)
                let cadreID = try #require(
                    ((try users.json()["items"] as? [[String: Any]])?.first { $0["username"] as? String == "village1a.cadre" })?["id"] as? String
                )
                let granted = try await client.post(
                    "/v1/users/\(cadreID)/grants",
                    json: ["role": "town_admin", "unitId": fixture.town1.idString],
                    token: county
                )
                #expect(granted.status == .ok, "\(granted.text)")

                // The session opened before the grant now owes an enrolment, like a new one.
                let blocked = try await client.send(.get, "/v1/persons", token: before)
                #expect(blocked.status == .forbidden)
                #expect(try blocked.json()["code"] as? String == "second_factor_enrolment_required")
                #expect(try await client.send(.get, "/v1/auth/me", token: before).json()["secondFactor"] as? String == "enrol")
                let other = try await client.login("village1a.cadre")
                #expect(try await client.send(.get, "/v1/persons", token: other).status == .forbidden)

                // Enrolling in one session leaves the other owing a code, which it can give.
                let secret = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: before).json()["secret"] as? String)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: before).status == .ok)
                #expect(try await client.send(.get, "/v1/persons", token: before).status == .ok)
                let owes = try await client.send(.get, "/v1/persons", token: other)
                #expect(try owes.json()["code"] as? String == "second_factor_required", "\(owes.text)")
                #expect(try await client.send(.get, "/v1/auth/me", token: other).json()["secondFactor"] as? String == "pending")
                #expect(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: other).status == .forbidden)
                let verified = try await client.post("/v1/auth/two-factor/verify", json: ["code": try Self.code(secret, offset: 1)], token: other)
                #expect(verified.status == .ok, "\(verified.text)")
                #expect(try await client.send(.get, "/v1/persons", token: other).status == .ok)

                // Accounts outside the policy without an authenticator are not asked.
                let countyMe = try await client.send(.get, "/v1/auth/me", token: county)
                #expect(try countyMe.status == .ok && countyMe.json()["secondFactor"] as? String == "none", "county_admin is outside this policy")
            }
        }
    }

    @Test("an enrolment is confirmed only for the secret its code was checked against")
    func confirmMatchesSecret() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.townAdmin]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let token = try await client.login("town1.admin")
                let first = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token).json()["secret"] as? String)
                let row = try #require(
                    try await database.pool.query(
                        """
                        select t.account_id, t.secret_sealed, c.id as credential from account_totp t join credential c on c.account_id = t.account_id and c.revoked_at is null
                        """
                    ).first
                )
                let account = try row.decode("account_id", as: UUID.self)
                let credential = try row.decode("credential", as: UUID.self)
                let checked = try row.decode("secret_sealed", as: Data.self)
                // Another tab restarts the enrolment between the check and the confirmation.
                let second = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token).json()["secret"] as? String)
                #expect(first != second)
                let stale = try await database.pool.query(
                    """
                    select auth_two_factor_confirm(\(account), \(credential), \(checked), 1, array[]::bytea[]) as confirmed
                    """
                ).first?.decode("confirmed", as: Bool.self)
                #expect(stale == false)
                // The first tab's code, named with its enrolment: refused as replaced, and not counted.
                let firstEnrolment = try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token)
                let third = try #require(try firstEnrolment.json()["secret"] as? String)
                let named = try #require(try firstEnrolment.json()["enrolment"] as? String)
                let latest = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token).json()["secret"] as? String)
                let replaced = try await client.post(
                    "/v1/auth/two-factor/confirm",
                    json: ["code": try Self.code(third), "enrolment": named],
                    token: token
                )
                #expect(replaced.status == .conflict, "\(replaced.text)")
                #expect(try replaced.json()["code"] as? String == "enrolment_replaced")
                let counted = try await database.pool.query("select second_factor_failures as n from credential where id = \(credential)").first!
                #expect(try counted.decode("n", as: Int.self) == 0)
                // Without the name, an old tab's code is a wrong code (counted).
                #expect(
                    try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(first)], token: token).status
                        == .unprocessableContent
                )
                #expect(
                    try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(second)], token: token).status
                        == .unprocessableContent
                )
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(latest)], token: token).status == .ok)
            }
        }
    }

    @Test("ten wrong codes lock the authenticator once: codes while locked do not extend it, and the count starts again after it")
    func lockDoesNotReArm() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.auditor]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let first = try await client.login("county.auditor")
                let secret = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: first).json()["secret"] as? String)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: first).status == .ok)
                let wrong = try Self.wrongCode(secret)
                var session = try await client.login("county.auditor")
                var statuses: [Int] = []
                while statuses.count < 12, statuses.last != 429 {
                    let answer = try await client.post("/v1/auth/two-factor/verify", json: ["code": wrong], token: session)
                    statuses.append(answer.status.code)
                    if answer.status == .unauthorized { session = try await client.login("county.auditor") }
                }
                #expect(statuses == [422, 422, 422, 422, 401, 422, 422, 422, 422, 429], "\(statuses)")
                let state = {
                    let row = try await database.pool.query("select failures, locked_until, account_id from account_totp").first!
                    return (
                        try row.decode("failures", as: Int.self), try row.decode("locked_until", as: Date?.self),
                        try row.decode("account_id", as: UUID.self)
                    )
                }
                let (failures, locked, account) = try await state()
                #expect(failures == 10 && locked != nil)

                // A wrong code counted while locked (two requests racing past the lock check) changes nothing.
                session = try await client.login("county.auditor")
                let credential = try await database.pool.query(
                    """
                    select id from credential where account_id = \(account) and revoked_at is null order by created_at desc limit 1
                    """
                ).first!.decode("id", as: UUID.self)
                try await database.pool.query("select * from auth_two_factor_failed(\(account), \(credential), 5, 10, '900 seconds'::interval)")
                let (whileLocked, stillLocked, _) = try await state()
                #expect(whileLocked == 10 && stillLocked == locked, "no count and no new lock while locked")
                #expect(try await client.post("/v1/auth/two-factor/verify", json: ["code": wrong], token: session).status == .tooManyRequests)

                // A quarter of an hour later (the lock's end moved into the past): one wrong code counts
                // once and does not lock; the right code opens the session.
                try await database.pool.query("update account_totp set locked_until = now() - interval '1 second'")
                let after = try await client.post("/v1/auth/two-factor/verify", json: ["code": wrong], token: session)
                #expect(after.status == .unprocessableContent, "the count starts again: \(after.status)")
                let (restarted, _, _) = try await state()
                #expect(restarted == 1)
                let right = try await client.post("/v1/auth/two-factor/verify", json: ["code": try Self.code(secret, offset: 1)], token: session)
                #expect(right.status == .ok, "\(right.text)")
            }
        }
    }

    @Test("a wrong code waits for the authenticator before it counts against the session: a right code or a reset at that moment never deadlocks")
    func wrongCodeLocksTheAuthenticatorFirst() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.auditor]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let first = try await client.login("county.auditor")
                let secret = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: first).json()["secret"] as? String)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: first).status == .ok)
                _ = try await client.login("county.auditor")
            }
            let session = try await database.pool.query(
                """
                select c.id, c.account_id from credential c join account a on a.id = c.account_id
                where a.username = 'county.auditor' and c.revoked_at is null order by c.created_at desc limit 1
                """
            ).first!
            let credential = try session.decode("id", as: UUID.self)
            let account = try session.decode("account_id", as: UUID.self)
            let state = {
                let row = try await database.pool.query(
                    """
                    select c.second_factor_failures, c.second_factor, c.revoked_at is not null as revoked,
                           (select t.failures from account_totp t where t.account_id = c.account_id) as totp_failures
                    from credential c where c.id = \(credential)
                    """
                ).first!
                return (
                    try row.decode("second_factor_failures", as: Int.self), try row.decode("second_factor", as: String?.self),
                    try row.decode("revoked", as: Bool.self), try row.decode("totp_failures", as: Int?.self)
                )
            }
            // Each race: what the other function does first (it holds the authenticator), the wrong code
            // sent meanwhile, then what the other function does second (the session's credential).
            // Taking the credential before the authenticator, the two waited for each other and
            // PostgreSQL failed one of them after deadlock_timeout.
            let races: [(first: String, second: String)] = [
                // auth_two_factor_use_code: a right code in another request of the same session.
                (
                    "update account_totp set last_used_step = last_used_step + 1, failures = 0 where account_id = '\(account)'",
                    "update credential set second_factor = 'verified', second_factor_failures = 0 where id = '\(credential)'"
                ),
                // auth_two_factor_reset: an administrator resets the lost phone.
                (
                    "delete from account_totp where account_id = '\(account)'",
                    "update credential set revoked_at = now() where account_id = '\(account)' and kind = 'session' and revoked_at is null"
                ),
            ]
            for race in races {
                let wrong = try await database.pool.withTransaction { transaction in
                    try await transaction.query(SQLQuery(unsafeSQL: race.first))
                    let wrong = Task {
                        try await database.pool.query(
                            "select * from auth_two_factor_failed(\(account), \(credential), 5, 10, '900 seconds'::interval)"
                        ).first
                    }
                    let waiting = try await database.lockWaits(atLeast: 1)
                    #expect(waiting == 1, "the wrong code waits for the authenticator")
                    try await transaction.query(SQLQuery(unsafeSQL: race.second))
                    return wrong
                }
                let answer = try await wrong.value
                #expect(try answer?.decode("session_ended", as: Bool.self) == false)
                #expect(try answer?.decode("locked_until", as: Date?.self) == nil)
            }
            // The right code's work stands and the wrong code counted after it, once; after the
            // reset there was nothing left to count.
            let (failures, factor, revoked, totpFailures) = try await state()
            #expect(failures == 1 && factor == "verified" && revoked && totpFailures == nil, "\(failures) \(String(describing: factor)) \(revoked)")
        }
    }

    @Test("a higher administrator resets a lost authenticator (sessions end, enrolment starts over); nobody else can")
    func resetByHigherAdministrator() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.townAdmin]
            try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let town = try await client.login("town1.admin")
                let secret = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: town).json()["secret"] as? String)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: town).status == .ok)
                let county = try await client.login("county.admin")
                let users = try await client.send(.get, "/v1/users?q=town1.admin", token: county)
                let townID = try #require(
                    ((try users.json()["items"] as? [[String: Any]])?.first { $0["username"] as? String == "town1.admin" })?["id"] as? String
                )
                let countyID = try #require(try await client.send(.get, "/v1/auth/me", token: county).json()["accountId"] as? String)

                #expect(
                    [.forbidden, .notFound].contains(try await client.post("/v1/users/\(countyID)/reset-two-factor", json: [:], token: town).status),
                    "not upwards"
                )
                #expect(try await client.post("/v1/users/\(townID)/reset-two-factor", json: [:], token: town).status == .forbidden, "not one's own")
                let cadre = try await client.login("village1a.cadre")
                #expect(try await client.post("/v1/users/\(townID)/reset-two-factor", json: [:], token: cadre).status == .forbidden)
                #expect(try await client.post("/v1/users/\(townID)/reset-two-factor", json: [:]).status == .unauthorized)

                let reset = try await client.post("/v1/users/\(townID)/reset-two-factor", json: [:], token: county)
                #expect(reset.status == .ok, "\(reset.text)")
                #expect(try await client.send(.get, "/v1/auth/me", token: town).status == .unauthorized, "the lost phone's sessions end")
                let again = try await client.post("/v1/auth/login", json: ["username": "town1.admin", "password": PlatformFixture.password])
                #expect(try again.json()["secondFactor"] as? String == "enrol")
                let audit = try await database.pool.query(
                    """
                    select detail->>'had_authenticator' as had from audit_log where action = 'two_factor.reset' and result = 'success'
                    """
                ).first
                #expect(try audit?.decode("had", as: String.self) == "true")
            }
        }
    }

    @Test("authenticator secrets are re-sealed by a key rotation and still give codes afterwards")
    func secretsRotate() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            var settings = AuthSettings()
            settings.secondFactorRoles = [.auditor]
            let secret: String = try await PlatformApp.make(database, settings: settings).test(.router) { client in
                let token = try await client.login("county.auditor")
                let secret = try #require(try await client.post("/v1/auth/two-factor/enrol", json: [:], token: token).json()["secret"] as? String)
                #expect(try await client.post("/v1/auth/two-factor/confirm", json: ["code": try Self.code(secret)], token: token).status == .ok)
                return secret
            }
            let newKey = "rotated-test-data-key-0123456789abcdef0123"
            let ring = try IdentifierVault(secret: newKey, previous: ["liushou-tests-only-data-key-0123456789abcdef"])
            let reports = try await DataKeyRotation(vault: ring).run(owner: database.pool)
            #expect(reports.first { $0.table == "account_totp" }?.resealed == 1)
            try await PlatformApp.make(database, settings: settings, vault: try IdentifierVault(secret: newKey)).test(.router) { client in
                let token = try await client.login("county.auditor")
                let verified = try await client.post("/v1/auth/two-factor/verify", json: ["code": try Self.code(secret, offset: 1)], token: token)
                #expect(verified.status == .ok, "\(verified.text)")
            }
        }
    }
}

/// Base32 decoding for the tests (apps do this when the secret is typed in).
enum Base32Test {
    static func decode(_ text: String) -> Data? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var buffer: UInt32 = 0
        var bits = 0
        var bytes: [UInt8] = []
        for character in text {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return Data(bytes)
    }
}
