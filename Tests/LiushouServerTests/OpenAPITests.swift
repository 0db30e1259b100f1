import Hummingbird
import HummingbirdTesting
import LiushouHTTP
import LiushouMigrations
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("GET /openapi.yaml serves the OpenAPI 3.1 document")
    func served() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                    #expect(response.text.hasPrefix("openapi: 3.1.0"))
                }
            }
        }
    }

    @Test("every route the server registers is documented, and every documented operation exists")
    func documentMatchesRouter() async throws {
        try await TestPostgres.withDatabase { database in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let router = buildRouter(AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared))
            let registered = Set(
                router.routes.map { route in
                    let path = route.path.components.map { component -> String in
                        let text = "\(component)"
                        return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                    }.joined(separator: "/")
                    return "\(route.method.rawValue) /\(path)"
                }
            )
            let documented = try OpenAPIDocument.operations()
            #expect(!registered.isEmpty)
            #expect(registered.subtracting(documented).isEmpty, "undocumented routes: \(registered.subtracting(documented).sorted())")
            #expect(documented.subtracting(registered).isEmpty, "documented but missing: \(documented.subtracting(registered).sorted())")
            // A malformed path parameter answers 400 on every route that has one (and 401 without a login, except open ones).
            let codes = try OpenAPIDocument.responseCodes()
            let withParameters = codes.filter { $0.key.contains("{") }
            #expect(withParameters.count > 50)
            let undocumented400 = withParameters.filter { !$0.value.contains(400) }.keys.sorted()
            #expect(undocumented400.isEmpty, "routes with a path parameter that do not document 400: \(undocumented400)")
            #expect(codes.values.allSatisfy { !$0.isEmpty }, "every operation documents its answers")
        }
    }
}
