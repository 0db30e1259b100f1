import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Whether a response may show ID and phone numbers unmasked: only when the request asks
/// (`?reveal=identifiers&reason=…`), the caller holds `identifiers.reveal` on the record's unit,
/// and the reveal is audited with its reason. Everything else gets `Masking`.
public struct IdentifierDisclosure: Sendable {
    /// Whether to show identifiers unmasked.
    public let reveal: Bool
    private let reason: String?

    /// Reads the request's reveal parameters; a reveal without a reason is refused (422).
    public init(request: Request) throws {
        let query = request.uri.queryParameters
        guard let asked = query["reveal"] else {
            self.reveal = false
            self.reason = nil
            return
        }
        guard asked == "identifiers" else {
            throw Problem.validation([.init(field: "reveal", message: "must be identifiers")])
        }
        let reason = query["reason"].map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard (4...200).contains(reason.count) else {
            throw Problem.validation([.init(field: "reason", message: "say why the numbers are needed (4 to 200 characters)")])
        }
        self.reveal = true
        self.reason = reason
    }

    /// Checks the caller may reveal at `unitPath` (403 otherwise) and appends the audit row;
    /// call inside the transaction that reads the record. Returns whether to unmask.
    public func authorize(
        caller: Caller,
        unitID: UUID,
        unitPath: String,
        resource: String,
        recordID: String,
        context: AppRequestContext,
        transaction: PostgresTransaction
    ) async throws -> Bool {
        guard self.reveal else { return false }
        guard caller.holds(.identifiersReveal, at: unitPath) else {
            throw Problem(
                status: .forbidden,
                code: "reveal_forbidden",
                title: "Not allowed to reveal identifiers",
                detail: "Your roles show ID and phone numbers masked only."
            )
        }
        try await AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: "identifiers.reveal",
            resource: resource,
            recordID: recordID,
            unitID: unitID,
            unitPath: unitPath,
            detail: ["reason": self.reason ?? ""]
        ).append(in: transaction)
        return true
    }

    /// The ID number as the response shows it.
    public func idNumber(_ value: String?, revealed: Bool) -> String? {
        value.map { revealed ? $0 : Masking.idNumber($0) }
    }

    /// The phone number as the response shows it.
    public func phone(_ value: String?, revealed: Bool) -> String? {
        value.map { revealed ? $0 : Masking.phone($0) }
    }
}
