import Foundation
import Glibc
import LiushouPostgres
import Logging
import Synchronization

/// What the supervisor knows about the embedded cluster, for `/readyz` and the metrics.
public struct ClusterStatus: Sendable, Equatable {
    /// Where the cluster stands.
    public enum State: String, Sendable {
        case starting
        case running
        /// The postmaster died; the supervisor is starting it again.
        case restarting
        case stopped
    }

    /// Where the cluster stands.
    public var state: State = .starting
    /// Restarts after the postmaster died, since this process started.
    public var restarts = 0
    /// Why the last restart attempt failed, while it keeps failing.
    public var lastFailure: String?
}

extension EmbeddedPostgres {
    /// The supervisor's view of the cluster.
    public var status: ClusterStatus {
        self.supervision.withLock { $0 }
    }

    /// The postmaster's pid and port, as `postmaster.pid` records them.
    func postmasterFile() -> (pid: Int32, port: Int?)? {
        let file = self.clusterDirectory.appendingPathComponent("postmaster.pid")
        guard let contents = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pid = lines.first.flatMap({ Int32($0) }) else { return nil }
        return (pid, lines.count > 3 ? Int(lines[3]) : nil)
    }

    /// Whether `pid` is a running (not zombie) PostgreSQL process. A pid recorded by a postmaster
    /// that died may be unreaped or reused by an unrelated process: neither is a cluster.
    static func isLivePostgres(_ pid: Int32) -> Bool {
        guard pid > 0, pid != getpid() else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
            return kill(pid, 0) == 0 && !FileManager.default.fileExists(atPath: "/proc/self")
        }
        // "pid (comm) S …": the state follows the last parenthesis.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        guard state != "Z", state != "X" else { return false }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return comm == "postgres" || comm == "postmaster"
    }

    /// The postmaster's process id, from `postmaster.pid`.
    public var postmasterPID: Int32? {
        self.postmasterFile()?.pid
    }

    /// Whether the postmaster recorded in `postmaster.pid` is alive.
    public func isPostmasterAlive() -> Bool {
        guard let file = self.postmasterFile() else { return false }
        return Self.isLivePostgres(file.pid)
    }

    /// The port of a cluster on this data directory that is alive and answers, if any. A
    /// `postmaster.pid` left by a dead postmaster is removed, so that the cluster can start.
    func liveClusterPort() async throws -> Int? {
        guard let file = self.postmasterFile() else { return nil }
        guard Self.isLivePostgres(file.pid) else {
            self.logger.warning("removing the postmaster.pid of a PostgreSQL that is no longer running", metadata: ["pid": "\(file.pid)"])
            try? FileManager.default.removeItem(at: self.clusterDirectory.appendingPathComponent("postmaster.pid"))
            return nil
        }
        guard let port = file.port else { return nil }
        // A live postmaster may still be starting or recovering: give it time to accept connections.
        for _ in 0..<30 {
            if await self.acceptsConnections(port: port) { return port }
            try await Task.sleep(for: .seconds(1))
        }
        throw EmbeddedPostgresError.dataDirectory(
            "PostgreSQL (pid \(file.pid)) runs on \(self.clusterDirectory.path) but does not accept connections on port \(port)"
        )
    }

    /// Whether the cluster answers a query on `port` within a few seconds.
    func acceptsConnections(port: Int) async -> Bool {
        let password = (try? self.secret(named: "postgres-password")) ?? ""
        let url = "postgresql://\(self.configuration.superuser):\(password)@127.0.0.1:\(port)/postgres?sslmode=disable"
        let pool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(
                conninfo: url,
                maxConnections: 1,
                acquireTimeout: .seconds(3),
                connectTimeout: .seconds(2),
                statementTimeout: .seconds(2)
            ),
            logger: self.logger
        )
        let answered = (try? await pool.query("select 1")) != nil
        await pool.close()
        return answered
    }

    /// Starts the postmaster again after it died, on the same port; the supervisor calls this with back-off.
    func restartAfterCrash() async throws {
        guard let port = self.listeningPort else { throw EmbeddedPostgresError.dataDirectory("restart before start") }
        self.supervision.withLock { $0.state = .restarting }
        if let file = self.postmasterFile(), !Self.isLivePostgres(file.pid) {
            try? FileManager.default.removeItem(at: self.clusterDirectory.appendingPathComponent("postmaster.pid"))
        }
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(runAsUser: try Self.clusterUser(preferred: self.configuration.systemUser))
        do {
            try await self.startServer(binaries: binaries, runner: runner, port: port)
            self.supervision.withLock {
                $0.restarts += 1
                $0.lastFailure = nil
            }
        } catch {
            self.supervision.withLock { $0.lastFailure = "\(error)" }
            throw error
        }
    }
}
