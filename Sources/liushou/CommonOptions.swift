import ArgumentParser
import Foundation
import LiushouServer
import Logging

/// Options shared by every command; each falls back to a `LIUSHOU_*` environment variable.
struct CommonOptions: ParsableArguments {
    @Option(help: "libpq URL of the database (env LIUSHOU_DATABASE_URL). Without it an embedded PostgreSQL runs under --data-dir.")
    var databaseURL: String?

    @Option(help: "libpq URL of the owner role that runs migrations (env LIUSHOU_MIGRATION_DATABASE_URL; default: --database-url).")
    var migrationDatabaseURL: String?

    @Option(help: "Data directory for the embedded PostgreSQL (env LIUSHOU_DATA_DIR, default ./.liushou).")
    var dataDir: String?

    @Option(help: "Directory of SQL migrations (env LIUSHOU_SQL_DIR; default: ./sql or the build's checkout).")
    var sqlDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env LIUSHOU_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(help: "Log format: json or text (env LIUSHOU_LOG_FORMAT, default json).")
    var logFormat: String?

    /// A value from the flag, else the environment, else nothing.
    static func resolve(_ flag: String?, _ variable: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        return nil
    }

    /// The configuration these options and the environment give, and a logger: this sets up the
    /// process's logging (`bootstrapLogging`), which a command does once, at its start.
    func configured() throws -> (ServerConfiguration, Logger) {
        var configuration = ServerConfiguration()
        try self.apply(to: &configuration)
        return (configuration, Self.bootstrapLogging(configuration))
    }

    /// Applies these options to a configuration.
    func apply(to configuration: inout ServerConfiguration) throws {
        configuration.databaseURL = Self.resolve(self.databaseURL, "LIUSHOU_DATABASE_URL")
        configuration.migrationDatabaseURL = Self.resolve(self.migrationDatabaseURL, "LIUSHOU_MIGRATION_DATABASE_URL")
        if let directory = Self.resolve(self.dataDir, "LIUSHOU_DATA_DIR") {
            configuration.dataDirectory = URL(fileURLWithPath: directory)
        }
        configuration.sqlDirectory = Self.resolve(self.sqlDir, "LIUSHOU_SQL_DIR")
        // The data key comes from the environment only, never a flag (flags show in process lists).
        configuration.dataKey = Self.resolve(nil, "LIUSHOU_DATA_KEY")
        configuration.previousDataKeys = (Self.resolve(nil, "LIUSHOU_DATA_KEY_PREVIOUS") ?? "")
            .split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        if let level = Self.resolve(self.logLevel, "LIUSHOU_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw ValidationError("log level \(level) is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.logLevel = parsed
        }
        if let format = Self.resolve(self.logFormat, "LIUSHOU_LOG_FORMAT") {
            guard let parsed = ServerConfiguration.LogFormat(rawValue: format) else {
                throw ValidationError("log format \(format) is not json or text")
            }
            configuration.logFormat = parsed
        }
    }

    /// Installs the process's log handler and returns the root logger.
    static func bootstrapLogging(_ configuration: ServerConfiguration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "liushou")
    }
}
