import Foundation
import Hummingbird
import HummingbirdTesting
import LiushouHTTP
import LiushouMigrations
import LiushouServer
import LiushouTestSupport
import Logging

/// Builds the production router on a test database, optionally with extra test-only routes.
enum TestApp {
    static func make(
        _ database: TestDatabase,
        extraRoutes: (Router<AppRequestContext>) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
        let router = buildRouter(AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared))
        extraRoutes(router)
        return Application(router: router, logger: TestPostgres.logger)
    }
}

/// `/readyz` asked until `done` holds for its answer (status and body), at most 20 times half a
/// second apart: with the whole suite running at once a probe may miss its 1 s deadline and
/// answer 503 "did not answer", which is right of the server but not what the test is about.
func pollReadiness(
    _ client: some TestClientProtocol,
    until done: (HTTPResponse.Status, [String: Any]) -> Bool
) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
    var last: (status: HTTPResponse.Status, body: [String: Any]) = (.serviceUnavailable, [:])
    for attempt in 0..<20 {
        if attempt > 0 { try await Task.sleep(for: .milliseconds(500)) }
        last = try await client.execute(uri: "/readyz", method: .get) { response throws in
            (response.status, try response.json())
        }
        if done(last.status, last.body) { break }
    }
    return last
}

extension TestResponse {
    /// The body as a string.
    var text: String { String(buffer: self.body) }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(self.body.readableBytesView))
        guard let dictionary = object as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        return dictionary
    }
}
