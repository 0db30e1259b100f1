import Foundation
import LiushouAccess
import LiushouPostgres

extension TenantDatabase {
    /// Runs `body` once a part, each part in its own transaction scoped to `caller`, all at once, so
    /// that one large batch uses more than one core of the database; the results in the parts' order.
    /// A part that fails fails the call after the others may have committed: only for batches whose
    /// retry answers what was stored before (client ids, duplicates), and whose parts never wait for
    /// each other in opposite orders.
    public func transactions<Part: Sendable, Result: Sendable>(
        for caller: Caller,
        kind: TransactionKind = .standard,
        maxAttempts: Int = 1,
        parts: [Part],
        _ body: @escaping @Sendable (Part, PostgresTransaction) async throws -> Result
    ) async throws -> [Result] {
        if parts.count == 1 {
            return [try await self.transaction(for: caller, kind: kind, maxAttempts: maxAttempts) { try await body(parts[0], $0) }]
        }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (number, part) in parts.enumerated() {
                group.addTask {
                    (number, try await self.transaction(for: caller, kind: kind, maxAttempts: maxAttempts) { try await body(part, $0) })
                }
            }
            var results = [Result?](repeating: nil, count: parts.count)
            for try await (number, result) in group { results[number] = result }
            return results.map { $0! }
        }
    }

    /// How many parts a batch of `count` rows is written in: one a `rowsPerPart` rows, at most one a
    /// core of this machine.
    public static func parts(for count: Int, rowsPerPart: Int) -> Int {
        max(1, min(count / rowsPerPart, ProcessInfo.processInfo.activeProcessorCount))
    }
}
