import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Concurrent first writes of one client id: the loser of the insert race runs again and then
/// answers from the stored record (a retry) or with a conflict (other content); other unique
/// constraints the write may hit answer the problems given for them.
public enum DuplicateRetry {
    /// Runs `body`, once more after a violation of `primaryKey` (or of a constraint in `alsoRetrying`:
    /// another unique key the same record holds, which a concurrent write of it hits first); a violation
    /// of a constraint named in `uniqueProblems` throws that problem. When the id is still taken on the
    /// second run, by a record the caller cannot see, the answer is 409 `id_conflict` naming `record`.
    public static func once<Result>(
        isolation: isolated (any Actor)? = #isolation,
        primaryKey: String,
        record: String = "record",
        alsoRetrying: Set<String> = [],
        uniqueProblems: [String: Problem] = [:],
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            do {
                return try await body()
            } catch DatabaseError.uniqueViolation(let constraint?, _) where constraint == primaryKey || alsoRetrying.contains(constraint) {
                do {
                    return try await body()
                } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == primaryKey {
                    // The id is taken by a record the caller cannot see.
                    throw Problem.idConflict(record)
                }
            }
        } catch let error as DatabaseError {
            if case .uniqueViolation(let constraint?, _) = error, let problem = uniqueProblems[constraint] { throw problem }
            throw error
        }
    }

    /// Writes a record under a client-chosen id in one of the caller's transactions: when the id is
    /// stored already, the same content (`stored` gives the record and its content hash, compared with
    /// `hash`) answers as a retry and other content 409 `id_conflict` naming `record`; else `write`
    /// stores it and answers it. Two first writes of the id racing run again (`once`).
    public static func create<Answer>(
        isolation: isolated (any Actor)? = #isolation,
        record: String,
        primaryKey: String,
        uniqueProblems: [String: Problem] = [:],
        hash: Data,
        database: TenantDatabase,
        caller: Caller,
        stored: (PostgresTransaction) async throws -> (answer: Answer, hash: Data)?,
        write: (PostgresTransaction) async throws -> Answer
    ) async throws -> (answer: Answer, created: Bool) {
        try await self.once(primaryKey: primaryKey, record: record, uniqueProblems: uniqueProblems) {
            try await database.transaction(for: caller) { transaction in
                if let existing = try await stored(transaction) {
                    guard existing.hash == hash else { throw Problem.idConflict(record) }
                    try await transaction.commitWaitsForStandby()
                    return (existing.answer, false)
                }
                return (try await write(transaction), true)
            }
        }
    }
}
