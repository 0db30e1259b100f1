import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Login throttling")
struct LoginThrottleTests {
    static func settings() -> AuthSettings {
        var settings = AuthSettings()
        settings.throttle.freeFailuresPerAddress = 4
        settings.throttle.freeFailuresPerUsername = 3
        settings.throttle.baseDelay = .seconds(30)
        return settings
    }

    @Test("cycling usernames from one address: past the free failures it waits (429, Retry-After) and no bcrypt runs, even for a right password")
    func addressWaits() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let hasher = try PasswordHasher(cost: 10)
            try await PlatformApp.make(database, settings: Self.settings(), hasher: hasher).test(.router) { client in
                for index in 0..<5 {
                    let response = try await client.post("/v1/auth/login", json: ["username": "guess\(index)", "password": "Whatever#1"])
                    #expect(response.status == .unauthorized, "attempt \(index)")
                }
                let checks = hasher.verificationCount
                for username in ["guess9", "town1.admin"] {
                    let refused = try await client.post("/v1/auth/login", json: ["username": username, "password": PlatformFixture.password])
                    #expect(refused.status == .tooManyRequests)
                    #expect(try refused.json()["code"] as? String == "too_many_attempts")
                    let wait = Int(refused.headers[.retryAfter] ?? "") ?? 0
                    #expect((25...30).contains(wait), "Retry-After \(wait)")
                    #expect((try refused.json()["detail"] as? String)?.contains("秒后再试") == true)
                }
                #expect(hasher.verificationCount == checks, "a waiting address costs no bcrypt")
            }
            await hasher.shutdown()
        }
    }

    @Test("one username guessed from many addresses waits too; a success clears the username's count")
    func usernameWaits() async throws {
        let throttle = LoginThrottle(settings: Self.settings().throttle)
        // Three free failures, from three addresses.
        for index in 0..<3 {
            let ticket = try throttle.admit(address: "198.51.100.\(index)", username: "Town1.Admin")
            throttle.finish(ticket, success: false)
        }
        #expect(!throttle.isWaiting(address: "198.51.100.9", username: "town1.admin"))
        let fourth = try throttle.admit(address: "198.51.100.3", username: "town1.admin")
        throttle.finish(fourth, success: false)
        #expect(throttle.isWaiting(address: "198.51.100.9", username: "TOWN1.ADMIN"), "usernames are compared without case")
        #expect(throws: Problem.self) { try throttle.admit(address: "198.51.100.9", username: "town1.admin") }
        // Another username from the same fresh address is not held up.
        let other = try throttle.admit(address: "198.51.100.9", username: "village1a.cadre")
        throttle.finish(other, success: true)

        let fresh = LoginThrottle(settings: Self.settings().throttle)
        for _ in 0..<2 {
            fresh.finish(try fresh.admit(address: "203.0.113.1", username: "cadre"), success: false)
        }
        fresh.finish(try fresh.admit(address: "203.0.113.1", username: "cadre"), success: true)
        for _ in 0..<3 {
            fresh.finish(try fresh.admit(address: "203.0.113.2", username: "cadre"), success: false)
        }
        #expect(!fresh.isWaiting(address: "203.0.113.3", username: "cadre"), "the success cleared the earlier failures")
    }

    @Test("an address may have only a few logins in flight: a burst is refused before failures could be counted")
    func burst() throws {
        var settings = LoginThrottle.Settings()
        settings.maxInFlightPerAddress = 2
        let throttle = LoginThrottle(settings: settings)
        let first = try throttle.admit(address: "192.0.2.7", username: "a")
        let second = try throttle.admit(address: "192.0.2.7", username: "b")
        #expect(throws: Problem.self) { try throttle.admit(address: "192.0.2.7", username: "c") }
        _ = try throttle.admit(address: "192.0.2.8", username: "c")
        throttle.finish(first, success: false)
        _ = try throttle.admit(address: "192.0.2.7", username: "c")
        throttle.finish(second, success: false)
    }

    @Test("behind a trusted proxy the client is the rightmost X-Forwarded-For hop that is not a proxy; from anyone else the header is ignored")
    func trustedProxy() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let router = buildRouter(
                AppDependencies(
                    pool: database.appPool,
                    catalog: catalog,
                    hasher: TestHasher.shared,
                    vault: TestVault.shared,
                    authSettings: Self.settings(),
                    trustedProxies: ["127.0.0.1", "::1"]
                )
            )
            try await Application(router: router, logger: TestPostgres.logger).test(.live) { client in
                let forwarded = HTTPField.Name("X-Forwarded-For")!
                // The client forged the left entry; the proxy appended the real address.
                for index in 0..<5 {
                    let response = try await client.post(
                        "/v1/auth/login",
                        json: ["username": "guess\(index)", "password": "Whatever#1"],
                        headers: [forwarded: "10.9.9.9, 203.0.113.50"]
                    )
                    #expect(response.status == .unauthorized)
                }
                let held = try await client.post(
                    "/v1/auth/login",
                    json: ["username": "guess9", "password": "Whatever#1"],
                    headers: [forwarded: "10.1.1.1, 203.0.113.50"]
                )
                #expect(held.status == .tooManyRequests, "changing the forged part does not escape the wait")
                let elsewhere = try await client.post(
                    "/v1/auth/login",
                    json: ["username": "town1.admin", "password": PlatformFixture.password],
                    headers: [forwarded: "203.0.113.51"]
                )
                #expect(elsewhere.status == .ok, "another client behind the same proxy is not held up")
                let audited = try await database.pool.query(
                    """
                    select distinct client_address::text as a from audit_log where action = 'login' order by 1
                    """
                ).map { try $0.decode("a", as: String.self) }
                #expect(audited.map { $0.split(separator: "/").first.map(String.init) ?? $0 } == ["203.0.113.50", "203.0.113.51"])
            }
        }
    }

    @Test("X-Forwarded-For parsing: rightmost untrusted hop, several header lines, junk refused")
    func forwardedParsing() {
        let trusted: Set<String> = ["10.0.0.2", "10.0.0.3"]
        #expect(ClientAddressMiddleware.client(forwardedFor: ["198.51.100.1, 10.0.0.3"], trusted: trusted) == "198.51.100.1")
        #expect(ClientAddressMiddleware.client(forwardedFor: ["1.1.1.1, 198.51.100.1", "10.0.0.2"], trusted: trusted) == "198.51.100.1")
        #expect(ClientAddressMiddleware.client(forwardedFor: ["2001:db8::7"], trusted: trusted) == "2001:db8::7")
        #expect(ClientAddressMiddleware.client(forwardedFor: ["<script>"], trusted: trusted) == nil)
        #expect(ClientAddressMiddleware.client(forwardedFor: ["10.0.0.2"], trusted: trusted) == nil)
        #expect(ClientAddressMiddleware.client(forwardedFor: [], trusted: trusted) == nil)
        // A sender's hop ending in a prepended mark (U+0600) joins the proxy's comma into one Character:
        // the hops are still split, and the address the proxy appended is the client's.
        #expect(ClientAddressMiddleware.client(forwardedFor: ["1\u{600}, 198.51.100.9"], trusted: trusted) == "198.51.100.9")
        #expect(ClientAddressMiddleware.client(forwardedFor: ["１.１.１.１"], trusted: trusted) == nil, "full-width digits")
    }
}
