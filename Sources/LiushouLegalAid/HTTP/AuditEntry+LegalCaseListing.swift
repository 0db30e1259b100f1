import LiushouAccess
import LiushouHTTP
import LiushouPlatform

extension AuditEntry {
    /// A list of legal-aid cases was read: minors' cases, so every listing is in the log, filed under
    /// the caller's first grant.
    static func legalCaseListing(caller: Caller, context: AppRequestContext, detail: [String: String]) -> AuditEntry {
        AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: "legal_case.list",
            resource: "legal_case",
            unitID: caller.grants.first?.unitID,
            unitPath: caller.grants.first?.unitPath,
            detail: detail
        )
    }
}
