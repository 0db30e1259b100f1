import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The version from `If-Match: "<version>"`, required for every change (428 without it).
    public func ifMatchVersion() throws -> Int {
        guard let header = self.headers[.ifMatch] else {
            throw Problem(
                status: .preconditionRequired,
                code: "if_match_required",
                title: "If-Match required",
                detail: "Send If-Match with the ETag you read, so concurrent edits cannot overwrite each other."
            )
        }
        let digits = header.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
        guard let version = Int(digits) else {
            throw Problem.badRequest(
                "If-Match must hold the ETag you read.",
                errors: [.init(field: "If-Match", message: "must be an ETag like \"3\"")]
            )
        }
        return version
    }

    /// The version from `If-Match` when the request sends one (a change that may also be made without
    /// it, to the record as it is); a malformed one is refused as by `ifMatchVersion()`.
    public func ifMatchVersionIfSent() throws -> Int? {
        self.headers[.ifMatch] == nil ? nil : try self.ifMatchVersion()
    }
}
