import LiushouPostgres

/// A county's exception to Monday-to-Friday working days: a public holiday, or a weekend day worked
/// in exchange.
struct ReliefCalendarDay: Codable {
    var day: LocalDate
    var working: Bool
    var note: String?
}
