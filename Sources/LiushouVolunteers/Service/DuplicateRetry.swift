import LiushouHTTP
import LiushouPostgres

/// Concurrent first uploads of one client id: the loser of the insert race runs again and then
/// answers from the stored record (a retry) or with a conflict (other content).
enum DuplicateRetry {
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
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "volunteer_account" {
            throw Problem.validation([.init(field: "accountId", message: "this login already belongs to another volunteer")])
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "volunteer_id_number" {
            throw Problem.validation([.init(field: "idNumber", message: "a volunteer with this ID number is already registered here")])
        }
    }
}
