import Foundation
import LiushouAccess
import LiushouPostgres

/// The one writer of a person's timeline (`person_event`), which every module appends to and everyone
/// who sees the person reads: summaries name the step, never a confidential detail.
public enum PersonTimeline {
    /// One entry.
    public struct Entry: Sendable, Equatable {
        public var id: UUID
        public var person: UUID
        public var module: String
        public var kind: String
        public var summary: String
        public var accountName: String?
        /// The record the entry is about, as text (a UUID in lower case, or another module's key).
        public var recordID: String?
        /// When it happened; nil takes the transaction's time.
        public var at: Date?

        public init(
            person: UUID,
            module: String,
            kind: String,
            summary: String,
            accountName: String?,
            recordID: String?,
            at: Date? = nil,
            id: UUID = UUID.timeOrdered()
        ) {
            self.id = id
            self.person = person
            self.module = module
            self.kind = kind
            self.summary = summary
            self.accountName = accountName
            self.recordID = recordID
            self.at = at
        }

        /// An entry written by `caller` about the record `record`.
        public init(person: UUID, module: String, kind: String, summary: String, caller: Caller, record: UUID, at: Date? = nil) {
            self.init(
                person: person,
                module: module,
                kind: kind,
                summary: summary,
                accountName: caller.name,
                recordID: record.uuidString.lowercased(),
                at: at
            )
        }
    }

    /// Appends one entry.
    public static func append(_ entry: Entry, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into person_event (id, person_id, at, module, kind, summary, account_name, record_id)
            values (\(entry.id), \(entry.person), coalesce(\(entry.at)::timestamptz, now()), \(entry.module), \(entry.kind), \(entry.summary),
                \(entry.accountName), \(entry.recordID))
            """
        )
    }

    /// Appends entries with one statement.
    public static func append(_ entries: [Entry], in transaction: PostgresTransaction) async throws {
        if entries.count == 1 { return try await self.append(entries[0], in: transaction) }
        guard let statement = self.statement(entries) else { return }
        try await transaction.query(statement)
    }

    /// The statement appending entries (nil for none), built without a connection.
    public static func statement(_ entries: [Entry]) -> SQLQuery? {
        guard !entries.isEmpty else { return nil }
        return """
            insert into person_event (id, person_id, at, module, kind, summary, account_name, record_id)
            select e.id, e.person_id, coalesce(e.at, now()), e.module, e.kind, e.summary, e.account_name, e.record_id
            from unnest(\(entries.map(\.id))::uuid[], \(entries.map(\.person))::uuid[], \(PostgresNullableArray(entries.map(\.at)))::timestamptz[],
                \(entries.map(\.module))::text[], \(entries.map(\.kind))::text[], \(entries.map(\.summary))::text[],
                \(PostgresNullableArray(entries.map(\.accountName)))::text[], \(PostgresNullableArray(entries.map(\.recordID)))::text[])
                as e (id, person_id, at, module, kind, summary, account_name, record_id)
            """
    }
}
