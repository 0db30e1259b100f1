import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres
import Logging

/// One audit record: who did what to which record, with what result, from where.
public struct AuditEntry: Sendable {
    /// Outcome of the audited action.
    public enum Outcome: String, Sendable {
        case success
        case denied
        case failure
    }

    public var accountID: UUID?
    public var accountName: String?
    public var role: String?
    public var unitID: UUID?
    public var unitPath: String?
    /// Verb, e.g. `login`, `unit.create`, `person.reveal_id`.
    public var action: String
    /// Resource type, e.g. `session`, `org_unit`.
    public var resource: String
    public var recordID: String?
    public var outcome: Outcome
    public var clientAddress: String?
    public var requestID: String?
    /// Extra facts (never secrets or unmasked identifiers).
    public var detail: [String: String]?

    /// An entry for an action of `caller` from `origin` (a request, or a command-line run).
    public init(
        caller: Caller?,
        origin: AuditOrigin,
        action: String,
        resource: String,
        recordID: String? = nil,
        unitID: UUID? = nil,
        unitPath: String? = nil,
        outcome: Outcome = .success,
        detail: [String: String]? = nil
    ) {
        self.accountID = caller?.accountID
        self.accountName = caller?.name
        if let caller {
            let roles = unitPath.map { caller.roles(at: $0) } ?? Set(caller.grants.map(\.role))
            self.role = roles.sorted().map(\.rawValue).joined(separator: ",")
        }
        self.unitID = unitID
        self.unitPath = unitPath
        self.action = action
        self.resource = resource
        self.recordID = recordID
        self.outcome = outcome
        self.clientAddress = origin.clientAddress
        self.requestID = origin.requestID
        self.detail = detail
    }

    /// Appends the entry; call it last in the transaction (the chain lock is held until commit). An
    /// entry with a unit but no path is filed under the unit's path, so the unit's auditors find it.
    public func append(in transaction: PostgresTransaction) async throws {
        let detail = self.detail.map(PostgresJSON.init)
        try await transaction.query(
            """
            insert into audit_log (chain_position, at, account_id, account_name, role, unit_id, unit_path, action, resource,
                record_id, result, client_address, request_id, detail, prev_hash, hash)
            values (0, now(), \(self.accountID), \(self.accountName), \(self.role), \(self.unitID),
                coalesce(\(self.unitPath)::ltree, (select u.path from org_unit u where u.id = \(self.unitID))),
                \(self.action), \(self.resource), \(self.recordID), \(self.outcome.rawValue), \(self.clientAddress),
                \(self.requestID), \(detail), ''::bytea, ''::bytea)
            """
        )
    }

    /// Audits a refused request of an authenticated caller (best effort: a failure to audit is logged).
    public static func recordDenial(caller: Caller, method: String, path: String, context: AppRequestContext, database: TenantDatabase) async {
        // Filed under the caller's own unit, so the auditors above it see the attempt.
        let home = caller.grants.first
        let entry = AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: "access.denied",
            resource: "route",
            recordID: "\(method) \(path)",
            unitID: home?.unitID,
            unitPath: home?.unitPath,
            outcome: .denied
        )
        do {
            try await database.unscoped { transaction in
                try await entry.append(in: transaction)
            }
        } catch {
            context.logger.error(
                "could not audit a refused request",
                metadata: ["error": .string((error as? DatabaseError)?.redactedDescription ?? "\(type(of: error))")]
            )
        }
    }
}
