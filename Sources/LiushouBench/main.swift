import ArgumentParser
import Foundation
import LiushouPostgres
import Logging

/// Measures round trips per second through the connection pool, for comparison with pgbench.
@main
struct LiushouBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liushou-bench",
        abstract: "Round trips per second of a query through Liushou's connection pool."
    )

    @Option(help: "libpq URL of the database.")
    var url: String

    @Option(help: "Concurrent callers (and pool size).")
    var clients = 8

    @Option(help: "Seconds to run.")
    var seconds = 10

    @Option(help: "Query: 'trivial' (select 1) or 'pgbench-select' (pgbench -S's statement with a random aid).")
    var query = "trivial"

    @Option(help: "Rows in pgbench_accounts (100000 × scale) for 'pgbench-select'.")
    var accounts = 100_000

    func run() async throws {
        var logger = Logger(label: "liushou.bench")
        logger.logLevel = .warning
        let pool = PostgresConnectionPool(configuration: .init(conninfo: self.url, maxConnections: self.clients), logger: logger)
        let deadline = ContinuousClock.now + .seconds(self.seconds)
        let started = ContinuousClock.now
        let usePgbenchStatement = self.query == "pgbench-select"
        let accounts = self.accounts
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<self.clients {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        if usePgbenchStatement {
                            let aid = Int.random(in: 1...accounts)
                            try await pool.query("SELECT abalance FROM pgbench_accounts WHERE aid = \(aid)")
                        } else {
                            try await pool.query("select 1")
                        }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        await pool.close()
        print(
            String(
                format: "liushou pool (%@, %d clients): %.0f round trips/s (%d in %.1f s)",
                self.query,
                self.clients,
                Double(total) / seconds,
                total,
                seconds
            )
        )
    }
}
