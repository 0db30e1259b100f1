import HTTPTypes
import LiushouAccess
import LiushouPostgres

/// Reads that may be served by a streaming replica (`--read-database-url`): the joint meeting's
/// dashboard, its trend and CSV, and the towns' report figures — pages that read a lot and write
/// nothing, where data a few seconds old is as good as current.
///
/// A read goes to the replica only while `ReplicaMonitor` knows its data is at most
/// `maxStaleness` old; otherwise, and when the replica fails mid-read, it runs on the primary.
/// Writes and paths that must read their own writes use `TenantDatabase` (the primary) directly.
public struct ReadDatabase: Sendable {
    /// The primary, for fall-back.
    public let primary: TenantDatabase
    private let replica: TenantDatabase?
    private let monitor: ReplicaMonitor?

    /// Reads on the primary only (no read pool configured).
    public init(primary: TenantDatabase) {
        self.primary = primary
        self.replica = nil
        self.monitor = nil
    }

    /// Reads on `replica` while `monitor` vouches for it.
    public init(primary: TenantDatabase, replica: TenantDatabase, monitor: ReplicaMonitor) {
        self.primary = primary
        self.replica = replica
        self.monitor = monitor
    }

    /// Runs a read-only `body` on the replica when it is recent enough, else on the primary, and
    /// says which served it. `body` may run twice (replica refused, then primary): it must not write.
    ///
    /// The read's own connection first reports its position (in the same round trip as BEGIN): its
    /// bound is that position's, whichever host of the pool it reached. A recovery conflict on the
    /// replica (40001, 40P01) or a full read pool reruns the read on the primary; a lost replica also
    /// stops reads going there until it answers a check again. A read that timed out is not rerun.
    public func transaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        for caller: Caller,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Read<Result> {
        if let replica = self.replica, let monitor = self.monitor, monitor.usableStaleness() != nil {
            do {
                var staleness: Duration? = nil
                let value = try await replica.transaction(for: caller) { transaction in
                    let row = try await transaction.query(ReplicaMonitor.positionQuery).first
                    guard let position = try row?.decode("lsn", as: String?.self).flatMap(WALPosition.init),
                        let bound = monitor.acceptableStaleness(at: position)
                    else { throw ReplicaTooStale() }
                    staleness = bound
                    return try await body(transaction)
                }
                if let staleness { return Read(value: value, origin: .replica(stalenessBound: staleness)) }
            } catch is ReplicaTooStale {
                // This connection's host is behind: the primary answers.
            } catch let error as DatabaseError {
                switch error {
                case .serializationFailure, .deadlockDetected, .poolExhausted:
                    break
                case .queryCanceled:
                    throw error
                default:
                    guard error.isUnavailable else { throw error }
                    monitor.replicaFailed()
                }
            }
        }
        return Read(value: try await self.primary.transaction(for: caller, body), origin: .primary)
    }
}

/// The replica connection a read reached is further behind than reads may be.
private struct ReplicaTooStale: Error {}

/// A value read through `ReadDatabase`, and where it came from.
public struct Read<Value> {
    public var value: Value
    public var origin: ReadOrigin
}

extension Read: Sendable where Value: Sendable {}

/// Which server answered a read.
public enum ReadOrigin: Sendable, Equatable {
    case primary
    /// A replica whose data was at most `stalenessBound` old when the read began.
    case replica(stalenessBound: Duration)

    /// `X-Read-Source: primary` or `replica`, and for a replica `X-Data-Staleness-Max` (whole
    /// seconds, rounded up): how old the answer's data may be.
    public var headers: HTTPFields {
        var fields = HTTPFields()
        switch self {
        case .primary:
            fields[Self.source] = "primary"
        case .replica(let bound):
            fields[Self.source] = "replica"
            let (seconds, fraction) = bound.components
            fields[Self.staleness] = String(seconds + (fraction > 0 ? 1 : 0))
        }
        return fields
    }

    static let source = HTTPField.Name("X-Read-Source")!
    static let staleness = HTTPField.Name("X-Data-Staleness-Max")!
}
