import Foundation
import LiushouHTTP
import LiushouPostgres
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

    @Test("an answer written by hand is what JSONEncoder writes for JSONResponse: sorted keys, slashes unescaped, every escape")
    func writtenByHand() throws {
        let ids = (0..<4).map { _ in UUID() }
        let body = #"{"items":[{"id":"\#(ids[0])","n":1},{"id":"\#(ids[1])"},{"n":2},{"id":"\#(ids[3])","n":3}]}"#
        let items = try JSONDecoder().decode(BatchBody<Input>.self, from: Data(body.utf8)).items
        let messages = ["a/b \"c\" \\ d", "控制\u{1}\u{8}\u{c}\n\r\t\u{1f}", "🙂 \u{2028} \u{7f} é", ""]
        let report = BatchReport(
            items: items,
            recorded: [
                .init(id: ids[0], status: "rejected", errors: messages.map { .init(field: "items[0].notes/\($0)", message: $0) }),
                .init(id: ids[3], status: "created", errors: nil),
            ]
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: report.json.utf8, as: UTF8.self) == String(decoding: try encoder.encode(report), as: UTF8.self))
        let empty = BatchReport(items: [LenientItem<Input>](), recorded: [])
        #expect(String(decoding: empty.json.utf8, as: UTF8.self) == String(decoding: try encoder.encode(empty), as: UTF8.self))
    }
}
