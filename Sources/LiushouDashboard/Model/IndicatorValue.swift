/// An indicator's value for one unit: numerator ÷ denominator against the target.
public struct IndicatorValue: Sendable, Codable, Equatable {
    /// Red, amber or green against the target (`none` without a target or a denominator).
    public enum Status: String, Sendable, Codable {
        case green
        case amber
        case red
        case none
    }

    public var key: String
    public var numerator: Int
    public var denominator: Int
    /// numerator ÷ denominator to 4 places (nil without a denominator).
    public var rate: Double?
    public var target: Double?
    public var status: Status

    /// The value of `definition` over summed leaf `counts`.
    public init(_ definition: IndicatorDefinition, counts: [String: Int]) {
        self.key = definition.key
        self.numerator = counts[definition.numerator] ?? 0
        self.denominator = counts[definition.denominator] ?? 0
        self.rate = self.denominator == 0 ? nil : (Double(self.numerator) / Double(self.denominator) * 10_000).rounded() / 10_000
        self.target = definition.target
        guard self.denominator > 0, let target = definition.target else {
            self.status = .none
            return
        }
        // Green at the target, amber within 10 points below it, red further off; judged on the
        // exact fraction in whole numbers (39,999 of 40,000 rounds to 1 but has not met 100 %).
        let scaled = self.numerator * 10_000
        let targetPoints = Int((target * 10_000).rounded())
        self.status =
            scaled >= targetPoints * self.denominator
            ? .green : scaled >= (targetPoints - 1_000) * self.denominator ? .amber : .red
    }
}
