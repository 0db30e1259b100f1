import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/pairings/:id/progress`: the periodic effect checks of a pairing (进步档案), by the village
/// cadre, the town, or a teacher of the child's school.
struct ProgressController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// Records a check (201), or answers a retry of one from the stored check (200).
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let pairingID = try context.uuidParameter("id")
        let input = try await request.decodeJSON(as: ProgressCheckInput.self, context: context)
        let (check, created) = try await DuplicateRetry.once(primaryKey: "pairing_progress_pkey") {
            try await self.database.transaction(for: caller) { transaction in
                guard try await ProgressStore.pairingExists(pairingID, in: transaction) else { throw Problem.notFound("No such pairing.") }
                if let stored = try await ProgressStore.find(input.id, in: transaction) {
                    guard stored.hash == ContentHash.of(input), stored.pairing == pairingID else { throw Problem.idConflict("effect check") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored.check, false)
                }
                var errors = VolunteerRules.problems(input, today: self.clock.today())
                if let person = try await ProgressStore.paths(of: input.personId, inPairing: pairingID, in: transaction) {
                    guard caller.holds(.pairingsAssess, at: person.path) || person.schoolPath.map({ caller.covers($0, in: .school) }) == true else {
                        throw Problem.forbidden("Effect checks are made by the person's village cadre, the town or a teacher of the child's school.")
                    }
                } else {
                    errors.append(.init(field: "personId", message: "is not a person of this pairing you can see"))
                }
                if !errors.isEmpty { throw Problem.validation(errors) }
                try await ProgressStore.insert(input, pairing: pairingID, caller: caller, in: transaction)
                guard let saved = try await ProgressStore.find(input.id, in: transaction) else { throw Problem.internalError }
                return (saved.check, true)
            }
        }
        return try JSONResponse(check, status: created ? .created : .ok)
    }

    /// A pairing's checks, newest first.
    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let pairingID = try context.uuidParameter("id")
        let items = try await self.database.transaction(for: caller) { transaction in
            guard try await ProgressStore.pairingExists(pairingID, in: transaction) else { throw Problem.notFound("No such pairing.") }
            return try await ProgressStore.list(pairing: pairingID, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }
}
