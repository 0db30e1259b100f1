import HTTPTypes
import LiushouHTTP
import LiushouPostgres

/// Concurrent first writes of one client id: the loser of the insert race runs again and then answers
/// from the stored record (a retry) or with a conflict; a second open roll row for a child is a 409.
enum SchoolDuplicateRetry {
    static func once<Result>(
        isolation: isolated (any Actor)? = #isolation, primaryKey: String, _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == primaryKey {
            do {
                return try await body()
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == primaryKey {
                // The id is taken by a record the caller cannot see.
                throw Problem.idConflict("record")
            }
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "school_enrolment_open" {
            throw Problem(status: .conflict, code: "already_enrolled", title: "The child is already on a school's roll",
                          detail: "Record a transfer from the current school instead.")
        }
    }
}
