import Foundation
import LiushouPostgres

/// A row of a person list: what lists show, identifiers masked.
public struct PersonSummary: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    public var sex: Sex
    /// The year of birth only: with the masked ID number a full date would give the number back.
    public var birthYear: Int
    /// Masked; absent for people seen only through a school, clinic or pairing.
    public var idNumber: String?
    public var categories: [PersonCategory]
    public var status: PersonRecord.Status
    public var riskLevel: RiskLevel
    public var villageId: UUID
    public var gridId: UUID?
    public var schoolStage: SchoolStage?
    public var guardianshipType: GuardianshipType?
    public var noCapableGuardian: Bool
    public var complete: Bool
    public var version: Int
}

/// One entry of a person's timeline.
public struct PersonEvent: Sendable, Codable, Equatable {
    public var id: UUID
    public var at: Date
    public var module: String
    public var kind: String
    public var summary: String
    public var accountName: String?
    public var recordId: String?
}

/// One field change of a file's history.
public struct PersonChange: Sendable, Codable, Equatable {
    public var changeId: UUID
    public var at: Date
    public var accountName: String?
    public var action: String
    public var field: String
    public var oldValue: String?
    public var newValue: String?
}

/// Storage of person files. Every call runs inside the caller's scoped transaction.
public protocol PersonRepository: Sendable {
    /// The file, identifiers opened; `lock` takes a row lock for an update.
    func find(_ id: UUID, lock: Bool, in transaction: PostgresTransaction) async throws -> PersonRecord?
    /// The visible files among these ids, by id (files not visible are absent); `lock` takes their row
    /// locks for an update, in id order. A file in `known` whose row still has that version, status,
    /// unit and update time is answered from `known` without decoding its row again.
    func findMany(
        _ ids: [UUID],
        lock: Bool,
        reusing known: [UUID: PersonRecord],
        in transaction: PostgresTransaction
    ) async throws -> [UUID: PersonRecord]
    /// Stores a new file.
    func insert(_ record: PersonRecord, filledBy: UUID?, in transaction: PostgresTransaction) async throws
    /// The statement storing new files (the ledger import's new rows), built without a connection so
    /// that the next batch can be encoded while one is written.
    func insertManyStatement(_ records: [PersonRecord], filledBy: UUID?) throws -> SQLQuery
    /// Replaces a file if its version is still `expectedVersion`; returns whether it did.
    func update(_ record: PersonRecord, expectedVersion: Int, in transaction: PostgresTransaction) async throws -> Bool
    /// Replaces the content of files locked by `findMany(lock:)` in one statement, each if its version is
    /// still the expected one; status, exit and check stay as stored, but a file whose content changed
    /// loses its check. Returns how many it replaced.
    func updateMany(
        _ files: [(record: PersonRecord, expectedVersion: Int, contentChanged: Bool)],
        in transaction: PostgresTransaction
    ) async throws -> Int
    /// Whole files matching the query (exports), ordered by name then id.
    func records(_ query: PersonQuery, in transaction: PostgresTransaction) async throws -> [PersonRecord]
    /// The visible active file holding this ID number, if any.
    func activeFile(idNumber: String, in transaction: PostgresTransaction) async throws -> UUID?
    /// The visible active files holding any of these digests (the stored one of each number, or every
    /// digest a number may be stored under while the key is rotated), by digest.
    func activeFiles(digests: [Data], in transaction: PostgresTransaction) async throws -> [Data: UUID]
    /// Which of these digests any active file holds, visible or not.
    func takenDigests(_ digests: [Data], in transaction: PostgresTransaction) async throws -> Set<Data>
    /// Whether any active file, visible or not, holds this ID number.
    func activeFileExists(idNumber: String, in transaction: PostgresTransaction) async throws -> Bool
    /// A page of files matching the query, ordered by name then id.
    func list(_ query: PersonQuery, in transaction: PostgresTransaction) async throws -> [PersonSummary]
    /// Appends the field changes of writes to one or many people, each write under its own change id.
    func appendChanges(
        _ writes: [(person: UUID, changes: [FileDiff.Change])],
        action: String,
        accountID: UUID?,
        accountName: String?,
        in transaction: PostgresTransaction
    ) async throws
    /// The statement appending the same change to many people, e.g. "created" for an import's new files.
    func appendChangeStatement(
        _ change: FileDiff.Change,
        people: [UUID],
        action: String,
        accountID: UUID?,
        accountName: String?
    ) -> SQLQuery
    /// The statement appending timeline events of many people (nil for none).
    func appendEventsStatement(_ events: [(person: UUID, event: PersonEvent)]) -> SQLQuery?
    /// Appends timeline events of many people (one statement).
    func appendEvents(_ events: [(person: UUID, event: PersonEvent)], in transaction: PostgresTransaction) async throws
    /// Appends a timeline event.
    func appendEvent(_ event: PersonEvent, person: UUID, in transaction: PostgresTransaction) async throws
    /// The field history, newest first.
    func history(of person: UUID, limit: Int, in transaction: PostgresTransaction) async throws -> [PersonChange]
    /// Timeline events before a point (keyset), newest first.
    func timeline(
        of person: UUID,
        before: (Date, UUID)?,
        limit: Int,
        hiding modules: [String],
        in transaction: PostgresTransaction
    ) async throws -> [PersonEvent]
    /// Who to call about the person, as the contact card prints them (kind, name).
    func cardDirectory(of person: UUID, in transaction: PostgresTransaction) async throws -> [ContactCard.Contact]
}

extension PersonRepository {
    /// The visible files among these ids, each decoded from its row.
    public func findMany(_ ids: [UUID], lock: Bool, in transaction: PostgresTransaction) async throws -> [UUID: PersonRecord] {
        try await self.findMany(ids, lock: lock, reusing: [:], in: transaction)
    }
}
