import LiushouPlatform
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    /// Records the batches a write was given.
    actor Log {
        var batches: [[Int]] = []
        func add(_ batch: [Int]) { self.batches.append(batch) }
    }

    struct Poison: Error {}

    @Test("an idle key writes at once, alone")
    func idle() async throws {
        let group = GroupCommit<String, Int, Int>()
        let log = Log()
        let output = try await group.submit(7, key: "a") { _, items in
            await log.add(items)
            return items.map { $0 * 10 }
        }
        #expect(output == 70)
        #expect(await log.batches == [[7]])
    }

    @Test("items arriving while a write is in flight go together in the next batch; every caller gets its own answer")
    func batches() async throws {
        let group = GroupCommit<String, Int, Int>(maxBatch: 100, maxWriters: 1)
        let log = Log()
        let write: GroupCommit<String, Int, Int>.Write = { _, items in
            await log.add(items)
            try await Task.sleep(for: .milliseconds(50))
            return items.map { $0 * 10 }
        }
        let outputs = try await withThrowingTaskGroup(of: (Int, Int).self) { tasks in
            for n in 0..<40 {
                tasks.addTask { (n, try await group.submit(n, key: "a", write: write)) }
            }
            var outputs: [Int: Int] = [:]
            for try await (n, output) in tasks { outputs[n] = output }
            return outputs
        }
        #expect(outputs.count == 40)
        #expect(outputs.allSatisfy { $0.value == $0.key * 10 })
        let batches = await log.batches
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<40), "every item written exactly once")
        #expect(batches.count < 40 && batches.contains { $0.count > 1 }, "\(batches)")
    }

    @Test("keys never share a batch, and at most maxBatch items go together")
    func keysAndLimits() async throws {
        let group = GroupCommit<String, Int, String>(maxBatch: 5, maxWriters: 1)
        let log = Log()
        let write: GroupCommit<String, Int, String>.Write = { key, items in
            await log.add(items.map { key == "odd" ? -$0 : $0 })
            try await Task.sleep(for: .milliseconds(20))
            return items.map { "\(key)\($0)" }
        }
        let outputs = try await withThrowingTaskGroup(of: String.self) { tasks in
            for n in 0..<30 {
                tasks.addTask { try await group.submit(n, key: n % 2 == 0 ? "even" : "odd", write: write) }
            }
            var outputs: [String] = []
            for try await output in tasks { outputs.append(output) }
            return outputs
        }
        #expect(Set(outputs) == Set((0..<30).map { ($0 % 2 == 0 ? "even" : "odd") + "\($0)" }))
        let batches = await log.batches
        #expect(batches.allSatisfy { $0.count <= 5 })
        #expect(batches.allSatisfy { batch in batch.allSatisfy { $0 <= 0 } || batch.allSatisfy { $0 >= 0 } }, "\(batches)")
    }

    @Test("a failing batch is written again item by item: only the bad item fails")
    func failures() async throws {
        let group = GroupCommit<String, Int, Int>(maxBatch: 100, maxWriters: 1) { $0 is Poison }
        let log = Log()
        let write: GroupCommit<String, Int, Int>.Write = { _, items in
            await log.add(items)
            try await Task.sleep(for: .milliseconds(30))
            if items.contains(13) { throw Poison() }
            return items
        }
        let results = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for n in 10..<30 {
                tasks.addTask { (n, (try? await group.submit(n, key: "a", write: write)) == n) }
            }
            var results: [Int: Bool] = [:]
            for await (n, ok) in tasks { results[n] = ok }
            return results
        }
        #expect(results.count == 20)
        #expect(results.filter { !$0.value }.map(\.key) == [13])
        #expect(await log.batches.contains([13]))
    }

    @Test("a batch failing for a reason no single item causes fails every item once, without retries")
    func outage() async throws {
        struct Outage: Error {}
        let group = GroupCommit<String, Int, Int>(maxBatch: 100, maxWriters: 1) { $0 is Poison }
        let log = Log()
        let write: GroupCommit<String, Int, Int>.Write = { _, items in
            await log.add(items)
            try await Task.sleep(for: .milliseconds(30))
            throw Outage()
        }
        let failed = await withTaskGroup(of: Bool.self) { tasks in
            for n in 0..<20 {
                tasks.addTask { (try? await group.submit(n, key: "a", write: write)) == nil }
            }
            var failed = 0
            for await didFail in tasks where didFail { failed += 1 }
            return failed
        }
        #expect(failed == 20)
        #expect(await log.batches.flatMap { $0 }.count == 20, "each item written once")
    }

    @Test("when the writing request is cancelled, the items it carried for others are written by the next in line")
    func cancelledLeader() async throws {
        let group = GroupCommit<String, Int, Int>(maxBatch: 100, maxWriters: 1)
        let log = Log()
        let write: GroupCommit<String, Int, Int>.Write = { _, items in
            await log.add(items)
            try await Task.sleep(for: .milliseconds(200))
            return items
        }
        // 0 writes alone; 1, 2 and 3 queue behind it; 1 then writes [1, 2, 3] and is cancelled mid-write.
        async let zero = group.submit(0, key: "a", write: write)
        try await Task.sleep(for: .milliseconds(50))
        let carrier = Task { try await group.submit(1, key: "a", write: write) }
        try await Task.sleep(for: .milliseconds(20))
        async let two = group.submit(2, key: "a", write: write)
        async let three = group.submit(3, key: "a", write: write)
        #expect(try await zero == 0)
        try await Task.sleep(for: .milliseconds(60))
        carrier.cancel()
        #expect(try await two == 2)
        #expect(try await three == 3)
        await #expect(throws: CancellationError.self) { try await carrier.value }
        let batches = await log.batches
        #expect(batches.first == [0] && batches.contains([1, 2, 3]) && batches.last == [2, 3], "\(batches)")
    }
}
