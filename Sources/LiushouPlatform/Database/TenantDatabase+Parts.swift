import Foundation
import LiushouAccess
import LiushouPostgres
import Synchronization

extension TenantDatabase {
    /// Runs `body` once a part, each part in its own transaction scoped to `caller`, all at once, so
    /// that one large batch uses more than one core of the database; each part with its result. A
    /// batch of one part, or any batch while `maxSplitBatches` split batches are running (each holds
    /// more than one of the pool's connections), runs `whole` in one transaction instead.
    ///
    /// Only the final state of split parts is that of one transaction: between their commits other
    /// readers see part of the batch, and a part that fails fails the call after the others may have
    /// committed. So only for batches whose retry answers what was stored before (client ids,
    /// duplicates), whose parts never wait for each other in opposite orders, and whose parts'
    /// transaction- and statement-level effects that people see (alerts raised once a transaction or
    /// a statement) are the whole's. (A unit's dashboard mark moves once a part: it only says "read
    /// again".)
    public func transactions<Part: Sendable, Result: Sendable>(
        for caller: Caller,
        kind: TransactionKind = .standard,
        maxAttempts: Int = 1,
        parts: [Part],
        whole: Part,
        _ body: @escaping @Sendable (Part, PostgresTransaction) async throws -> Result
    ) async throws -> [(part: Part, result: Result)] {
        guard parts.count > 1, Self.splitBatches.enter() else {
            return [(whole, try await self.transaction(for: caller, kind: kind, maxAttempts: maxAttempts) { try await body(whole, $0) })]
        }
        defer { Self.splitBatches.leave() }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (number, part) in parts.enumerated() {
                group.addTask {
                    (number, try await self.transaction(for: caller, kind: kind, maxAttempts: maxAttempts) { try await body(part, $0) })
                }
            }
            var results = [Result?](repeating: nil, count: parts.count)
            for try await (number, result) in group { results[number] = result }
            return zip(parts, results).map { ($0, $1!) }
        }
    }

    /// How many parts a batch of `count` rows is written in: one a `rowsPerPart` rows, two at most
    /// (the database's cores are shared with every other request).
    public static func parts(for count: Int, rowsPerPart: Int) -> Int {
        max(1, min(count / rowsPerPart, 2))
    }

    /// How many batches of this process may be written in parts at the same time.
    public static let maxSplitBatches = 2

    private static let splitBatches = Gate(limit: Self.maxSplitBatches)

    /// A count of holders, refused beyond its limit.
    private final class Gate: Sendable {
        private let holders = Mutex(0)
        private let limit: Int

        init(limit: Int) {
            self.limit = limit
        }

        func enter() -> Bool {
            self.holders.withLock { holders in
                guard holders < self.limit else { return false }
                holders += 1
                return true
            }
        }

        func leave() {
            self.holders.withLock { $0 -= 1 }
        }
    }
}
