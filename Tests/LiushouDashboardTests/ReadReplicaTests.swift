import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

/// `--read-database-url`: the dashboard and report reads go to the read pool while the monitor
/// vouches for it, and to the primary otherwise. (A real streaming replica, its lag and a failover
/// are exercised by `deploy/ha/failover-test.sh`.)
@Suite("Reads on a replica")
struct ReadReplicaTests {
    static func app(_ database: TestDatabase, replica: ReadReplica) throws -> some ApplicationProtocol {
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
        let dependencies = AppDependencies(
            pool: database.appPool,
            catalog: catalog,
            hasher: TestHasher.shared,
            vault: TestVault.shared,
            readReplica: replica
        )
        return Application(router: buildRouter(dependencies), logger: TestPostgres.logger)
    }

    static func replica(_ database: TestDatabase, conninfo: String) -> ReadReplica {
        let pool = PostgresConnectionPool(
            configuration: .init(conninfo: conninfo, maxConnections: 2, acquireTimeout: .seconds(2), connectTimeout: .seconds(2)),
            logger: TestPostgres.logger
        )
        let monitor = ReplicaMonitor(primary: database.appPool, replica: pool, maxStaleness: .seconds(30), logger: TestPostgres.logger)
        return ReadReplica(pool: pool, monitor: monitor)
    }

    @Test("a recent read pool serves the dashboard, trend, CSV and relief figures and says how old its data may be")
    func servedByReplica() async throws {
        try await TestPostgres.withDatabase { database in
            // The read pool is a second pool on the same server: not a standby, so always current.
            let replica = Self.replica(database, conninfo: database.appURL)
            try await Self.app(database, replica: replica).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let town = world.fixture.town1.idString
                let before = try await client.send(.get, "/v1/dashboard?unitId=\(town)", token: world.town)
                #expect(before.status == .ok)
                #expect(before.headers[HTTPField.Name("X-Read-Source")!] == "primary", "no sample yet: the primary answers")

                let sampled = ContinuousClock.now
                await replica.monitor.sample()
                #expect(replica.monitor.replicaIsStandby == false)
                let relief = try await client.login("town1.relief")
                for (path, token) in [
                    ("/v1/dashboard?unitId=\(town)", world.town), ("/v1/dashboard/trend?unitId=\(town)", world.town),
                    ("/v1/dashboard.csv?unitId=\(town)", world.town), ("/v1/relief/overdue?unitId=\(town)", relief),
                    ("/v1/relief/indicators?unitId=\(town)", relief),
                ] {
                    let response = try await client.send(.get, path, token: token)
                    #expect(response.status == .ok, "\(path): \(response.text)")
                    #expect(response.headers[HTTPField.Name("X-Read-Source")!] == "replica", "\(path)")
                    // No sample since: the bound is at most the time since the one taken (rounded up).
                    let elapsed = ContinuousClock.now - sampled
                    let limit = Int(elapsed.components.seconds) + 1
                    let staleness = try #require(response.headers[HTTPField.Name("X-Data-Staleness-Max")!].flatMap { Int($0) })
                    #expect((0...limit).contains(staleness), "\(path): \(staleness) > \(limit)")
                }
                let served = try await client.send(.get, "/v1/dashboard?unitId=\(town)", token: world.town)
                #expect(
                    try DashboardTests.rows(served).mapValues(\.counts) == DashboardTests.rows(before).mapValues(\.counts),
                    "the same figures from either pool"
                )
                // Row-level security holds on the read pool as on the primary.
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(world.fixture.town2.idString)", token: world.town).status == .notFound)
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(town)", token: nil).status == .unauthorized)

                let ready = try await client.send(.get, "/readyz")
                let state = try ready.decode(Readiness.self).readReplica
                #expect(state?.state == "in_use" && state?.standby == false)
                let metrics = try await client.send(.get, "/metrics").text
                #expect(metrics.contains("liushou_read_replica_in_use 1"))
                #expect(metrics.contains("liushou_read_replica_staleness_seconds "))
            }
            await replica.pool.close()
        }
    }

    @Test("an unreachable read pool, or one that fails mid-read, leaves reads on the primary")
    func fallsBack() async throws {
        try await TestPostgres.withDatabase { database in
            let unreachable = Self.replica(database, conninfo: "postgresql://liushou_app@127.0.0.1:1/liushou?connect_timeout=2")
            try await Self.app(database, replica: unreachable).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                await unreachable.monitor.sample()
                #expect(unreachable.monitor.usableStaleness() == nil)
                let response = try await client.send(.get, "/v1/dashboard?unitId=\(world.fixture.town1.idString)", token: world.town)
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-Read-Source")!] == "primary")
                #expect(response.headers[HTTPField.Name("X-Data-Staleness-Max")!] == nil)
                let state = try await client.send(.get, "/readyz").decode(Readiness.self)
                #expect(state.status == "ready", "a replica down does not make the server unready")
                #expect(state.readReplica?.state == "bypassed")
            }
            await unreachable.pool.close()

            let failing = Self.replica(database, conninfo: database.appURL)
            try await Self.app(database, replica: failing).test(.router) { client in
                let town = try await client.login("town1.admin")
                await failing.monitor.sample()
                #expect(failing.monitor.usableStaleness() != nil)
                // The replica goes away between the check and the read.
                await failing.pool.close()
                let unit = try await database.pool.query("select id::text as id from org_unit where code = '341122100000'").first
                let id = try #require(try unit?.decode("id", as: String.self))
                let response = try await client.send(.get, "/v1/dashboard?unitId=\(id)", token: town)
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.headers[HTTPField.Name("X-Read-Source")!] == "primary")
                #expect(failing.monitor.usableStaleness() == nil, "not tried again until a check succeeds")
            }
        }
    }

    struct Readiness: Decodable {
        struct Replica: Decodable {
            var state: String
            var standby: Bool?
            var stalenessMaxSeconds: Double?
        }

        var status: String
        var readReplica: Replica?
    }
}
