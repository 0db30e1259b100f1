import Foundation
import LiushouHTTP

/// What a ledger import did (or, in a dry run, would do), row by row.
public struct ImportReport: Sendable, Codable {
    /// One row's result.
    public struct RowResult: Sendable, Codable {
        public var line: Int
        public var outcome: PersonService.Outcome?
        public var personId: UUID?
        public var errors: [Problem.FieldError]
    }

    public var dryRun: Bool
    public var encoding: TextDecoding.Encoding
    public var rows: Int
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    public var failed: Int
    /// Header cells that are not ledger columns (ignored).
    public var ignoredColumns: [String]
    public var results: [RowResult]

    /// Notes what writing the row at `index` did.
    mutating func record(_ outcome: PersonService.Outcome, person: UUID, at index: Int) {
        self.results[index].outcome = outcome
        self.results[index].personId = person
        switch outcome {
        case .created: self.created += 1
        case .updated: self.updated += 1
        case .unchanged: self.unchanged += 1
        }
    }
}
