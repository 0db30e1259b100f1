import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// `/v1/service-accounts`: machine clients (a clinic's system, a dashboard) with long-lived API
/// tokens, shown once and stored hashed, scoped by grants like users, revocable.
struct ServiceAccountController: Sendable {
    let database: TenantDatabase

    struct CreateRequest: Decodable {
        var id: UUID?
        var username: String
        var displayName: String
        var homeUnitId: UUID
        var grants: [UserController.GrantRequest]
        var tokenLabel: String?
        var tokenExpiresAt: Date?
    }

    struct TokenRequest: Decodable {
        var label: String?
        var expiresAt: Date?
    }

    struct IssuedToken: Encodable {
        var account: Account
        var tokenId: UUID
        var token: String
        var expiresAt: Date?
    }

    /// Creates the account with its grants and first token (shown once); a repeat answers 409 `already_created`.
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: CreateRequest.self, context: context)
        var (username, displayName, problems) = AccountWriter.identityProblems(username: body.username, displayName: body.displayName)
        if body.grants.isEmpty { problems.append(.init(field: "grants", message: "must hold at least one role")) }
        problems += Self.tokenProblems(
            label: body.tokenLabel,
            labelField: "tokenLabel",
            expiresAt: body.tokenExpiresAt,
            expiryField: "tokenExpiresAt"
        )
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let id = body.id ?? UUID()
        // A concurrent create of the same id runs again and answers the stored account; an id naming an account the caller cannot see answers 409.
        return try await DuplicateRetry.once(primaryKey: "account_pkey", record: "account") {
            try await self.database.transaction(for: caller) { transaction in
                if let existing = try await Account.load(id, in: transaction) {
                    guard existing.username == username, existing.kind == "service" else {
                        throw Problem.idConflict("account")
                    }
                    throw Problem(
                        status: .conflict,
                        code: "already_created",
                        title: "Service account exists",
                        detail: "Its first token was shown when it was created; issue a new one with POST /v1/service-accounts/{id}/tokens."
                    )
                }
                _ = try await AccountWriter.homePath(body.homeUnitId, .serviceAccountsManage, caller: caller, transaction: transaction)
                try await UserController.checkGrantable(body.grants, caller: caller, transaction: transaction, field: "grants", service: true)
                try await AccountWriter.insert(
                    id: id,
                    kind: .service,
                    username: username,
                    displayName: displayName,
                    homeUnitID: body.homeUnitId,
                    passwordHash: nil,
                    grants: body.grants,
                    grantedBy: caller.accountID,
                    transaction: transaction
                )
                guard let account = try await Account.load(id, in: transaction) else { throw Problem.internalError }
                let issued = try await Self.issueToken(for: account, label: body.tokenLabel, expiresAt: body.tokenExpiresAt, transaction: transaction)
                try await self.audit("service_account.create", account, issued.tokenId, caller, context, transaction)
                return try JSONResponse(issued, status: .created, headers: [.location: "/v1/users/\(id.uuidString.lowercased())"])
            }
        }
    }

    @Sendable func issue(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: TokenRequest.self, context: context)
        let id = try context.uuidParameter("id")
        let problems = Self.tokenProblems(label: body.label, labelField: "label", expiresAt: body.expiresAt, expiryField: "expiresAt")
        guard problems.isEmpty else { throw Problem.validation(problems) }
        // With an Idempotency-Key the token's id comes from the key: a retry after a lost answer finds the
        // token issued and says so, rather than minting a second live credential whose secret nobody saw.
        let tokenID = try request.createdID(nil, by: caller)
        return try await self.database.transaction(for: caller) { transaction in
            let account = try await self.manageable(id, caller, transaction)
            if try await transaction.query("select 1 from credential where id = \(tokenID) and account_id = \(account.id)").first != nil {
                throw Problem(
                    status: .conflict,
                    code: "token_already_issued",
                    title: "This request's token was issued",
                    detail: "Its secret is shown only once. Revoke token \(tokenID.uuidString.lowercased()) and issue a new one."
                )
            }
            let issued = try await Self.issueToken(
                id: tokenID,
                for: account,
                label: body.label,
                expiresAt: body.expiresAt,
                transaction: transaction
            )
            try await self.audit("service_token.issue", account, issued.tokenId, caller, context, transaction)
            return try JSONResponse(issued, status: .created)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Response {
        let id = try context.uuidParameter("id")
        let tokenID = try context.uuidParameter("tokenId")
        return try await self.database.transaction(for: caller) { transaction in
            let account = try await self.manageable(id, caller, transaction)
            guard try await AccountWriter.revokeToken(tokenID, of: account.id, transaction: transaction) else {
                throw Problem.notFound("No such token.")
            }
            try await self.audit("service_token.revoke", account, tokenID, caller, context, transaction)
            return Response(status: .noContent)
        }
    }

    /// The longest a service token may live: a machine's credential is rotated at least this often.
    static let maximumTokenLifetime: TimeInterval = 730 * 86_400
    /// A token issued without an expiry lives this long.
    static let defaultTokenLifetime: TimeInterval = 365 * 86_400

    /// A label of at most 100 characters; an expiry in the future and within the maximum lifetime.
    static func tokenProblems(label: String?, labelField: String, expiresAt: Date?, expiryField: String) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if let label, label.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count > 100 {
            problems.append(.init(field: labelField, message: "must have at most 100 characters"))
        }
        if let expiresAt, expiresAt <= Date() { problems.append(.init(field: expiryField, message: "must be in the future")) }
        if let expiresAt, expiresAt > Date().addingTimeInterval(Self.maximumTokenLifetime) {
            problems.append(.init(field: expiryField, message: "must be within 730 days: tokens are rotated at least every two years"))
        }
        return problems
    }

    private static func issueToken(
        id tokenID: UUID = UUID(),
        for account: Account,
        label: String?,
        expiresAt: Date?,
        transaction: PostgresTransaction
    ) async throws -> IssuedToken {
        let token = BearerToken.generate(prefix: "lsk_")
        let expiresAt = expiresAt ?? Date().addingTimeInterval(Self.defaultTokenLifetime)
        let label = label.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        try await AccountWriter.insertToken(
            id: tokenID,
            accountID: account.id,
            hash: BearerToken.hash(token),
            label: label,
            expiresAt: expiresAt,
            transaction: transaction
        )
        return IssuedToken(account: account, tokenId: tokenID, token: token, expiresAt: expiresAt)
    }

    private func manageable(_ id: UUID, _ caller: Caller, _ transaction: PostgresTransaction) async throws -> Account {
        guard let account = try await Account.load(id, in: transaction), account.kind == "service",
            caller.holds(.serviceAccountsManage, at: account.homeUnitPath)
        else { throw Problem.notFound("No such service account.") }
        try await AccountWriter.requireAuthority(over: account.id, caller: caller, transaction: transaction)
        return account
    }

    private func audit(
        _ action: String,
        _ account: Account,
        _ tokenID: UUID,
        _ caller: Caller,
        _ context: AppRequestContext,
        _ transaction: PostgresTransaction
    ) async throws {
        try await AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: action,
            resource: "account",
            recordID: account.id.uuidString.lowercased(),
            unitID: account.homeUnitId,
            unitPath: account.homeUnitPath,
            detail: ["token": tokenID.uuidString.lowercased()]
        ).append(in: transaction)
    }
}
