import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouTestSupport
import Testing

@Suite("Account list")
struct UserListTests {
    private static func usernames(_ response: TestResponse) throws -> [String] {
        ((try response.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["username"] as? String }
    }

    @Test("administrators list the accounts homed in their scope, by username, filtered and paged; others see none of them")
    func scope() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            try await seeder.user("town2.admin", password: PlatformFixture.password, home: fixture.town2, grants: [(.townAdmin, fixture.town2)])
            try await seeder.user(
                "village2a.cadre",
                password: PlatformFixture.password,
                home: fixture.village2a,
                grants: [(.villageCadre, fixture.village2a)]
            )
            try await PlatformApp.make(database).test(.router) { client in
                let town1 = try await client.login("town1.admin")
                let all = try await client.send(.get, "/v1/users?limit=200", token: town1)
                #expect(all.status == .ok, "\(all.text)")
                let mine = try Self.usernames(all)
                let expected = fixture.users.filter { Caller.path($0.2.path, isInside: fixture.town1.path) }.map(\.0).sorted()
                #expect(mine == expected, "town 1 sees exactly the accounts homed in town 1, in username order")
                #expect(!mine.contains("village2a.cadre") && !mine.contains("town2.admin") && !mine.contains("county.admin"))
                let first = try ((all.json()["items"] as? [[String: Any]]) ?? []).first
                #expect(first?["grants"] as? [Any] != nil && first?["passwordHash"] == nil)

                // Pages follow the username cursor and join up to the whole list.
                var seen: [String] = []
                var cursor: String? = nil
                repeat {
                    let page = try await client.send(.get, "/v1/users?limit=3" + (cursor.map { "&after=\($0)" } ?? ""), token: town1)
                    #expect(page.status == .ok)
                    seen += try Self.usernames(page)
                    cursor = try page.json()["nextCursor"] as? String
                } while cursor != nil && seen.count < 50
                #expect(seen == expected)

                // Filters: a part of the name (LIKE wildcards taken literally), a unit, a kind.
                #expect(try Self.usernames(await client.send(.get, "/v1/users?q=CADRE", token: town1)) == ["village1a.cadre"])
                #expect(try Self.usernames(await client.send(.get, "/v1/users?q=%25", token: town1)).isEmpty)
                #expect(try Self.usernames(await client.send(.get, "/v1/users?q=_", token: town1)).isEmpty)
                let village = try Self.usernames(await client.send(.get, "/v1/users?unitId=\(fixture.village1a.idString)", token: town1))
                #expect(village == ["grid1a.worker", "village1a.cadre", "village1a.volunteer"])
                #expect(try Self.usernames(await client.send(.get, "/v1/users?kind=service", token: town1)).isEmpty)
                // Another town's unit named as a filter shows nothing (not an error that tells it exists).
                let other = try await client.send(.get, "/v1/users?unitId=\(fixture.village2a.idString)", token: town1)
                #expect(other.status == .ok)
                #expect(try Self.usernames(other).isEmpty)

                let town2 = try await client.login("town2.admin")
                #expect(try Self.usernames(await client.send(.get, "/v1/users", token: town2)) == ["town2.admin", "village2a.cadre"])
                let county = try await client.login("county.admin")
                #expect(try Self.usernames(await client.send(.get, "/v1/users?limit=200", token: county)).count == fixture.users.count + 2)

                #expect(try await client.send(.get, "/v1/users", token: try await client.login("village1a.cadre")).status == .forbidden)
                #expect(try await client.send(.get, "/v1/users").status == .unauthorized)
                let bad = try await client.send(.get, "/v1/users?limit=0&kind=robot&unitId=x&after=", token: town1)
                #expect(bad.status == .unprocessableContent)
                let fields = (try bad.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(Set(fields) == ["limit", "kind", "unitId", "after"])
            }
        }
    }
}
