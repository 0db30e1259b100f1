import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

@Suite("Identifier disclosure")
struct IdentifierDisclosureTests {
    struct Card: Encodable {
        var idNumber: String?
        var phone: String?
    }

    @Test("numbers are masked unless an allowed role asks with a reason, and every reveal is audited")
    func reveal() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            let router = buildRouter(dependencies)
            let village = fixture.village1a
            SecuredRoutes(router: router, catalog: dependencies.routes).on(.get, "/test/card", .authenticated) { request, context, caller in
                let disclosure = try IdentifierDisclosure(request: request)
                return try await dependencies.database.transaction(for: caller) { transaction in
                    let revealed = try await disclosure.authorize(
                        caller: caller,
                        unitID: village.id,
                        unitPath: village.path,
                        resource: "person",
                        recordID: "p1",
                        context: context,
                        transaction: transaction
                    )
                    return try JSONResponse(
                        Card(
                            idNumber: disclosure.idNumber("11010519491231002X", revealed: revealed),
                            phone: disclosure.phone("13812345678", revealed: revealed)
                        )
                    )
                }
            }
            try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let masked = try await client.send(.get, "/test/card", token: cadre)
                #expect(masked.text == #"{"idNumber":"110105********002X","phone":"138****5678"}"#)
                let noReason = try await client.send(.get, "/test/card?reveal=identifiers", token: cadre)
                #expect(noReason.status == .unprocessableContent)
                let shown = try await client.send(.get, "/test/card?reveal=identifiers&reason=%E7%9B%91%E6%8A%A4%E7%A1%AE%E8%AE%A4", token: cadre)
                #expect(shown.text == #"{"idNumber":"11010519491231002X","phone":"13812345678"}"#)
                let worker = try await client.login("grid1a.worker")
                let refused = try await client.send(.get, "/test/card?reveal=identifiers&reason=curious%20only", token: worker)
                #expect(refused.status == .forbidden)
                let audit = try await database.pool.query("select detail->>'reason' as reason from audit_log where action = 'identifiers.reveal'")
                #expect(try audit.map { try $0.decode("reason", as: String.self) } == ["监护确认"])
            }
        }
    }
}
