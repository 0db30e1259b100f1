import EmbeddedPostgres
import LiushouPostgres
import LiushouServer
import Logging

/// A short-lived pool on the owner role: the configured migration URL, or the embedded cluster.
enum OwnerConnection {
    static func with(_ configuration: ServerConfiguration, logger: Logger, _ body: (PostgresConnectionPool) async throws -> Void) async throws {
        var cluster: EmbeddedPostgres? = nil
        let url: String
        if let configured = configuration.migrationDatabaseURL ?? configuration.databaseURL {
            url = configured
        } else {
            let embedded = EmbeddedPostgres(configuration: .init(dataDirectory: configuration.dataDirectory), logger: logger)
            url = try await embedded.start()
            cluster = embedded
        }
        let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: logger)
        do {
            try await body(pool)
        } catch {
            await pool.close()
            try? await cluster?.stop()
            throw error
        }
        await pool.close()
        try await cluster?.stop()
    }
}
