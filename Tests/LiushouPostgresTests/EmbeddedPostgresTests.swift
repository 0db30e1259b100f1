import EmbeddedPostgres
import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Embedded PostgreSQL")
struct EmbeddedPostgresTests {
    @Test("missing server binaries give one clear message naming the Debian packages")
    func missingBinaries() {
        let error = #expect(throws: EmbeddedPostgresError.self) {
            try PostgresBinaries.locate(environment: ["PATH": "/nonexistent"], versionedRoot: "/nonexistent")
        }
        #expect(error?.description.contains("apt-get install -y postgresql") == true)
    }

    @Test("a cluster is created once and reused on the next start, with its data and password")
    func reuse() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: TestPostgres.logger)
            try await pool.query("create table kept (note text)")
            try await pool.query("insert into kept values (\("留守"))")
            await pool.close()
            try await cluster.stop()

            let again = EmbeddedPostgres(configuration: cluster.configuration, logger: TestPostgres.logger)
            let secondURL = try await again.start()
            let reopened = PostgresConnectionPool(configuration: .init(conninfo: secondURL, maxConnections: 1), logger: TestPostgres.logger)
            let rows = try await reopened.query("select note from kept")
            #expect(try rows.map { try $0.decode("note", as: String.self) } == ["留守"])
            await reopened.close()
        }
    }

    @Test("the cluster accepts only password logins on loopback")
    func requiresPassword() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let port = try #require(cluster.listeningPort)
            let wrong = PostgresConnectionPool(
                configuration: .init(conninfo: "postgresql://liushou:wrong@127.0.0.1:\(port)/liushou?sslmode=disable", maxConnections: 1),
                logger: TestPostgres.logger
            )
            let error = await #expect(throws: DatabaseError.self) { try await wrong.query("select 1") }
            guard case .connectionFailure(let message) = error else {
                Issue.record("expected connectionFailure, got \(String(describing: error))")
                return
            }
            #expect(message.contains("password authentication failed"))
            #expect(!message.contains("wrong"))
            await wrong.close()
            let settings = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: TestPostgres.logger)
            let listen = try await settings.query("select current_setting('listen_addresses') as listen")
            #expect(try listen.first?.decode("listen", as: String.self) == "127.0.0.1")
            await settings.close()
        }
    }
}
