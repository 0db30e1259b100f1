import Foundation
import LiushouPostgres

/// A rate: numerator ÷ denominator to 4 places, null without a denominator.
public struct SchoolRate: Sendable, Codable, Equatable {
    public var numerator: Int
    public var denominator: Int
    public var rate: Double?

    /// `numerator` of `denominator`, the rate rounded to 4 places.
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
        self.rate = denominator == 0 ? nil : (Double(numerator) / Double(denominator) * 10_000).rounded() / 10_000
    }
}

/// The three rates for one unit (town, village, grid or school).
public struct SchoolRatesLine: Sendable, Codable, Equatable {
    public var unitId: UUID
    public var unitName: String
    public var unitKind: String
    /// 入学率: compulsory-age children (6–15) in school ÷ compulsory-age children.
    public var enrolment: SchoolRate
    /// 巩固率: of the compulsory-age children in school on 1 September, those still in school.
    public var retention: SchoolRate
    /// 入园率: children aged 3–5 in kindergarten (in school) ÷ children aged 3–5.
    public var kindergarten: SchoolRate
}

/// The rates on a day for a unit and its direct child units.
public struct SchoolRates: Sendable, Codable, Equatable {
    public var unitId: UUID
    public var on: LocalDate
    public var schoolYearStart: LocalDate
    public var items: [SchoolRatesLine]
}
