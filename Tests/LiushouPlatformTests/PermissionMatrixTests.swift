import Foundation
import Hummingbird
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouMigrations
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Permission matrix and masking")
struct PermissionMatrixTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/permissions.md")

    @Test("docs/permissions.md matches the roles, permissions and routes declared in code")
    func documentIsCurrent() async throws {
        try await TestPostgres.withDatabase { database in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            _ = buildRouter(dependencies)
            let routes = dependencies.routes.entries.map {
                PermissionMatrix.Route(method: $0.method, path: $0.path, requirement: $0.access.description)
            }
            #expect(routes.count >= 20)
            let generated = PermissionMatrix.markdown(routes: routes)
            if ProcessInfo.processInfo.environment["LIUSHOU_WRITE_DOCS"] == "1" {
                try generated.write(to: Self.documentURL, atomically: true, encoding: .utf8)
            }
            let committed = try String(contentsOf: Self.documentURL, encoding: .utf8)
            #expect(committed == generated, "docs/permissions.md is stale: regenerate it with LIUSHOU_WRITE_DOCS=1")
        }
    }

    @Test(
        "every protected route declares a permission or authentication; only probes and login are open (pages are the web module's files, not routes)"
    )
    func routesDeclareAccess() async throws {
        try await TestPostgres.withDatabase { database in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            let router = buildRouter(dependencies)
            let open = Set(dependencies.routes.entries.filter { $0.access == .open }.map { "\($0.method) \($0.path)" })
            // The dashboard page is static HTML: its data come from the protected API with the user's token.
            #expect(open == ["GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml", "POST /v1/auth/login"])
            #expect(dependencies.routes.entries.count == router.routes.count, "a route was added without declaring its access")
        }
    }

    @Test("ID numbers show first 6 and last 4; phones 3 + 4")
    func masking() {
        #expect(Masking.idNumber("11010519491231002X") == "110105********002X")
        #expect(Masking.phone("13812345678") == "138****5678")
        #expect(Masking.phone("0564-4552466") == "0564-*****66")
        #expect(Masking.phone("010-12345678") == "010-******78")
        // Only an area code stays before a dash: a mobile with an extension is masked as a whole.
        #expect(Masking.phone("13812345678-1") == "*********78-1")
        #expect(Masking.phone("+86 138-12345678") == "************5678")
        #expect(Masking.idNumber("123") == "***")
    }
}
