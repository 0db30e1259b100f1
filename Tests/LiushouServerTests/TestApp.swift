import Foundation
import Hummingbird
import LiushouHTTP
import HummingbirdTesting
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
