import Foundation

/// Service hours of one month (of a volunteer, or of an organisation's volunteers in a unit).
struct ServiceMonth: Encodable {
    /// `YYYY-MM`, China time.
    var month: String
    var organisation: String?
    var visits: Int
    var minutes: Int
    /// Hours with two decimals, e.g. `2.25`.
    var hours: String
    var volunteers: Int?
}

/// A volunteer's service hours of a year.
struct VolunteerHours: Encodable {
    var volunteerId: UUID
    var year: Int
    var totalMinutes: Int
    var months: [ServiceMonth]
}

/// The pairing rate (结对帮扶率) of a unit.
struct PairingRate: Encodable {
    var unitId: UUID
    var unitName: String
    var paired: Int
    var people: Int
    /// paired ÷ people, rounded to 4 places (null when there are no people).
    var rate: Double?
}
