import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouHTTP
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Logging
import Testing

@Suite("Operations endpoints")
struct OperationsTests {
    @Test("GET /healthz answers ok with a generated request id")
    func health() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.text == #"{"status":"ok"}"#)
                    #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.count == 16)
                }
            }
        }
    }

    @Test("API answers, problems and CSV downloads included, are never stored nor sniffed; the web shell keeps its caching")
    func apiAnswersNotStored() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                for path in ["/v1/auth/me", "/v1/persons/not-a-uuid", "/v1/dashboard/definitions"] {
                    try await client.execute(uri: path, method: .get) { response throws in
                        #expect(response.headers[.cacheControl] == "no-store", "\(path)")
                        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                    }
                }
                try await client.execute(uri: "/healthz", method: .get) { response throws in
                    #expect(response.headers[.cacheControl] == nil)
                }
            }
        }
    }

    @Test("a well-formed client request id is echoed; a malformed one is replaced")
    func requestIDs() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                let header = HTTPField.Name("X-Request-Id")!
                try await client.execute(uri: "/healthz", method: .get, headers: [header: "phone-7.retry_2"]) { response throws in
                    #expect(response.headers[header] == "phone-7.retry_2")
                }
                try await client.execute(uri: "/healthz", method: .get, headers: [header: "bad id\n<script>"]) { response throws in
                    let echoed = response.headers[header] ?? ""
                    #expect(echoed.count == 16)
                    #expect(!echoed.contains("script"))
                }
            }
        }
    }

    @Test("GET /readyz is ready when the database is reachable and migrated")
    func ready() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                let (status, body) = try await pollReadiness(client) { status, _ in status == .ok }
                #expect(status == .ok)
                #expect(body["status"] as? String == "ready")
                struct Readiness: Decodable {
                    struct Migrations: Decodable {
                        var applied: Int
                        var known: Int
                    }

                    var migrations: Migrations
                }
                let readiness = try JSONDecoder().decode(Readiness.self, from: JSONSerialization.data(withJSONObject: body))
                #expect(readiness.migrations.applied == readiness.migrations.known)
            }
        }
    }

    @Test("GET /readyz answers 503 not_ready when migrations are pending")
    func notReadyWhenUnmigrated() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await TestApp.make(database).test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response throws in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(try response.json()["code"] as? String == "not_ready")
                }
            }
        }
    }

    @Test("GET /readyz answers 503 when the database is unreachable")
    func notReadyWhenDatabaseDown() async throws {
        try await TestPostgres.withDatabase { database in
            let app = try TestApp.make(database)
            await database.appPool.close()
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response throws in
                    #expect(response.status == .serviceUnavailable)
                    let body = try response.json()
                    #expect(body["code"] as? String == "not_ready")
                    #expect((body["detail"] as? String)?.contains("not reachable") == true)
                }
            }
        }
    }

    @Test("buildApplication migrates an empty database before serving")
    func buildApplicationMigrates() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            var configuration = ServerConfiguration(databaseURL: database.appURL, migrationDatabaseURL: database.url, poolSize: 2, logLevel: .warning)
            configuration.dataKey = "operations-test-data-key-0123456789abcdef"
            let app = try await buildApplication(configuration, logger: TestPostgres.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response throws in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test("GET /metrics reports requests by route template and status, and the pool")
    func metrics() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                _ = try await client.execute(uri: "/healthz", method: .get)
                _ = try await client.execute(uri: "/healthz", method: .get)
                // Until ready: a probe that missed its deadline under load goes on holding a connection.
                #expect(try await pollReadiness(client) { status, _ in status == .ok }.status == .ok)
                _ = try await client.execute(uri: "/no/such/thing", method: .get)
                try await client.execute(uri: "/metrics", method: .get) { response throws in
                    #expect(response.status == .ok)
                    let text = response.text
                    #expect(text.contains(#"liushou_http_requests_total{method="GET",route="/healthz",status="200"} 2"#))
                    #expect(text.contains(#"liushou_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
                    #expect(text.contains(#"liushou_http_requests_total{method="GET",route="/readyz",status="200"} 1"#))
                    #expect(text.contains(#"liushou_db_pool_connections_count{state="max"} 5"#))
                    #expect(text.contains(#"liushou_db_pool_connections_count{state="in_use"} 0"#))
                    #expect(text.contains("liushou_db_pool_waiting_count 0"))
                    #expect(text.contains(#"liushou_alert_deliveries{status="dead"} 0"#))
                    #expect(text.contains("liushou_alert_oldest_due_seconds 0"))
                    #expect(!text.contains("/no/such/thing"))
                }
            }
        }
    }

    @Test("an external database without a data key is refused before anything starts")
    func dataKeyRequired() async throws {
        try await TestPostgres.withDatabase { database in
            let configuration = ServerConfiguration(databaseURL: database.appURL, migrationDatabaseURL: database.url, poolSize: 2, logLevel: .warning)
            await #expect(throws: ConfigurationError.self) {
                _ = try await buildApplication(configuration, logger: TestPostgres.logger)
            }
        }
    }
}
