/// A measurement the platform knows: its unit and the plausible range (values outside are typos).
public struct MeasurementRule: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var range: ClosedRange<Double>

    /// Known measurements by name.
    public static let all: [String: MeasurementRule] = Dictionary(
        uniqueKeysWithValues: [
            MeasurementRule(name: "height_cm", unit: "cm", range: 30...250),
            MeasurementRule(name: "weight_kg", unit: "kg", range: 1...300),
            MeasurementRule(name: "waist_cm", unit: "cm", range: 30...200),
            MeasurementRule(name: "systolic", unit: "mmHg", range: 50...260),
            MeasurementRule(name: "diastolic", unit: "mmHg", range: 30...160),
            MeasurementRule(name: "heart_rate", unit: "/min", range: 30...220),
            MeasurementRule(name: "temperature", unit: "°C", range: 34...43),
            MeasurementRule(name: "glucose", unit: "mmol/L", range: 1...35),
            MeasurementRule(name: "hemoglobin", unit: "g/L", range: 30...250),
            MeasurementRule(name: "vision_left", unit: "decimal", range: 0.01...2.0),
            MeasurementRule(name: "vision_right", unit: "decimal", range: 0.01...2.0),
        ].map { ($0.name, $0) }
    )

    /// The range as people write it, e.g. `50–260 mmHg`.
    public var rangeText: String {
        "\(Self.format(self.range.lowerBound))–\(Self.format(self.range.upperBound)) \(self.unit)"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
