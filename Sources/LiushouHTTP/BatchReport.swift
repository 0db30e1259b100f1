import Foundation
import LiushouPostgres

/// The answer to a batch upload: one result per item, in order, and the counts per status.
public struct BatchReport: Encodable, Sendable {
    /// One item's result.
    public struct Entry: Encodable, Sendable {
        public var index: Int
        public var id: UUID?
        public var status: String
        public var errors: [Problem.FieldError]?

        private enum CodingKeys: String, CodingKey {
            case index, id, status, errors
        }

        /// As synthesized, but the id written without `uuidString`'s `snprintf` (an answer has
        /// thousands): the same upper-case text.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.index, forKey: .index)
            try container.encodeIfPresent(self.id?.uppercasedText, forKey: .id)
            try container.encode(self.status, forKey: .status)
            try container.encodeIfPresent(self.errors, forKey: .errors)
        }
    }

    /// What the recorder answered for one readable item.
    public struct Recorded: Sendable {
        public var id: UUID
        public var status: String
        public var errors: [Problem.FieldError]?

        public init(id: UUID, status: String, errors: [Problem.FieldError]?) {
            self.id = id
            self.status = status
            self.errors = errors
        }
    }

    public var created = 0
    public var duplicate = 0
    public var conflict = 0
    public var rejected = 0
    public var results: [Entry] = []

    /// Merges the recorder's results for the readable items (in order) with the unreadable ones.
    public init<Input>(items: [LenientItem<Input>], recorded: [Recorded]) {
        var next = recorded.makeIterator()
        for (index, item) in items.enumerated() {
            let entry: Entry
            if item.input != nil, let result = next.next() {
                entry = Entry(index: index, id: result.id, status: result.status, errors: result.errors)
            } else {
                entry = Entry(
                    index: index,
                    id: item.id,
                    status: "rejected",
                    errors: [.init(field: "items[\(index)]", message: item.problem ?? "cannot be read")]
                )
            }
            switch entry.status {
            case "created": self.created += 1
            case "duplicate": self.duplicate += 1
            case "conflict": self.conflict += 1
            default: self.rejected += 1
            }
            self.results.append(entry)
        }
    }

    /// The answer as `JSONResponse(self)` writes it (keys sorted, `/` unescaped), written by hand:
    /// `JSONEncoder` took a twentieth of an offline batch of 1,000 and more of a clinic's 5,000.
    public var json: JSONText {
        JSONText.object { json in
            json.counts(self)
            json.objects("results", of: self.results) { json, entry in
                json.field("errors", entry.errors)
                json.field("id", entry.id)
                json.field("index", entry.index)
                json.field("status", entry.status)
            }
        }
    }
}

/// The counts of a batch's answer, in `JSONEncoder`'s sorted order.
public protocol BatchCounts {
    var created: Int { get }
    var duplicate: Int { get }
    var conflict: Int { get }
    var rejected: Int { get }
}

extension BatchReport: BatchCounts {}

extension JSONText.Fields {
    /// `conflict`, `created`, `duplicate` and `rejected`, the first keys of a sorted batch answer.
    public mutating func counts(_ counts: some BatchCounts) {
        self.field("conflict", counts.conflict)
        self.field("created", counts.created)
        self.field("duplicate", counts.duplicate)
        self.field("rejected", counts.rejected)
    }

    /// Field errors as `JSONEncoder` writes them (`field`, then `message`); nothing when `nil`.
    public mutating func field(_ name: StaticString, _ errors: [Problem.FieldError]?) {
        guard let errors else { return }
        self.objects(name, of: errors) { json, error in
            json.field("field", error.field)
            json.field("message", error.message)
        }
    }
}
