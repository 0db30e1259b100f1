/// The primary's WAL positions over time, and what a replica's position says about its data (a
/// value type, so the arithmetic is tested alone).
///
/// A replica that has replayed up to position P has everything the primary had written when its
/// position was at most P: its data is at most `now − the time of the newest such sample` old. The
/// samples are taken before asking (so a sample never claims writes made while its answer
/// travelled back), and a replica that reports a lower position than before simply gets a larger
/// bound (another host of a multi-host URL, a rebuilt standby).
public struct ReplicaLag: Sendable {
    private var samples: [(at: ContinuousClock.Instant, position: WALPosition)] = []
    private let keep: Int
    private var replicaPosition: WALPosition?
    private var failed = true
    public private(set) var replicaIsStandby: Bool?

    public init(keep: Int) {
        self.keep = max(2, keep)
    }

    /// The primary was at `position` no earlier than `instant`.
    public mutating func recordPrimary(_ position: WALPosition, at instant: ContinuousClock.Instant) {
        self.samples.append((at: instant, position: position))
        if self.samples.count > self.keep { self.samples.removeFirst(self.samples.count - self.keep) }
    }

    /// The replica's position as just read (`nil`: a standby that has replayed nothing yet).
    public mutating func recordReplica(_ position: WALPosition?, standby: Bool) {
        self.replicaIsStandby = standby
        self.replicaPosition = position
        self.failed = position == nil
    }

    public mutating func replicaFailed() {
        self.failed = true
    }

    /// How old the data of a server at `position` may be at `now`; `nil` when it is behind every
    /// sample kept.
    public func bound(for position: WALPosition, now: ContinuousClock.Instant) -> Duration? {
        guard let covered = self.samples.last(where: { $0.position <= position }) else { return nil }
        return max(.zero, now - covered.at)
    }

    /// The bound for the replica as last checked; `nil` when unknown or the replica failed.
    public func stalenessBound(now: ContinuousClock.Instant) -> Duration? {
        guard !self.failed, let position = self.replicaPosition else { return nil }
        return self.bound(for: position, now: now)
    }
}
