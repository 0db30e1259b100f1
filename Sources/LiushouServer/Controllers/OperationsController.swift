import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP
import LiushouMigrations
import LiushouPostgres
import NIOCore

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`.
public struct OperationsController: Sendable {
    let pool: PostgresConnectionPool
    let catalog: MigrationCatalog
    let metrics: HTTPMetrics

    /// Adds the routes (all open: probes and scrapers do not log in).
    public func addRoutes(to routes: SecuredRoutes) {
        routes.open(.get, "/healthz") { _, _ in Health(status: "ok") }
        routes.open(.get, "/readyz") { _, _ in try await self.readiness() }
        routes.open(.get, "/metrics") { _, _ in
            Self.text(self.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        routes.open(.get, "/openapi.yaml") { _, _ in
            Self.text(try OpenAPIDocument.text(), contentType: "application/yaml; charset=utf-8")
        }
    }

    struct Health: ResponseEncodable {
        var status: String
    }

    struct Readiness: ResponseEncodable {
        struct Migrations: Encodable {
            var applied: Int
            var known: Int
        }

        var status: String
        var database: String
        var migrations: Migrations
    }

    private func readiness() async throws -> Readiness {
        let versions: [Int]
        do {
            let rows = try await self.pool.query("""
                select coalesce(array_agg(version order by version), '{}') as versions
                from liushou_schema_migrations
                """)
            versions = try rows.first?.decode("versions", as: [Int].self) ?? []
        } catch let error as DatabaseError {
            if case .server(let state, _) = error, state == "42P01" {
                throw Self.notReady("The database has no migrations applied yet.")
            }
            throw Self.notReady("The database is not reachable.")
        }
        let known = self.catalog.migrations.map(\.version)
        guard Set(known).isSubset(of: Set(versions)) else {
            throw Self.notReady("Migrations are pending: \(known.count - Set(known).intersection(versions).count) to apply.")
        }
        return Readiness(status: "ready", database: "reachable", migrations: .init(applied: versions.count, known: known.count))
    }

    private static func notReady(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, code: "not_ready", title: "Not ready", detail: detail)
    }

    private static func text(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
