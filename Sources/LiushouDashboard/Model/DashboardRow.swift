import Foundation

/// The indicators and counts of one unit.
public struct DashboardRow: Sendable, Codable, Equatable {
    public var unitId: UUID
    public var unitName: String
    public var kind: String
    public var indicators: [IndicatorValue]
    /// Counts by metric (people by group, open follow-ups and unacknowledged reports by age, relief).
    public var counts: [String: Int]
}

/// A unit's dashboard: its own row first, then one per child unit.
public struct Dashboard: Sendable, Codable, Equatable {
    public var unitId: UUID
    public var generatedAt: Date
    public var rows: [DashboardRow]
}
