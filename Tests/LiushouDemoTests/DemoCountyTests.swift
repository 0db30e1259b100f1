import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouDemo
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Demo county")
struct DemoCountyTests {
    static let password = "Demo-ABCDwxyz42"

    /// Seeds `database` through its own router; answers the logins and the row counts per table.
    static func seed(_ database: TestDatabase, householdsPerVillage: Int = 100) async throws -> (logins: [DemoLogin], counts: [String: Int]) {
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
        let router = buildRouter(AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared))
        let api = DemoAPI(responder: router.buildResponder(), logger: TestPostgres.logger)
        let seeder = DemoSeeder(owner: database.pool, hasher: TestHasher.shared, api: api, householdsPerVillage: householdsPerVillage) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let logins = try await seeder.seedIfMissing(password: Self.password)
        #expect(try await seeder.seedIfMissing(password: Self.password).isEmpty, "a second run seeds nothing")
        var counts: [String: Int] = [:]
        for table in [
            "org_unit", "account", "household", "person", "door_check", "follow_up", "safeguarding_report", "volunteer", "pairing",
            "checkup", "relief_case", "legal_case", "school_enrolment", "dashboard_snapshot",
        ] {
            counts[table] =
                try await database.pool.query("select count(*)::int as n from \(identifier: table)").first?.decode("n", as: Int.self) ?? -1
        }
        return (logins, counts)
    }

    @Test("the seeded town shows every indicator with a denominator, every list non-empty, a 12-week trend")
    func livingTown() async throws {
        try await TestPostgres.withDatabase { database in
            let (logins, counts) = try await Self.seed(database)
            #expect(Set(logins.map(\.role)) == Set(Role.allCases))
            #expect((1_700...2_400).contains(counts["person"] ?? 0), "\(counts)")
            try await PlatformApp.make(database).test(.router) { client in
                let town = try await client.login("demo.town", password: Self.password)
                let townID = try await database.pool.query("select id from org_unit where code = '341122100000'").first!.decode("id", as: UUID.self)
                let unit = townID.uuidString.lowercased()
                let dashboard = try await client.send(.get, "/v1/dashboard?unitId=\(unit)", token: town)
                #expect(dashboard.status == .ok, "\(dashboard.text)")
                let rows = (try dashboard.json()["rows"] as? [[String: Any]]) ?? []
                let indicators = (rows.first?["indicators"] as? [[String: Any]]) ?? []
                #expect(indicators.count >= 12)
                for indicator in indicators {
                    #expect((indicator["denominator"] as? Int ?? 0) > 0, "\(indicator["key"] ?? "?") has no denominator")
                }
                for path in ["/v1/overdue?unitId=\(unit)", "/v1/follow-ups", "/v1/relief/overdue?unitId=\(unit)"] {
                    let list = try await client.send(.get, path, token: town)
                    #expect(!((try list.json()["items"] as? [Any]) ?? []).isEmpty, "\(path): \(list.text.prefix(300))")
                }
                let supervisor = try await client.login("demo.supervisor", password: Self.password)
                let reports = try await client.send(.get, "/v1/safeguarding-reports", token: supervisor)
                #expect(!((try reports.json()["items"] as? [Any]) ?? []).isEmpty)
                let legal = try await client.login("demo.legal", password: Self.password)
                let late = try await client.send(.get, "/v1/legal-aid/overdue?unitId=\(unit)", token: legal)
                #expect(!((try late.json()["items"] as? [Any]) ?? []).isEmpty, "\(late.text.prefix(300))")
                let trend = try await client.send(.get, "/v1/dashboard/trend?unitId=\(unit)&weeks=12", token: town)
                #expect(((try trend.json()["weeks"] as? [Any]) ?? []).count >= 8, "\(trend.text.prefix(300))")
            }
        }
    }

    /// A smaller county (the same code paths) keeps the suite's load down; the counts are compared whole.
    @Test("the same seed gives the same counts on two fresh databases")
    func deterministic() async throws {
        let first = try await TestPostgres.withDatabase { database in try await Self.seed(database, householdsPerVillage: 25).counts }
        let second = try await TestPostgres.withDatabase { database in try await Self.seed(database, householdsPerVillage: 25).counts }
        #expect((first["person"] ?? 0) > 300, "\(first)")
        #expect(first == second)
    }

    /// Every demo account (every role, volunteers with their pairings): the people its transactions
    /// see are those `liushou_person_visible` admits under the same settings, read as the owner.
    @Test("each demo account sees exactly the people liushou_person_visible admits, assignees included")
    func personPolicyMatchesItsFunction() async throws {
        try await TestPostgres.withDatabase { database in
            let (logins, _) = try await Self.seed(database, householdsPerVillage: 25)
            // One pairing ended an hour ago, another starts tomorrow: the policy must refuse both, as the function does.
            try await database.pool.query(
                """
                update person_assignment set ended_at = now() - interval '1 hour'
                where id = (select id from person_assignment where ended_at is null order by id limit 1)
                """
            )
            try await database.pool.query(
                """
                update person_assignment set started_at = now() + interval '1 day'
                where id = (select id from person_assignment where ended_at is null order by id limit 1)
                """
            )
            var throughAssignments = 0
            for login in logins {
                let grants = try await database.pool.query(
                    """
                    select a.id, g.role, g.unit_id, u.path::text as path
                    from account a join role_grant g on g.account_id = a.id and g.revoked_at is null
                    join org_unit u on u.id = g.unit_id and u.active
                    where a.username = \(login.username) and a.disabled_at is null
                    """
                )
                let account = try #require(try grants.first?.decode("id", as: UUID.self), "\(login.username)")
                let caller = Caller(
                    accountID: account,
                    name: login.username,
                    kind: .user,
                    grants: try grants.compactMap { row in
                        guard let role = Role(rawValue: try row.decode("role")) else { return nil }
                        return Grant(role: role, unitID: try row.decode("unit_id"), unitPath: try row.decode("path"))
                    },
                    credentialID: UUID()
                )
                let settings = TenantDatabase.scopeSettings(for: caller)
                let seen = try await database.appPool.withTransaction(settings: settings) { transaction in
                    try await transaction.query("select id from person order by id").map { try $0.decode("id", as: UUID.self) }
                }
                let admitted = try await database.pool.withTransaction(settings: settings) { transaction in
                    try await transaction.query(
                        "select id from person p where liushou_person_visible(p.id, p.unit_id, p.village_id, p.school_id) order by id"
                    ).map { try $0.decode("id", as: UUID.self) }
                }
                #expect(seen == admitted, "\(login.username): \(seen.count) seen, \(admitted.count) admitted")
                if login.role == .volunteer { throughAssignments += seen.count }
            }
            #expect(throughAssignments > 0, "a volunteer sees the people paired with them")
        }
    }
}
