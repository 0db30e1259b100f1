/// Writes concurrent single items that share a key together (group commit): while `maxWriters`
/// batches of a key are being written, later items of that key wait and go together in the next
/// batch. An idle key writes at once — no timer, no added latency — and no background task runs:
/// the request that finds a free writer slot writes, and hands the slot to the first waiting
/// request when it is done.
///
/// Used where many single requests of one caller arrive at once (door checks uploaded by phones
/// coming back into signal): one transaction and one commit for many items instead of one each.
public actor GroupCommit<Key: Hashable & Sendable, Item: Sendable, Output: Sendable> {
    /// Writes items of one key in one go and answers one output per item, in order.
    public typealias Write = @Sendable (_ key: Key, _ items: [Item]) async throws -> [Output]

    private enum Turn: Sendable {
        case done(Result<Output, any Error>)
        case lead
    }

    private struct Waiter {
        var item: Item
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct Lane {
        var writers = 0
        var waiting: [Waiter] = []
    }

    private var lanes: [Key: Lane] = [:]
    /// The most items written together.
    public let maxBatch: Int
    /// The most batches of one key written at the same time.
    public let maxWriters: Int
    /// Whether a batch that failed with this error is written again item by item (errors one item
    /// can cause, such as a refused row — not a lost connection, which would only multiply the load).
    let retriesAlone: @Sendable (any Error) -> Bool

    /// A group commit writing at most `maxBatch` items at once, with at most `maxWriters` writes per
    /// key in flight; `retriesAlone` picks the batch failures worth writing again item by item.
    public init(maxBatch: Int = 100, maxWriters: Int = 4, retriesAlone: @escaping @Sendable (any Error) -> Bool = { _ in false }) {
        precondition(maxBatch >= 1 && maxWriters >= 1)
        self.maxBatch = maxBatch
        self.maxWriters = maxWriters
        self.retriesAlone = retriesAlone
    }

    /// Writes `item` together with whatever else of `key` is waiting, and answers its output. When a
    /// batch of several fails with an error `retriesAlone` accepts, each of its items is written
    /// again on its own, so a bad item fails only its own request. When the writing request is
    /// cancelled, the items it carried for others go back to the front of the line.
    public nonisolated func submit(_ item: Item, key: Key, write: Write) async throws -> Output {
        switch await self.arrive(item, key: key) {
        case .done(let result):
            return try result.get()
        case .lead:
            let followers = await self.take(key: key)
            let items = [item] + followers.map(\.item)
            let results = await Self.run(items, key: key, write: write, retriesAlone: self.retriesAlone)
            await self.finish(key: key, followers: followers, results: results.dropFirst())
            return try results[0].get()
        }
    }

    /// Leads at once when a writer slot is free; otherwise waits to be answered or promoted.
    private func arrive(_ item: Item, key: Key) async -> Turn {
        if self.lanes[key, default: Lane()].writers < self.maxWriters {
            self.lanes[key, default: Lane()].writers += 1
            return .lead
        }
        return await withCheckedContinuation { continuation in
            self.lanes[key, default: Lane()].waiting.append(Waiter(item: item, continuation: continuation))
        }
    }

    /// The waiting items that go with the leader's, oldest first.
    private func take(key: Key) -> [Waiter] {
        guard var lane = self.lanes[key], !lane.waiting.isEmpty else { return [] }
        let count = min(lane.waiting.count, self.maxBatch - 1)
        let taken = Array(lane.waiting.prefix(count))
        lane.waiting.removeFirst(count)
        self.lanes[key] = lane
        return taken
    }

    /// Answers the followers — one whose item failed only because the writing request was cancelled
    /// goes back to the front of the line instead — frees the writer slot and promotes waiting
    /// requests into free slots.
    private func finish(key: Key, followers: [Waiter], results: ArraySlice<Result<Output, any Error>>) {
        var requeued: [Waiter] = []
        for (follower, result) in zip(followers, results) {
            if case .failure(let error) = result, error is CancellationError {
                requeued.append(follower)
            } else {
                follower.continuation.resume(returning: .done(result))
            }
        }
        self.lanes[key, default: Lane()].waiting.insert(contentsOf: requeued, at: 0)
        guard var lane = self.lanes[key] else { return }
        lane.writers -= 1
        while lane.writers < self.maxWriters, !lane.waiting.isEmpty {
            let next = lane.waiting.removeFirst()
            lane.writers += 1
            next.continuation.resume(returning: .lead)
        }
        self.lanes[key] = lane.writers == 0 && lane.waiting.isEmpty ? nil : lane
    }

    private static func run(
        _ items: [Item],
        key: Key,
        write: Write,
        retriesAlone: @Sendable (any Error) -> Bool
    ) async -> [Result<Output, any Error>] {
        do {
            let outputs = try await write(key, items)
            guard outputs.count == items.count else { throw GroupCommitError.outputCount(expected: items.count, got: outputs.count) }
            return outputs.map { .success($0) }
        } catch {
            guard items.count > 1, retriesAlone(error), !Task.isCancelled else { return items.map { _ in .failure(error) } }
            var results: [Result<Output, any Error>] = []
            for item in items {
                do {
                    let outputs = try await write(key, [item])
                    guard let output = outputs.first, outputs.count == 1 else { throw GroupCommitError.outputCount(expected: 1, got: outputs.count) }
                    results.append(.success(output))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}

/// A write broke the group commit's contract.
public enum GroupCommitError: Error, Equatable {
    /// The write answered a different number of outputs than it was given items.
    case outputCount(expected: Int, got: Int)
}
