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

/// A unit's indicators week by week: the snapshots of past weeks, the current week live.
struct DashboardTrend: Encodable {
    struct Week: Encodable {
        /// The Monday the week starts on (`YYYY-MM-DD`, China time).
        var weekStart: String
        var indicators: [IndicatorValue]
    }

    var unitId: UUID
    var weeks: [Week]
}
