import Foundation
import LiushouPlatform
import LiushouPostgres
import Logging
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Every `interval`, when the audit log grew, appends a signed checkpoint of its newest row to
/// `file` (one JSON line, synced to disk) and logs it. Ship the file (or the log) somewhere the
/// database's administrators cannot write; `liushou audit verify --checkpoint FILE` then detects
/// audit rows deleted from the end of the log.
public struct AuditCheckpointService: Service {
    let pool: PostgresConnectionPool
    let key: AuditCheckpoint.Key
    let file: URL
    let interval: Duration
    let logger: Logger

    /// A service writing through the server's pool into `file`.
    public init(pool: PostgresConnectionPool, key: AuditCheckpoint.Key, file: URL, interval: Duration, logger: Logger) {
        self.pool = pool
        self.key = key
        self.file = file
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // The first checkpoint after one interval: at start-up the database may still be migrating.
        var last: String? = nil
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                _ = await self.write(after: last)
                return
            }
            last = await self.write(after: last)
        }
    }

    /// Writes a checkpoint when any chain's head moved since `previous` (the heads last written, as
    /// `AuditCheckpoint.headsText`); answers the heads written or seen. Every chain is compared, not
    /// just the newest position: a row of one chain may commit after a higher position of another.
    public func write(after previous: String?) async -> String? {
        do {
            guard let checkpoint = try await AuditCheckpoint.take(pool: self.pool, key: self.key), checkpoint.headsText != previous else {
                return previous
            }
            let line = try checkpoint.line()
            let file = self.file
            // open, write and fsync block: not on the concurrency pool's few threads.
            try await NIOThreadPool.singleton.runIfActive { try Self.append(line + "\n", to: file) }
            // The whole signed line, so the log alone can anchor every chain.
            self.logger.info("audit checkpoint", metadata: ["audit.checkpoint": "\(line)"])
            return checkpoint.headsText
        } catch {
            self.logger.warning("audit checkpoint failed", metadata: ["error": .string(DatabaseError.loggable(error))])
            return previous
        }
    }

    /// Appends and syncs, creating the file (0600) when missing.
    static func append(_ text: String, to file: URL) throws {
        let descriptor = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
