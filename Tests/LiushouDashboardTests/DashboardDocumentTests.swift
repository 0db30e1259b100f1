import Foundation
import LiushouDashboard
import Testing

@Suite("Indicator definitions document")
struct DashboardDocumentTests {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/indicators.md")

    @Test("docs/indicators.md matches the definitions the API serves")
    func document() throws {
        let generated = IndicatorDocument.markdown()
        if ProcessInfo.processInfo.environment["LIUSHOU_WRITE_DOCS"] == "1" {
            try generated.write(to: Self.documentURL, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(committed == generated, "docs/indicators.md is stale: regenerate it with LIUSHOU_WRITE_DOCS=1")
        #expect(Set(IndicatorDefinition.all.map(\.key)).count == IndicatorDefinition.all.count)
    }
}
