import Glibc
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How the HTTP server treats slow, idle and surplus clients and shutdown; shared by `serve` and tests.
public enum HTTPServerSettings {
    /// HTTP/1.1 with an idle timeout (it also bounds reading a request's headers: a client that
    /// trickles them never completes a request, so the connection counts as idle) and polite shutdown.
    public static func server(_ configuration: ServerConfiguration) -> HTTPServerBuilder {
        let linger = TimeAmount.nanoseconds(Int64(configuration.shutdownLinger.components.seconds) * 1_000_000_000)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [MalformedRequestHandler(), ExpectContinueHandler(), ShutdownDrainHandler(linger: linger)],
                idleTimeout: .seconds(configuration.idleTimeout.components.seconds)
            )
        )
    }

    /// The listener: at most `maxClientConnections` open connections (beyond that, clients wait in
    /// the backlog instead of the accept loop failing on `EMFILE`).
    public static func application(_ configuration: ServerConfiguration, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "liushou",
            backlog: 1024,
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxClientConnections, logger: logger)
        )
    }

    /// Raises the soft open-file limit to the hard limit (every client and database connection is a
    /// descriptor; distributions default the soft limit to 1,024). Returns the new soft limit.
    @discardableResult
    public static func raiseOpenFileLimit(logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            } else {
                logger.warning("could not raise the open-file limit", metadata: ["soft": "\(limit.rlim_cur)", "hard": "\(limit.rlim_max)"])
            }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
