import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouServer
import LiushouTestSupport
import Testing

/// Checks every declared route, so a new route is covered the moment it is added.
@Suite("Every route × every role")
struct RouteAuthorizationTests {
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? UUID().uuidString.lowercased() : String($0) }
            .joined(separator: "/")
    }

    @Test("protected routes answer 401 without a token and 403 to every role that lacks their permission")
    func everyRoute() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            let router = buildRouter(dependencies)
            let entries = dependencies.routes.entries
            #expect(entries.count == router.routes.count)
            try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
                var tokens: [Role: String] = [:]
                for role in Role.allCases {
                    tokens[role] = try await client.login(fixture.username(for: role))
                }
                for entry in entries where entry.access != .open {
                    let method = HTTPRequest.Method(entry.method)!
                    let uri = Self.concrete(entry.path)
                    let anonymous = try await client.send(method, uri, json: [:])
                    #expect(anonymous.status == .unauthorized, "\(entry.method) \(entry.path) without a token")
                    guard case .permission(let permission) = entry.access else { continue }
                    for role in Role.allCases where !permission.roles.contains(role) {
                        let response = try await client.send(method, uri, json: [:], token: tokens[role])
                        #expect(response.status == .forbidden, "\(entry.method) \(entry.path) as \(role.rawValue)")
                    }
                }
            }
        }
    }

    @Test("a malformed id in any route's path answers 400, not 404 or 500")
    func malformedIDs() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            let router = buildRouter(dependencies)
            try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
                let county = try await client.login("county.admin")
                // The county admin holds nearly everything; a route it may not use (legal-aid case work) is tried
                // with a role that may.
                var tokens: [Role: String] = [:]
                for entry in dependencies.routes.entries where entry.path.contains(":") {
                    let uri = entry.path.split(separator: "/", omittingEmptySubsequences: false)
                        .map { $0.hasPrefix(":") ? "not-a-uuid" : String($0) }.joined(separator: "/")
                    var token = county
                    if case .permission(let permission) = entry.access, !permission.roles.contains(.countyAdmin),
                        let role = permission.roles.sorted().first
                    {
                        if tokens[role] == nil { tokens[role] = try await client.login(fixture.username(for: role)) }
                        token = tokens[role] ?? county
                    }
                    let response = try await client.send(HTTPRequest.Method(entry.method)!, uri, json: [:], token: token)
                    #expect(response.status == .badRequest, "\(entry.method) \(entry.path): \(response.status)")
                }
            }
        }
    }

    @Test("a declared path asked with a method nobody declared answers 405 with Allow; an undeclared path stays 404")
    func undeclaredMethods() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            let router = buildRouter(dependencies)
            try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
                let token = try await client.login("county.admin")
                var declared: [String: Set<String>] = [:]
                for entry in dependencies.routes.entries { declared[entry.path, default: []].insert(entry.method) }
                for (path, methods) in declared {
                    let uri = Self.concrete(path)
                    for method in [HTTPRequest.Method.trace, .delete, .patch] where !methods.contains(method.rawValue) {
                        let response = try await client.send(method, uri, token: token)
                        #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                        let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                        #expect(allow == methods, "\(method) \(path): Allow \(response.headers[.allow] ?? "-")")
                    }
                }
                #expect(try await client.send(.trace, "/v1/no-such-thing", token: token).status == .notFound)
                #expect(try await client.send(.get, "/v1/no-such-thing", token: token).status == .notFound)
                // A missing record on a declared route is still 404, not 405.
                #expect(try await client.send(.get, "/v1/persons/\(UUID().uuidString.lowercased())", token: token).status == .notFound)
            }
        }
    }
}
