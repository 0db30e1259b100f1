import Foundation
import LiushouPostgres

/// Metric counts per leaf unit, summed into any unit by path (a unit holds its subtree).
struct LeafCounts: Sendable {
    struct Leaf: Sendable {
        var path: String
        var metrics: [String: Int]
    }

    var leaves: [Leaf]

    /// Live counts under `unit` (empty when the unit is outside the caller's person area).
    static func load(under unit: UUID, in transaction: PostgresTransaction) async throws -> LeafCounts {
        try Self(rows: try await transaction.query("select unit_path, metric, value::int as value from dashboard_leaf_counts(\(unit))"))
    }

    init(rows: PostgresResult) throws {
        var byPath: [String: [String: Int]] = [:]
        for row in rows {
            byPath[try row.decode("unit_path", as: String.self), default: [:]][try row.decode("metric", as: String.self)] = try row.decode(
                "value",
                as: Int.self
            )
        }
        self.leaves = byPath.map { Leaf(path: $0.key, metrics: $0.value) }
    }

    init(leaves: [Leaf]) {
        self.leaves = leaves
    }

    /// The summed metrics of the subtree at `path` (all leaves when `nil`).
    func total(under path: String?) -> [String: Int] {
        var total: [String: Int] = [:]
        for leaf in self.leaves where path.map({ leaf.path == $0 || leaf.path.hasPrefix($0 + ".") }) ?? true {
            for (metric, value) in leaf.metrics { total[metric, default: 0] += value }
        }
        return total
    }
}
