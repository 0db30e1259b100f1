import Foundation
import LiushouAccess
import LiushouPostgres

/// Seeds a demo county (a town, two villages with grids, a school, a clinic, one user per role)
/// for `liushou serve --demo`. Runs once per database; later starts find it and seed nothing.
public struct DemoSeeder: Sendable {
    /// The 统计用区划代码 of the demo county.
    public static let countyCode = "341122000000"

    let seeder: PlatformSeeder
    let owner: PostgresConnectionPool

    /// A seeder writing through the owner role.
    public init(owner: PostgresConnectionPool, hasher: PasswordHasher) {
        self.owner = owner
        self.seeder = PlatformSeeder(owner: owner, hasher: hasher)
    }

    /// Seeds the demo unless present; returns the logins created (username, role), all with `password`.
    public func seedIfMissing(password: String) async throws -> [(username: String, role: Role)] {
        let present = try await self.owner.query("select 1 from org_unit where code = \(Self.countyCode)")
        guard present.isEmpty else { return [] }
        let county = try await self.seeder.unit(.county, name: "示范县", code: Self.countyCode)
        let town = try await self.seeder.unit(.town, name: "城关镇", code: "341122100000", parent: county)
        let east = try await self.seeder.unit(.village, name: "东村", code: "341122100001", parent: town)
        let west = try await self.seeder.unit(.village, name: "西村", code: "341122100002", parent: town)
        let eastGrid = try await self.seeder.unit(.grid, name: "东村一组", parent: east)
        _ = try await self.seeder.unit(.grid, name: "西村一组", parent: west)
        let school = try await self.seeder.unit(.school, name: "城关镇中心小学", parent: town)
        let clinic = try await self.seeder.unit(.clinic, name: "城关镇卫生院", parent: town)
        for village in [east, west] {
            try await self.owner.query("insert into clinic_service_area (clinic_id, village_id) values (\(clinic.id), \(village.id))")
        }
        let logins: [(String, Role, OrgUnit)] = [
            ("demo.county", .countyAdmin, county), ("demo.town", .townAdmin, town), ("demo.supervisor", .childWelfareSupervisor, town),
            ("demo.cadre", .villageCadre, east), ("demo.grid", .gridWorker, eastGrid), ("demo.volunteer", .volunteer, east),
            ("demo.teacher", .schoolStaff, school), ("demo.clinic", .clinicStaff, clinic), ("demo.relief", .reliefOfficer, town),
            ("demo.legal", .legalAidOfficer, town), ("demo.auditor", .auditor, county),
        ]
        for (username, role, unit) in logins {
            try await self.seeder.user(username, password: password, home: unit, grants: [(role, unit)])
        }
        return logins.map { ($0.0, $0.1) }
    }

    /// A random password that satisfies the policy.
    public static func generatePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdefghjkmnpqrstuvwxyz")
        let body = (0..<8).map { _ in String(letters[Int.random(in: 0..<letters.count, using: &generator)]) }.joined()
        return "Demo-" + body.prefix(4).uppercased() + body.suffix(4) + String(Int.random(in: 10...99, using: &generator))
    }
}
