import ArgumentParser
import Hummingbird
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

    @Flag(help: "Do not apply pending migrations on start.")
    var noMigrate = false

    @Flag(help: "Seed a demo county (a town, two villages with grids, a school, a clinic, one user per role) and print its logins.")
    var demo = false

    func run() async throws {
        var configuration = ServerConfiguration()
        try self.common.apply(to: &configuration)
        if let host = CommonOptions.resolve(self.host, "LIUSHOU_HOST") { configuration.host = host }
        if let port = try Self.integer(self.port, "LIUSHOU_PORT") { configuration.port = port }
        if let size = try Self.integer(self.poolSize, "LIUSHOU_POOL_SIZE") { configuration.poolSize = size }
        configuration.migrateOnStart = !self.noMigrate
        configuration.demo = self.demo
        let logger = CommonOptions.bootstrapLogging(configuration)
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService()
    }

    private static func integer(_ flag: Int?, _ variable: String) throws -> Int? {
        if let flag { return flag }
        guard let text = CommonOptions.resolve(nil, variable) else { return nil }
        guard let value = Int(text), value > 0 else { throw ValidationError("\(variable) must be a positive integer, got \(text)") }
        return value
    }
}
