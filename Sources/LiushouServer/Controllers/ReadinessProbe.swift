import Synchronization

/// One database probe at a time for `/readyz`, answered within a deadline: with the database hung
/// a probe can take many seconds, and probes arriving meanwhile share it instead of each holding a
/// pooled connection.
final class ReadinessProbe<Value: Sendable>: Sendable {
    private let running = Mutex<Task<Value, any Error>?>(nil)
    private let operation: @Sendable () async throws -> Value

    init(_ operation: @escaping @Sendable () async throws -> Value) {
        self.operation = operation
    }

    /// The probe's result, or `nil` when it has not finished within `limit` (it goes on running).
    func result(within limit: Duration) async throws -> Value? {
        let task = self.running.withLock { running in
            if let running { return running }
            let operation = self.operation
            let started = Task { try await operation() }
            running = started
            return started
        }
        let answer = FirstAnswer<Result<Value, any Error>?>()
        return try await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, any Error>?, Never>) in
            answer.wait(continuation)
            Task {
                let result = await task.result
                self.running.withLock { if $0 == task { $0 = nil } }
                answer.resume(result)
            }
            Task {
                try? await Task.sleep(for: limit)
                answer.resume(nil)
            }
        }?.get()
    }
}

/// A continuation resumed by whichever answer comes first.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func wait(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ value: Value) {
        self.continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
