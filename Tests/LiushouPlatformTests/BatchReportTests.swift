import Foundation
import LiushouHTTP
import Testing

@Suite("Batch answers")
struct BatchReportTests {
    /// What the synthesized encoding of an entry wrote before `BatchReport.Entry.encode(to:)`.
    private struct Synthesized: Encodable {
        var index: Int
        var id: UUID?
        var status: String
        var errors: [Problem.FieldError]?
    }

    private struct Input: Decodable, Sendable {
        var id: UUID
        var n: Int
    }

    @Test("an answer's entries are encoded as the synthesized encoding wrote them: ids in upper case, absent ones left out")
    func entriesEncodeAsSynthesized() throws {
        let ids = (0..<6).map { _ in UUID() }
        let body = """
            {"items":[{"id":"\(ids[0])","n":1},{"id":"\(ids[1])"},{"id":"\(ids[2])","n":1},{"id":"not an id","n":1},
            {"id":"\(ids[4])","n":1},{"id":"\(ids[5])","n":1}]}
            """
        struct Batch: Decodable { var items: [LenientItem<Input>] }
        let items = try JSONDecoder().decode(Batch.self, from: Data(body.utf8)).items
        #expect(items.map { $0.input == nil } == [false, true, false, true, false, false])
        #expect(items.map(\.id) == [nil, ids[1], nil, nil, nil, nil], "the id of an unreadable item, when it is canonical")
        let recorded: [BatchReport.Recorded] = [
            .init(id: ids[0], status: "created", errors: nil),
            .init(id: ids[2], status: "duplicate", errors: nil),
            .init(id: ids[4], status: "rejected", errors: [.init(field: "personId", message: "no such person")]),
            .init(id: ids[5], status: "conflict", errors: []),
        ]
        let report = BatchReport(items: items, recorded: recorded)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let written = try encoder.encode(report.results)
        let expected = try encoder.encode(
            report.results.map { Synthesized(index: $0.index, id: $0.id, status: $0.status, errors: $0.errors) }
        )
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(String(decoding: written, as: UTF8.self).contains(ids[0].uuidString))
        #expect(report.results.map(\.status) == ["created", "rejected", "duplicate", "rejected", "rejected", "conflict"])
        #expect(report.created == 1 && report.duplicate == 1 && report.conflict == 1 && report.rejected == 3)
    }
}
