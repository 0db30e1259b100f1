import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAccess
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import NIOCore

/// A county with two towns, villages, a grid, a school and a clinic, and one user per role.
public struct PlatformFixture: Sendable {
    public static let password = "Liushou#2026"

    public let county: OrgUnit
    public let town1: OrgUnit
    public let town2: OrgUnit
    public let village1a: OrgUnit
    public let village1b: OrgUnit
    public let village2a: OrgUnit
    public let grid1a: OrgUnit
    public let school1: OrgUnit
    public let clinic1: OrgUnit

    public static func seed(_ database: TestDatabase) async throws -> PlatformFixture {
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        let county = try await seeder.unit(.county, name: "示范县", code: "341122000000")
        let town1 = try await seeder.unit(.town, name: "一乡", code: "341122100000", parent: county)
        let town2 = try await seeder.unit(.town, name: "二乡", code: "341122101000", parent: county)
        let village1a = try await seeder.unit(.village, name: "甲村", code: "341122100001", parent: town1)
        let village1b = try await seeder.unit(.village, name: "乙村", code: "341122100002", parent: town1)
        let village2a = try await seeder.unit(.village, name: "丙村", code: "341122101001", parent: town2)
        let grid1a = try await seeder.unit(.grid, name: "甲村一组", parent: village1a)
        let school1 = try await seeder.unit(.school, name: "一乡中心小学", parent: town1)
        let clinic1 = try await seeder.unit(.clinic, name: "一乡卫生院", parent: town1)
        let fixture = PlatformFixture(
            county: county,
            town1: town1,
            town2: town2,
            village1a: village1a,
            village1b: village1b,
            village2a: village2a,
            grid1a: grid1a,
            school1: school1,
            clinic1: clinic1
        )
        for (username, role, unit) in fixture.users {
            try await seeder.user(username, password: Self.password, home: unit, grants: [(role, unit)])
        }
        return fixture
    }

    /// One user per role, each granted on a typical unit.
    public var users: [(String, Role, OrgUnit)] {
        [
            ("county.admin", .countyAdmin, self.county),
            ("town1.admin", .townAdmin, self.town1),
            ("town1.supervisor", .childWelfareSupervisor, self.town1),
            ("village1a.cadre", .villageCadre, self.village1a),
            ("grid1a.worker", .gridWorker, self.grid1a),
            ("village1a.volunteer", .volunteer, self.village1a),
            ("school1.teacher", .schoolStaff, self.school1),
            ("clinic1.doctor", .clinicStaff, self.clinic1),
            ("town1.relief", .reliefOfficer, self.town1),
            ("town1.legal", .legalAidOfficer, self.town1),
            ("county.auditor", .auditor, self.county),
        ]
    }

    /// The username holding `role` in the fixture.
    public func username(for role: Role) -> String {
        self.users.first { $0.1 == role }!.0
    }
}

/// Builds the production router on the test database with chosen auth settings.
public enum PlatformApp {
    public static func make(
        _ database: TestDatabase,
        settings: AuthSettings = AuthSettings(),
        hasher: PasswordHasher = TestHasher.shared,
        vault: IdentifierVault = TestVault.shared
    ) throws -> some ApplicationProtocol {
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
        let router = buildRouter(AppDependencies(pool: database.appPool, catalog: catalog, hasher: hasher, vault: vault, authSettings: settings))
        return Application(router: router, logger: TestPostgres.logger)
    }
}

extension TestClientProtocol {
    /// Logs in and returns the bearer token (fails the test when login fails).
    public func login(_ username: String, password: String = PlatformFixture.password) async throws -> String {
        let response = try await self.post("/v1/auth/login", json: ["username": username, "password": password])
        guard response.status == .ok, let token = try response.json()["token"] as? String else {
            throw FixtureError.loginFailed(username, response.status.code)
        }
        return token
    }

    public func post(_ uri: String, json: [String: Any], token: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await self.send(.post, uri, json: json, token: token, headers: headers)
    }

    public func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: [String: Any]? = nil,
        token: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer? = nil
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        return try await self.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }
}

extension TestClientProtocol {
    /// Sends a raw body (CSV uploads).
    public func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        body: Data,
        contentType: String,
        token: String?,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = contentType
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await self.executeRequest(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// Why a fixture step failed.
public enum FixtureError: Error {
    case loginFailed(String, Int)
    case noSuchAccount(String)
}

extension PlatformFixture {
    /// `username` as the server sees them after sign-in, holding `role` at `unit`: for calling a
    /// service or the database as that user without going through HTTP.
    public static func caller(_ username: String, _ role: Role, at unit: OrgUnit, in database: TestDatabase) async throws -> Caller {
        guard let account = try await database.pool.query("select id from account where username = \(username)").first else {
            throw FixtureError.noSuchAccount(username)
        }
        return Caller(
            accountID: try account.decode("id", as: UUID.self),
            name: username,
            kind: .user,
            grants: [Grant(role: role, unitID: unit.id, unitPath: unit.path)],
            credentialID: UUID()
        )
    }
}

extension TestResponse {
    public var text: String { String(buffer: self.body) }

    /// The `ETag` header.
    public var etag: String? { self.headers[.eTag] }

    /// The body decoded as `type` (times as the API writes them: RFC 3339).
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Date.requestDecodingStrategy
        return try decoder.decode(Value.self, from: Data(self.body.readableBytesView))
    }

    public func json() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(self.body.readableBytesView)) as? [String: Any]) ?? [:]
    }
}

extension OrgUnit {
    public var idString: String { self.id.uuidString.lowercased() }
}
