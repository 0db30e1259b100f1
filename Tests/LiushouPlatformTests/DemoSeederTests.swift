import LiushouAPITestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Demo county")
struct DemoSeederTests {
    @Test("the demo seeds one login per role once, and every login works")
    func seedsOnce() async throws {
        try await TestPostgres.withDatabase { database in
            let password = DemoSeeder.generatePassword()
            #expect(PasswordPolicy.problems(with: password).isEmpty)
            let seeder = DemoSeeder(owner: database.pool, hasher: TestHasher.shared)
            let logins = try await seeder.seedIfMissing(password: password)
            #expect(Set(logins.map(\.role)) == Set(Role.allCases))
            #expect(try await seeder.seedIfMissing(password: password).isEmpty)
            let units = try await database.pool.query("select kind, count(*) as n from org_unit group by kind order by kind")
            let counts = Dictionary(uniqueKeysWithValues: try units.map { (try $0.decode("kind", as: String.self), try $0.decode("n", as: Int.self)) })
            #expect(counts == ["county": 1, "town": 1, "village": 2, "grid": 2, "school": 1, "clinic": 1])
            try await PlatformApp.make(database).test(.router) { client in
                for login in logins {
                    let me = try await client.send(.get, "/v1/auth/me", token: try await client.login(login.username, password: password))
                    #expect((try me.json()["grants"] as? [[String: Any]])?.first?["role"] as? String == login.role.rawValue)
                }
            }
        }
    }
}
