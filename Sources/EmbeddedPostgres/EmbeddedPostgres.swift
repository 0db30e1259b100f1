import Foundation
import Glibc
import LiushouPostgres
import Logging
import NIOPosix
import Synchronization

/// A private PostgreSQL cluster under Liushou's data directory: created on first start, reused after.
///
/// As root it runs the cluster as an unprivileged system account (PostgreSQL refuses root). It
/// listens on 127.0.0.1 only, with a generated password (`scram-sha-256`) kept in a 0600 file.
public final class EmbeddedPostgres: Sendable {
    /// The configuration it was created with.
    public let configuration: EmbeddedPostgresConfiguration
    let logger: Logger
    let port = Mutex<Int?>(nil)
    private let lock = Mutex<DataDirectoryLock?>(nil)
    let supervision = Mutex(ClusterStatus())

    /// Prepares a launcher; nothing happens until `start()`.
    public init(configuration: EmbeddedPostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The cluster's own directory (PGDATA).
    public var clusterDirectory: URL {
        self.configuration.dataDirectory.appendingPathComponent("postgres", isDirectory: true)
    }

    private var passwordFile: URL {
        self.configuration.dataDirectory.appendingPathComponent("postgres-password")
    }

    /// Creates the cluster if needed, starts it (or adopts one already running) and creates the
    /// application database. Returns the connection URL of the application database.
    @discardableResult
    public func start() async throws -> String {
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(runAsUser: try Self.clusterUser(preferred: self.configuration.systemUser))
        try self.prepareDirectories(runner: runner)
        if self.lock.withLock({ $0 == nil }) {
            let taken = try await DataDirectoryLock.acquire(in: self.configuration.dataDirectory)
            self.lock.withLock { $0 = taken }
        }
        let password = try self.secret(named: "postgres-password")
        if !FileManager.default.fileExists(atPath: self.clusterDirectory.appendingPathComponent("PG_VERSION").path) {
            try await self.initialize(binaries: binaries, runner: runner, password: password)
        }
        if let runningPort = try await self.liveClusterPort() {
            self.logger.info("adopting the embedded PostgreSQL already running", metadata: ["port": "\(runningPort)"])
            self.port.withLock { $0 = runningPort }
            self.supervision.withLock { $0.state = .running }
        } else {
            let port = try self.configuration.port ?? Self.freeLoopbackPort()
            try await self.startServer(binaries: binaries, runner: runner, port: port)
            self.port.withLock { $0 = port }
            self.logger.info("embedded PostgreSQL started", metadata: ["port": "\(port)", "data": "\(self.clusterDirectory.path)"])
        }
        try await self.ensureDatabase(self.configuration.database)
        return self.connectionURL(database: self.configuration.database)
    }

    /// Stops the cluster (fast shutdown: running transactions roll back, the cluster is left
    /// consistent) and gives up the data directory's lock.
    public func stop() async throws {
        defer { self.lock.withLock { $0 = nil } }
        try await self.stopServer()
    }

    private func stopServer() async throws {
        self.supervision.withLock { $0.state = .stopped }
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(runAsUser: try Self.clusterUser(preferred: self.configuration.systemUser))
        guard try await self.runningPort(binaries: binaries, runner: runner) != nil else { return }
        _ = try await runner.run(binaries.pgCtl, ["stop", "-D", self.clusterDirectory.path, "-m", "fast", "-w", "-t", "60"])
        self.logger.info("embedded PostgreSQL stopped")
    }

    /// Stops and starts the cluster on the same port (tests of reconnection use this).
    public func restart() async throws {
        let binaries = try PostgresBinaries.locate()
        let runner = CommandRunner(runAsUser: try Self.clusterUser(preferred: self.configuration.systemUser))
        guard let port = self.port.withLock({ $0 }) else {
            throw EmbeddedPostgresError.dataDirectory("restart() before start()")
        }
        try await self.stopServer()
        try await self.startServer(binaries: binaries, runner: runner, port: port)
    }

    /// Stops the cluster at once without waiting for clients, synchronously (for `atexit` handlers).
    public func stopImmediatelyBlocking() {
        do {
            let binaries = try PostgresBinaries.locate()
            let runner = CommandRunner(runAsUser: try Self.clusterUser(preferred: self.configuration.systemUser, createIfMissing: false))
            _ = try runner.runBlocking(binaries.pgCtl, ["stop", "-D", self.clusterDirectory.path, "-m", "immediate", "-w", "-t", "30"])
        } catch {
            // Nothing more can be done at exit.
        }
    }

    /// Starts a watchdog that stops the cluster (and removes the data directory when asked) as soon
    /// as this process exits, however it exits: for throw-away clusters of test runs.
    public func stopWhenThisProcessExits(removingDataDirectory: Bool) throws {
        let binaries = try PostgresBinaries.locate()
        let user = try Self.clusterUser(preferred: self.configuration.systemUser, createIfMissing: false)
        let asUser = user.map { "\(CommandRunner.runuserPath) -u \($0) -- " } ?? ""
        // Scalar by scalar: a quote followed by a combining mark is one Character, which a search for `'` passes over.
        let quote: (String) -> String = { text in
            "'" + text.unicodeScalars.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
        }
        var script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done; "
        script += "\(asUser)\(quote(binaries.pgCtl.path)) stop -D \(quote(self.clusterDirectory.path)) -m immediate -w -t 30"
        if removingDataDirectory {
            script += "; rm -rf \(quote(self.configuration.dataDirectory.path))"
        }
        try CommandRunner.spawnDetached(script: script)
    }

    /// The URL for one database of the cluster (it holds the generated password: never log it).
    public func connectionURL(database: String) -> String {
        let port = self.port.withLock { $0 } ?? 5432
        let password = (try? String(contentsOf: self.passwordFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return "postgresql://\(self.configuration.superuser):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// The URL for another role of the cluster (e.g. the application role).
    public func connectionURL(database: String, user: String, password: String) -> String {
        let port = self.port.withLock { $0 } ?? 5432
        return "postgresql://\(user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A secret kept in a 0600 file of the data directory, created on first use (hex, 48 characters).
    public func secret(named name: String) throws -> String {
        let file = self.configuration.dataDirectory.appendingPathComponent(name)
        if let existing = try? String(contentsOf: file, encoding: .utf8) {
            return existing.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EmbeddedPostgresError.dataDirectory("cannot write \(file.path)")
        }
        return secret
    }

    /// The port the cluster listens on, once started.
    public var listeningPort: Int? {
        self.port.withLock { $0 }
    }

    // MARK: Steps

    private func prepareDirectories(runner: CommandRunner) throws {
        let fileManager = FileManager.default
        let data = self.configuration.dataDirectory
        try fileManager.createDirectory(at: data, withIntermediateDirectories: true)
        let cluster = self.clusterDirectory
        if !fileManager.fileExists(atPath: cluster.path) {
            try fileManager.createDirectory(at: cluster, withIntermediateDirectories: false)
        }
        guard let user = runner.runAsUser else {
            chmod(cluster.path, 0o700)
            return
        }
        guard let account = getpwnam(user) else {
            throw EmbeddedPostgresError.noUnprivilegedUser("user \(user) vanished")
        }
        // Only the cluster account may enter the cluster; it needs to traverse (not list) the data directory.
        chmod(data.path, 0o711)
        guard chown(cluster.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw EmbeddedPostgresError.dataDirectory("cannot hand \(cluster.path) to \(user)")
        }
        chmod(cluster.path, 0o700)
        var ancestor = data
        while ancestor.path != "/" {
            var info = stat()
            if stat(ancestor.path, &info) == 0, info.st_mode & 0o001 == 0 {
                throw EmbeddedPostgresError.dataDirectory(
                    "\(ancestor.path) is not traversable by the unprivileged user \(user) that runs PostgreSQL; "
                        + "choose a data directory such as /var/lib/liushou (--data-dir)"
                )
            }
            ancestor.deleteLastPathComponent()
        }
    }

    private func initialize(binaries: PostgresBinaries, runner: CommandRunner, password: String) async throws {
        self.logger.info("creating the embedded PostgreSQL cluster", metadata: ["data": "\(self.clusterDirectory.path)"])
        let passwordInput = self.configuration.dataDirectory.appendingPathComponent(".initdb-password-\(getpid())")
        guard
            FileManager.default.createFile(atPath: passwordInput.path, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw EmbeddedPostgresError.dataDirectory("cannot write a temporary password file")
        }
        defer { try? FileManager.default.removeItem(at: passwordInput) }
        if let user = runner.runAsUser, let account = getpwnam(user) {
            chown(passwordInput.path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        _ = try await runner.run(
            binaries.initdb,
            [
                "-D", self.clusterDirectory.path, "-U", self.configuration.superuser, "--pwfile=\(passwordInput.path)",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
            ] + (self.configuration.durability == .unsafeFastForTests ? ["--no-sync"] : [])
        )
    }

    func startServer(binaries: PostgresBinaries, runner: CommandRunner, port: Int) async throws {
        var settings = [
            "-p \(port)", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
            "-c max_connections=\(self.configuration.maxConnections)",
            // Short OLTP statements: JIT compiling a plan the planner overestimates costs ~100 ms each.
            "-c jit=off",
        ]
        if self.configuration.durability == .unsafeFastForTests {
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        }
        let log = self.clusterDirectory.appendingPathComponent("server.log").path
        do {
            _ = try await runner.run(
                binaries.pgCtl,
                [
                    "start", "-D", self.clusterDirectory.path, "-w", "-t", "60", "-l", log, "-o", settings.joined(separator: " "),
                ]
            )
        } catch {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw EmbeddedPostgresError.commandFailed(command: "pg_ctl start", status: 1, output: "\(error)\n\(tail)")
        }
        self.supervision.withLock { $0.state = .running }
    }

    /// The port of a cluster already running on this data directory, if any.
    private func runningPort(binaries: PostgresBinaries, runner: CommandRunner) async throws -> Int? {
        let pidFile = self.clusterDirectory.appendingPathComponent("postmaster.pid")
        guard let contents = try? String(contentsOf: pidFile, encoding: .utf8) else { return nil }
        do {
            _ = try await runner.run(binaries.pgCtl, ["status", "-D", self.clusterDirectory.path])
        } catch {
            return nil
        }
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 3 ? Int(lines[3].trimmingCharacters(in: .whitespaces)) : nil
    }

    private func ensureDatabase(_ name: String) async throws {
        let pool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(conninfo: self.connectionURL(database: "postgres"), maxConnections: 1),
            logger: self.logger
        )
        do {
            let exists = try await pool.query("select 1 from pg_database where datname = \(name)")
            if exists.isEmpty {
                try await pool.query("create database \(identifier: name)")
            }
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }

    // MARK: Helpers

    /// The unprivileged account to run the cluster as, or `nil` when not root.
    static func clusterUser(preferred: String?, createIfMissing: Bool = true) throws -> String? {
        guard geteuid() == 0 else { return nil }
        if let preferred {
            guard getpwnam(preferred) != nil else {
                throw EmbeddedPostgresError.noUnprivilegedUser("system user \(preferred) does not exist")
            }
            return preferred
        }
        if getpwnam("postgres") != nil { return "postgres" }
        let fallback = "liushou-pg"
        if getpwnam(fallback) != nil || !createIfMissing { return fallback }
        let created = try? CommandRunner(runAsUser: nil).runBlocking(
            URL(fileURLWithPath: "/usr/sbin/useradd"),
            ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", fallback]
        )
        guard created != nil, getpwnam(fallback) != nil else {
            throw EmbeddedPostgresError.noUnprivilegedUser("could not create system user \(fallback) with useradd")
        }
        return fallback
    }

    /// Asks the kernel for a free TCP port on 127.0.0.1.
    static func freeLoopbackPort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw EmbeddedPostgresError.dataDirectory("socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) }
        }
        guard bound == 0 else { throw EmbeddedPostgresError.dataDirectory("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        guard named == 0 else { throw EmbeddedPostgresError.dataDirectory("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
