import ArgumentParser
import Foundation
import Hummingbird
import LiushouAccess
import LiushouAlerts
import LiushouServer

/// `liushou serve`: runs the HTTP server until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API server (migrates first unless --no-migrate).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (env LIUSHOU_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env LIUSHOU_PORT, default 8080).")
    var port: Int?

    @Option(help: "Maximum database connections of this server (env LIUSHOU_POOL_SIZE, default 10).")
    var poolSize: Int?

    @Option(
        help: """
            libpq URL of a streaming replica for the dashboard and report figures, e.g. with \
            target_session_attrs=prefer-standby (env LIUSHOU_READ_DATABASE_URL; default: everything on --database-url).
            """
    )
    var readDatabaseURL: String?

    @Flag(help: "Do not apply pending migrations on start.")
    var noMigrate = false

    @Flag(help: "Seed a living demo county once (2 towns, 8 villages, ~2,000 people, 12 weeks of work) and print its logins.")
    var demo = false

    func run() async throws {
        var configuration = ServerConfiguration()
        try self.common.apply(to: &configuration)
        if let host = CommonOptions.resolve(self.host, "LIUSHOU_HOST") { configuration.host = host }
        if let port = try Self.integer(self.port, "LIUSHOU_PORT") { configuration.port = port }
        if let size = try Self.integer(self.poolSize, "LIUSHOU_POOL_SIZE") { configuration.poolSize = size }
        configuration.readDatabaseURL = CommonOptions.resolve(self.readDatabaseURL, "LIUSHOU_READ_DATABASE_URL")
        if let size = try Self.integer(nil, "LIUSHOU_READ_POOL_SIZE") { configuration.readPoolSize = size }
        if let seconds = try Self.integer(nil, "LIUSHOU_READ_MAX_STALENESS") { configuration.readMaxStaleness = .seconds(seconds) }
        if let seconds = try Self.integer(nil, "LIUSHOU_STATEMENT_TIMEOUT") { configuration.statementTimeout = .seconds(seconds) }
        if let seconds = try Self.integer(nil, "LIUSHOU_BULK_STATEMENT_TIMEOUT") { configuration.bulkStatementTimeout = .seconds(seconds) }
        if let seconds = try Self.integer(nil, "LIUSHOU_POOL_WAIT") { configuration.poolWaitTimeout = .seconds(seconds) }
        if let seconds = try Self.integer(nil, "LIUSHOU_CONNECT_TIMEOUT") { configuration.connectTimeout = .seconds(seconds) }
        if let seconds = try Self.integer(nil, "LIUSHOU_IDLE_TIMEOUT") { configuration.idleTimeout = .seconds(seconds) }
        if let count = try Self.integer(nil, "LIUSHOU_MAX_CONNECTIONS") { configuration.maxClientConnections = count }
        if let path = CommonOptions.resolve(nil, "LIUSHOU_AUDIT_CHECKPOINT_FILE") { configuration.auditCheckpointFile = URL(fileURLWithPath: path) }
        if let seconds = try Self.integer(nil, "LIUSHOU_AUDIT_CHECKPOINT_INTERVAL") { configuration.auditCheckpointInterval = .seconds(seconds) }
        if let proxies = CommonOptions.resolve(nil, "LIUSHOU_TRUSTED_PROXIES") {
            configuration.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let roles = CommonOptions.resolve(nil, "LIUSHOU_TWO_FACTOR_ROLES") {
            let names = roles.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "none" }
            let parsed = names.compactMap(Role.init(rawValue:))
            guard parsed.count == names.count else {
                throw ValidationError(
                    "LIUSHOU_TWO_FACTOR_ROLES names unknown roles; use none or some of \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            configuration.twoFactorRoles = Set(parsed)
        }
        try Self.applyAlertSettings(to: &configuration.alertDelivery)
        configuration.migrateOnStart = !self.noMigrate
        configuration.demo = self.demo
        let logger = CommonOptions.bootstrapLogging(configuration)
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService()
    }

    /// `LIUSHOU_PUBLIC_URL`, `LIUSHOU_SMS_GATEWAY_URL` / `_TOKEN` and the delivery knobs `LIUSHOU_ALERT_*`.
    private static func applyAlertSettings(to settings: inout AlertDeliverySettings) throws {
        if let url = CommonOptions.resolve(nil, "LIUSHOU_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw ValidationError("LIUSHOU_PUBLIC_URL must be an http(s) address, got \(url)")
            }
            settings.publicURL = url
        }
        if let url = CommonOptions.resolve(nil, "LIUSHOU_SMS_GATEWAY_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw ValidationError("LIUSHOU_SMS_GATEWAY_URL must be an http(s) address")
            }
            settings.smsGateway = SMSGateway(url: parsed, token: CommonOptions.resolve(nil, "LIUSHOU_SMS_GATEWAY_TOKEN"))
        }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_POLL_MS") { settings.pollInterval = .milliseconds(value) }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_TICK_SECONDS") { settings.tickInterval = .seconds(value) }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_SEND_TIMEOUT") { settings.sendTimeout = .seconds(value) }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_LEASE_SECONDS") { settings.lease = .seconds(value) }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_IN_FLIGHT") { settings.maxInFlight = value }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_RATE_PER_MINUTE") { settings.perTargetPerMinute = value }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_MAX_ATTEMPTS") { settings.maxAttempts = value }
        if let value = try Self.integer(nil, "LIUSHOU_ALERT_RETRY_BASE_SECONDS") { settings.retryBase = .seconds(value) }
    }

    private static func integer(_ flag: Int?, _ variable: String) throws -> Int? {
        if let flag { return flag }
        guard let text = CommonOptions.resolve(nil, variable) else { return nil }
        guard let value = Int(text), value > 0 else { throw ValidationError("\(variable) must be a positive integer, got \(text)") }
        return value
    }
}
