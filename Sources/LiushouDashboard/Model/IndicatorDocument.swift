/// Renders the indicator definitions as Markdown (`docs/indicators.md`), from the same list the API serves.
public enum IndicatorDocument {
    /// `docs/indicators.md` as it should read; `DashboardDocumentTests` fails when the file differs.
    public static func markdown() -> String {
        var lines = [
            "# Joint-meeting indicators (联席会议指标)", "",
            "Generated from `IndicatorDefinition` (also served by `GET /v1/dashboard/definitions`); regenerate with",
            "`LIUSHOU_WRITE_DOCS=1 swift test --filter DashboardDocumentTests`.", "",
            "Every indicator is numerator ÷ denominator for a unit and its subtree, read live (a write shows in the next read),",
            "counting only active (not exited) people of the unit as it is now. Status: green at the target, amber within 10",
            "points below it, red further off, none without a target or a denominator. Weekly snapshots keep each week's",
            "counts with the units as they were, so past weeks do not change when people move.", "",
            "| key | indicator | numerator | denominator | target | definition |", "|---|---|---|---|---|---|",
        ]
        for indicator in IndicatorDefinition.all {
            let target = indicator.target.map { "\(Int(($0 * 100).rounded())) %" } ?? "—"
            lines.append(
                "| `\(indicator.key)` | \(indicator.name) | `\(indicator.numerator)` | `\(indicator.denominator)` | \(target) | \(indicator.definition) |"
            )
        }
        lines += ["", "## Counts shown with the rates", "", "| metric | meaning |", "|---|---|"]
        for count in IndicatorDefinition.counts {
            lines.append("| `\(count.metric)` | \(count.name) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
