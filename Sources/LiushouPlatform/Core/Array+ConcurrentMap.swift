import Foundation

extension Array where Element: Sendable {
    /// `map` run on every core, a contiguous slice each, in order. For pure per-row work over large
    /// batches (parsing and validating a ledger) while nothing else is waiting on the cores.
    public func concurrentMap<T: Sendable>(_ transform: @escaping @Sendable (Element) -> T) async -> [T] {
        let slices = Swift.min(ProcessInfo.processInfo.activeProcessorCount, self.count / 256)
        guard slices > 1 else { return self.map(transform) }
        let size = (self.count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [T]).self) { group in
            for start in stride(from: 0, to: self.count, by: size) {
                let slice = self[start..<Swift.min(start + size, self.count)]
                group.addTask { (start, slice.map(transform)) }
            }
            var parts: [Int: [T]] = [:]
            for await (start, part) in group { parts[start] = part }
            return parts.keys.sorted().flatMap { parts[$0]! }
        }
    }
}
