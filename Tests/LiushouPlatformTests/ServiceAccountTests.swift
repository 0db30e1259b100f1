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

@Suite("Service accounts")
struct ServiceAccountTests {
    static func body(_ fixture: PlatformFixture, unit: OrgUnit? = nil, role: String = "clinic_staff") -> [String: Any] {
        let target = unit ?? fixture.clinic1
        return [
            "username": "clinic1.his", "displayName": "卫生院HIS", "homeUnitId": target.idString,
            "grants": [["role": role, "unitId": target.idString]], "tokenLabel": "HIS upload",
        ]
    }

    @Test("a town admin creates a service account; its token works, is stored hashed, and dies when revoked")
    func lifecycle() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let created = try await client.post("/v1/service-accounts", json: Self.body(fixture), token: admin)
                #expect(created.status == .created)
                let issuedFirst = try created.decode(IssuedToken.self)
                let token = issuedFirst.token
                let tokenID = issuedFirst.tokenId.uuidString.lowercased()
                let accountID = issuedFirst.account.id.uuidString.lowercased()
                #expect(token.hasPrefix("lsk_"))
                let me = try await client.send(.get, "/v1/auth/me", token: token)
                #expect(try me.json()["kind"] as? String == "service")
                #expect(try await client.send(.get, "/v1/units/\(fixture.clinic1.idString)", token: token).status == .ok)
                #expect(try await client.send(.get, "/v1/units/\(fixture.town2.idString)", token: token).status == .notFound)
                let stored = try await database.pool.query("select token_hash from credential where kind = 'api_token'")
                #expect(try stored.first?.decode("token_hash", as: Data.self) == BearerToken.hash(token))
                let again = try await client.post("/v1/service-accounts", json: Self.body(fixture), token: admin)
                #expect(again.status == .conflict)
                let rotated = try await client.post("/v1/service-accounts/\(accountID)/tokens", json: ["label": "rotation"], token: admin)
                #expect(rotated.status == .created)
                let second = try #require(try rotated.json()["token"] as? String)
                // Under an Idempotency-Key a retry after a lost answer mints no second credential: it is told the
                // token exists, by id, to revoke it and issue a new one.
                let keyed = try await client.post(
                    "/v1/service-accounts/\(accountID)/tokens",
                    json: ["label": "keyed"],
                    token: admin,
                    headers: [.idempotencyKey: "rotate-2026-12"]
                )
                #expect(keyed.status == .created, "\(keyed.text)")
                let keyedID = try #require(try keyed.json()["tokenId"] as? String).lowercased()
                let retried = try await client.post(
                    "/v1/service-accounts/\(accountID)/tokens",
                    json: ["label": "keyed"],
                    token: admin,
                    headers: [.idempotencyKey: "rotate-2026-12"]
                )
                #expect(retried.status == .conflict && retried.text.contains("token_already_issued") && retried.text.contains(keyedID))
                let live = try await database.pool.query("select count(*) as n from credential where kind = 'api_token' and label = 'keyed'")
                #expect(try live.first?.decode("n", as: Int.self) == 1)
                let revoke = try await client.post("/v1/service-accounts/\(accountID)/tokens/\(tokenID)/revoke", json: [:], token: admin)
                #expect(revoke.status == .noContent)
                #expect(try await client.send(.get, "/v1/auth/me", token: token).status == .unauthorized)
                #expect(try await client.send(.get, "/v1/auth/me", token: second).status == .ok)
                let login = try await client.post("/v1/auth/login", json: ["username": "clinic1.his", "password": "Anything#1"])
                #expect(login.status == .unauthorized)
            }
        }
    }

    @Test("service accounts follow the same grant limits; other roles are refused")
    func limits() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let admin = try await client.login("town1.admin")
                let outside = try await client.post("/v1/service-accounts", json: Self.body(fixture, unit: fixture.town2), token: admin)
                #expect(outside.status == .unprocessableContent)
                let escalate = try await client.post("/v1/service-accounts", json: Self.body(fixture, role: "town_admin"), token: admin)
                #expect(escalate.status == .unprocessableContent)
                var past = Self.body(fixture)
                past["tokenExpiresAt"] = "2020-01-01T00:00:00Z"
                #expect(try await client.post("/v1/service-accounts", json: past, token: admin).status == .unprocessableContent)
                // A label of a megabyte, an expiry in year 9999: refused naming the field; no expiry means a year.
                var longLabel = Self.body(fixture)
                longLabel["tokenLabel"] = String(repeating: "标", count: 101)
                let labelRefused = try await client.post("/v1/service-accounts", json: longLabel, token: admin)
                #expect(labelRefused.status == .unprocessableContent)
                #expect(((try labelRefused.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "tokenLabel")
                var forever = Self.body(fixture)
                forever["tokenExpiresAt"] = "2099-01-01T00:00:00Z"
                let foreverRefused = try await client.post("/v1/service-accounts", json: forever, token: admin)
                #expect(foreverRefused.status == .unprocessableContent)
                #expect(((try foreverRefused.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "tokenExpiresAt")
                let ordinary = try await client.post("/v1/service-accounts", json: Self.body(fixture), token: admin)
                #expect(ordinary.status == .created)
                let issued = try ordinary.decode(IssuedToken.self)
                let expiry = try #require(issued.expiresAt)
                #expect(abs(expiry.timeIntervalSinceNow - 365 * 86_400) < 3_600)
                let accountID = issued.account.id.uuidString.lowercased()
                let pastToken = try await client.post(
                    "/v1/service-accounts/\(accountID)/tokens",
                    json: ["expiresAt": "2020-01-01T00:00:00Z"],
                    token: admin
                )
                #expect(pastToken.status == .unprocessableContent)
                #expect(((try pastToken.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "expiresAt")
                let clinic = try await client.login("clinic1.doctor")
                #expect(try await client.post("/v1/service-accounts", json: Self.body(fixture), token: clinic).status == .forbidden)
                #expect(try await client.post("/v1/service-accounts", json: Self.body(fixture)).status == .unauthorized)
                let unknown = UUID().uuidString
                #expect(try await client.post("/v1/service-accounts/\(unknown)/tokens", json: [:], token: admin).status == .notFound)

                // Administration and the audit log need a person: not even the county admin may give
                // them to a service account, at creation or later.
                let county = try await client.login("county.admin")
                for role in ["county_admin", "town_admin", "auditor"] {
                    let refused = try await client.post(
                        "/v1/service-accounts",
                        json: Self.body(fixture, unit: fixture.county, role: role),
                        token: county
                    )
                    #expect(refused.status == .unprocessableContent, "\(role): \(refused.text)")
                    #expect(((try refused.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "grants[0].role")
                    let granted = try await client.post(
                        "/v1/users/\(accountID)/grants",
                        json: ["role": role, "unitId": fixture.town1.idString],
                        token: county
                    )
                    #expect(granted.status == .unprocessableContent, "\(role): \(granted.text)")
                }
                let reliefGrant = try await client.post(
                    "/v1/users/\(accountID)/grants",
                    json: ["role": "relief_officer", "unitId": fixture.town1.idString],
                    token: county
                )
                #expect(reliefGrant.status == .ok, "\(reliefGrant.text)")
            }
        }
    }
}

/// What issuing a service token answers (the parts these tests read).
private struct IssuedToken: Decodable {
    struct Account: Decodable {
        var id: UUID
    }

    var account: Account
    var tokenId: UUID
    var token: String
    var expiresAt: Date?
}
