import Foundation
import LiushouPostgres

/// What one batch of a key rotation did.
public struct KeyRotationBatch: Sendable, Equatable {
    /// The last row the batch looked at (the next batch starts after it); `nil` when none was left.
    public var last: UUID?
    /// Rows re-sealed under the current key.
    public var resealed: Int
    /// Rows left under their old key because re-digesting them would clash with another active row
    /// holding the same identifier (two files for one person: resolve by hand, then rotate again).
    public var clashes: [UUID]
    /// Rows left as they are because a value does not open under any key of the ring (a key
    /// dropped too early, or damaged bytes); the rest of the batch is re-sealed all the same.
    public var unreadable: [UUID]

    public init(last: UUID?, resealed: Int, clashes: [UUID], unreadable: [UUID] = []) {
        self.last = last
        self.resealed = resealed
        self.clashes = clashes
        self.unreadable = unreadable
    }
}

/// A table whose rows hold sealed identifiers. Each module that seals owns its step: it finds the
/// rows not yet under the vault's current key, re-seals and re-digests them, and counts what is left.
/// Steps run through an owner connection (all tenants) and never change a row's version, so nobody's
/// open edit of the row is refused because of a rotation.
public protocol KeyRotationStep: Sendable {
    /// The table, as reports name it.
    var table: String { get }
    /// Re-seals up to `limit` rows with ids after `after` (in id order), locking them meanwhile.
    func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch
    /// Rows holding sealed identifiers, and of those the ones not yet under the current key.
    func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int)
}
