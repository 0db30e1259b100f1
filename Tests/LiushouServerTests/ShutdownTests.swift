import Foundation
import Hummingbird
import LiushouHTTP
import LiushouMigrations
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("graceful shutdown drains an in-flight request, then closes the pool")
    func drainsThenClosesPool() async throws {
        try await TestPostgres.withDatabase { database in
            let pool = PostgresConnectionPool(configuration: .init(conninfo: database.appURL, maxConnections: 2), logger: TestPostgres.logger)
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let router = buildRouter(AppDependencies(pool: pool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared))
            let inFlight = Mutex(false)
            router.get("test/slow") { _, _ -> String in
                inFlight.withLock { $0 = true }
                try await pool.query("select pg_sleep(0.6)")
                return "finished"
            }
            let port = Mutex<Int?>(nil)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                services: [pool],
                onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
                logger: TestPostgres.logger
            )
            let group = ServiceGroup(configuration: .init(services: [app], logger: TestPostgres.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var boundPort: Int? = nil
                for _ in 0..<200 where boundPort == nil {
                    try await Task.sleep(for: .milliseconds(10))
                    boundPort = port.withLock { $0 }
                }
                let listening = try #require(boundPort)
                let url = try #require(URL(string: "http://127.0.0.1:\(listening)/test/slow"))
                async let response = URLSession.shared.data(from: url)
                // Shut down only once the request is inside its handler: the test is about draining it.
                for _ in 0..<500 where !inFlight.withLock({ $0 }) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(inFlight.withLock { $0 })
                await group.triggerGracefulShutdown()
                let (data, meta) = try await response
                #expect((meta as? HTTPURLResponse)?.statusCode == 200)
                #expect(String(decoding: data, as: UTF8.self) == "finished")
                try await tasks.waitForAll()
            }
            #expect(pool.statistics.open == 0)
            await #expect(throws: DatabaseError.poolClosed) { try await pool.query("select 1") }
        }
    }
}
