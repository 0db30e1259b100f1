import Foundation
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Row-level security")
struct RowLevelSecurityTests {
    @Test("an unscoped select * inside a village user's transaction returns only that village's rows")
    func villageProbe() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let caller = Caller(
                accountID: UUID(),
                name: "probe",
                kind: .user,
                grants: [Grant(role: .villageCadre, unitID: fixture.village1a.id, unitPath: fixture.village1a.path)],
                credentialID: UUID()
            )
            let tenantDatabase = TenantDatabase(pool: database.appPool)
            let (units, accounts) = try await tenantDatabase.transaction(for: caller) { transaction in
                let units = try await transaction.query("select * from org_unit").map { try $0.decode("id", as: UUID.self) }
                let accounts = try await transaction.query("select * from account").map { try $0.decode("username", as: String.self) }
                return (units, accounts)
            }
            #expect(Set(units) == [fixture.village1a.id, fixture.grid1a.id])
            #expect(Set(accounts) == ["village1a.cadre", "village1a.volunteer", "grid1a.worker"])
            let total = try await database.pool.query("select count(*) as n from org_unit")
            #expect(try total.first?.decode("n", as: Int.self) == 9)
        }
    }

    @Test("with no scope the application role sees no tenant rows and cannot write any")
    func noScope() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let counts = try await database.appPool.query(
                """
                select (select count(*) from org_unit) as units, (select count(*) from account) as accounts,
                       (select count(*) from role_grant) as grants, (select count(*) from credential) as credentials
                """
            ).first
            let (units, accounts, grants, credentials) = try #require(try counts?.decode((Int, Int, Int, Int).self))
            #expect(units + accounts + grants + credentials == 0)
            await #expect(throws: DatabaseError.self) {
                try await database.appPool.query(
                    """
                    insert into org_unit (id, kind, name, code, parent_id, path)
                    values (\(UUID()), 'village', 'x', '341122100099', \(fixture.town1.id), \(fixture.town1.path + ".ux")::ltree)
                    """
                )
            }
        }
    }

    @Test("the application role cannot change or delete audit rows, and cannot bypass RLS")
    func appRoleLimits() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let role = try await database.appPool.query("select rolsuper, rolbypassrls from pg_roles where rolname = current_user").first
            let (superuser, bypass) = try #require(try role?.decode((Bool, Bool).self))
            #expect(!superuser && !bypass)
            await #expect(throws: DatabaseError.self) { try await database.appPool.query("update audit_log set action = 'x'") }
            await #expect(throws: DatabaseError.self) { try await database.appPool.query("delete from audit_log") }
            await #expect(throws: DatabaseError.self) { try await database.appPool.query("delete from org_unit") }
        }
    }

    @Test("the own-account functions act only on the account the transaction names")
    func ownAccountFunctions() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let victim = try await database.pool.query("select id, password_hash from account where username = 'county.admin'").first!
            let (id, hash) = try victim.decode((UUID, String).self)
            try await database.appPool.query("select auth_set_own_password(\(id), \(UUID()), 'attacker-hash')")
            let after = try await database.pool.query("select password_hash from account where id = \(id)")
            #expect(try after.first?.decode("password_hash", as: String.self) == hash)
        }
    }
}
