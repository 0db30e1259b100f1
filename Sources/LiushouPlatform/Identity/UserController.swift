import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// `/v1/users`: administrators create accounts, grant and revoke roles, reset passwords and disable
/// accounts, all inside their own subtree and only with roles they may grant.
struct UserController: Sendable {
    let database: TenantDatabase
    let hasher: PasswordHasher

    /// `GET /v1/users`' query, as sent; checked in `list`.
    struct ListQuery: Decodable {
        var kind: String?
        var unitId: String?
        var q: String?
        var after: String?
        var limit: String?
    }

    struct GrantRequest: Decodable {
        var role: Role
        var unitId: UUID
    }

    struct CreateRequest: Decodable {
        var id: UUID?
        var username: String
        var displayName: String
        var homeUnitId: UUID
        var password: String
        var grants: [GrantRequest]
    }

    struct PasswordReset: Decodable {
        var password: String
    }

    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let account = try await self.database.transaction(for: caller) { transaction in
            try await self.visible(id, .usersRead, caller, transaction)
        }
        return try JSONResponse(account, headers: [.eTag: "\"\(account.version)\""])
    }

    @Sendable func grant(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: GrantRequest.self, context: context)
        let id = try context.uuidParameter("id")
        return try await self.change(id, action: "grant.add", request, context, caller, lockingUnits: [body.unitId]) { account, transaction in
            try await Self.checkGrantable([body], caller: caller, transaction: transaction, field: "", service: account.kind == "service")
            if account.grants.contains(where: { $0.role == body.role.rawValue && $0.unitId == body.unitId }) { return ["role": body.role.rawValue] }
            try await AccountWriter.addGrant(body.role, on: body.unitId, to: account.id, grantedBy: caller.accountID, transaction: transaction)
            return ["role": body.role.rawValue, "unit": body.unitId.uuidString.lowercased()]
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let grantID = try context.uuidParameter("grantId")
        return try await self.change(try context.uuidParameter("id"), action: "grant.revoke", request, context, caller) { account, transaction in
            guard let grant = account.grants.first(where: { $0.id == grantID }), let role = Role(rawValue: grant.role) else {
                throw Problem.notFound("No such grant.")
            }
            try await Self.checkGrantable([GrantRequest(role: role, unitId: grant.unitId)], caller: caller, transaction: transaction, field: "")
            // Two revokes at once: the second finds the grant gone, as it would after the first.
            guard try await AccountWriter.revokeGrant(grantID, of: account.id, by: caller.accountID, transaction: transaction) == 1 else {
                throw Problem.notFound("No such grant.")
            }
            return ["role": grant.role, "unit": grant.unitId.uuidString.lowercased()]
        }
    }

    @Sendable func resetPassword(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: PasswordReset.self, context: context)
        let problems = PasswordPolicy.problems(with: body.password)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let hash = try await self.hasher.hash(body.password)
        return try await self.change(try context.uuidParameter("id"), action: "password.reset", request, context, caller) { account, transaction in
            guard account.kind == "user" else { throw Problem.validation([.init(field: "id", message: "is a service account")]) }
            try await AccountWriter.resetPassword(of: account.id, hash: hash, transaction: transaction)
            return nil
        }
    }

    /// A lost phone: an administrator above the account removes its authenticator and ends its sessions;
    /// the next login enrols again where the policy asks for it.
    @Sendable func resetTwoFactor(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.change(try context.uuidParameter("id"), action: "two_factor.reset", request, context, caller) { account, transaction in
            guard account.kind == "user" else { throw Problem.validation([.init(field: "id", message: "is a service account")]) }
            let existed = try await TwoFactorService.reset(account: account.id, in: transaction)
            try await AccountWriter.changed(account.id, transaction: transaction)
            return ["had_authenticator": String(existed)]
        }
    }

    @Sendable func disable(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.change(try context.uuidParameter("id"), action: "account.disable", request, context, caller) { account, transaction in
            try await AccountWriter.disable(account.id, transaction: transaction)
            return nil
        }
    }

    /// Accounts whose home unit lies where the caller holds `users.read`, by username, a page at a time.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        var problems: [Problem.FieldError] = []
        let kind = query.kind
        if let kind, !["user", "service"].contains(kind) { problems.append(.init(field: "kind", message: "must be user or service")) }
        let unitID = query.unitId.flatMap { UUID(canonical: $0) }
        if query.unitId != nil, unitID == nil { problems.append(.init(field: "unitId", message: "must be a UUID")) }
        let text = query.q.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        if let text, text.count > 64 { problems.append(.init(field: "q", message: "must be at most 64 characters")) }
        let after = query.after
        if let after, after.isEmpty || after.count > 64 { problems.append(.init(field: "after", message: "must be a cursor from nextCursor")) }
        let limit = query.limit.map { Int($0) } ?? 50
        if limit == nil || !(1...200).contains(limit ?? 0) { problems.append(.init(field: "limit", message: "must be 1 to 200")) }
        guard problems.isEmpty, let limit else { throw Problem.validation(problems) }
        let filter = AccountFilter(scopes: caller.scopes(for: .usersRead), kind: kind, unitID: unitID, text: text, after: after, limit: limit)
        let accounts = try await self.database.transaction(for: caller) { transaction in
            try await Account.list(filter, in: transaction)
        }
        return try JSONResponse(Page(items: accounts, nextCursor: accounts.count == limit ? accounts.last?.username : nil))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: CreateRequest.self, context: context)
        var (username, displayName, problems) = AccountWriter.identityProblems(username: body.username, displayName: body.displayName)
        problems += PasswordPolicy.problems(with: body.password)
        if body.grants.isEmpty { problems.append(.init(field: "grants", message: "must hold at least one role")) }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let hash = try await self.hasher.hash(body.password)
        let id = body.id ?? UUID()
        // A concurrent create of the same id runs again and answers the stored account; an id naming an account the caller cannot see answers 409.
        return try await DuplicateRetry.once(primaryKey: "account_pkey", record: "account") {
            try await self.database.transaction(for: caller) { transaction in
                if let existing = try await Account.load(id, in: transaction) {
                    guard existing.username == username, existing.homeUnitId == body.homeUnitId else {
                        throw Problem.idConflict("account")
                    }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return try JSONResponse(existing, status: .ok, headers: [.eTag: "\"\(existing.version)\""])
                }
                let homePath = try await AccountWriter.homePath(body.homeUnitId, .usersManage, caller: caller, transaction: transaction)
                try await Self.checkGrantable(body.grants, caller: caller, transaction: transaction, field: "grants")
                try await AccountWriter.insert(
                    id: id,
                    kind: .user,
                    username: username,
                    displayName: displayName,
                    homeUnitID: body.homeUnitId,
                    passwordHash: hash,
                    grants: body.grants,
                    grantedBy: caller.accountID,
                    transaction: transaction
                )
                guard let account = try await Account.load(id, in: transaction) else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "account.create",
                    resource: "account",
                    recordID: id.uuidString.lowercased(),
                    unitID: body.homeUnitId,
                    unitPath: homePath,
                    detail: ["roles": body.grants.map(\.role.rawValue).sorted().joined(separator: ",")]
                ).append(in: transaction)
                return try JSONResponse(account, status: .created, headers: [.eTag: "\"1\"", .location: "/v1/users/\(id.uuidString.lowercased())"])
            }
        }
    }

    /// Loads a manageable account, applies a change, audits it, returns the account as it now is.
    /// With `If-Match`, the change is made only to the version the administrator read (412
    /// otherwise): two administrators resetting one password no longer both succeed unseen.
    private func change(
        _ id: UUID,
        action: String,
        _ request: Request,
        _ context: AppRequestContext,
        _ caller: Caller,
        lockingUnits units: [UUID] = [],
        _ apply: (Account, PostgresTransaction) async throws -> [String: String]?
    ) async throws -> JSONResponse {
        let expected = try request.ifMatchVersionIfSent()
        return try await self.database.transaction(for: caller) { transaction in
            // Every change of the account waits here for the one before it, and then reads its version.
            try await AccountWriter.lock(id, after: units, transaction: transaction)
            let account = try await self.visible(id, .usersManage, caller, transaction)
            guard account.id != caller.accountID else {
                throw Problem(
                    status: .forbidden,
                    code: "own_account",
                    title: "Not on your own account",
                    detail: "Another administrator must change your grants, password or status."
                )
            }
            try await AccountWriter.requireAuthority(over: account.id, caller: caller, transaction: transaction)
            if let expected, account.version != expected { throw Problem.versionMismatch("account", current: account.version) }
            let detail = try await apply(account, transaction)
            guard let updated = try await Account.load(id, in: transaction) else { throw Problem.internalError }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: action,
                resource: "account",
                recordID: id.uuidString.lowercased(),
                unitID: account.homeUnitId,
                unitPath: account.homeUnitPath,
                detail: detail
            ).append(in: transaction)
            return try JSONResponse(updated, headers: [.eTag: "\"\(updated.version)\""])
        }
    }

    /// An account whose home unit is inside the caller's scope with `permission`; else 404.
    private func visible(_ id: UUID, _ permission: Permission, _ caller: Caller, _ transaction: PostgresTransaction) async throws -> Account {
        guard let account = try await Account.load(id, in: transaction), caller.holds(permission, at: account.homeUnitPath) else {
            throw Problem.notFound("No such account.")
        }
        return account
    }

    /// Each grant must be on a unit in the caller's subtree, with a role the caller may grant there.
    /// Roles a service account may not hold: administration and the audit log need a person, who
    /// logs in with a second factor and is logged out when idle (an API token has neither).
    static let personOnlyRoles: Set<Role> = [.countyAdmin, .townAdmin, .auditor]

    static func checkGrantable(
        _ grants: [GrantRequest],
        caller: Caller,
        transaction: PostgresTransaction,
        field: String,
        service: Bool = false
    ) async throws {
        var problems: [Problem.FieldError] = []
        var seen: [String: Int] = [:]
        for (index, grant) in grants.enumerated() {
            let prefix = field.isEmpty ? "" : "\(field)[\(index)]."
            if service, Self.personOnlyRoles.contains(grant.role) {
                problems.append(.init(field: prefix + "role", message: "a service account may not hold \(grant.role.rawValue)"))
                continue
            }
            // The same role on the same unit twice would be one grant (the database holds one).
            let key = "\(grant.role.rawValue)/\(grant.unitId)"
            if let first = seen[key] {
                problems.append(.init(field: prefix + "role", message: "repeats \(field)[\(first)]"))
                continue
            }
            seen[key] = index
            guard let path = try await AccountWriter.activeUnitPath(grant.unitId, transaction: transaction) else {
                problems.append(.init(field: prefix + "unitId", message: "no such active unit in your scope"))
                continue
            }
            let grantable = caller.grants.filter { Caller.path(path, isInside: $0.unitPath) }.reduce(into: Set<Role>()) {
                $0.formUnion($1.role.grantableRoles)
            }
            if !grantable.contains(grant.role) {
                problems.append(.init(field: prefix + "role", message: "you may not grant \(grant.role.rawValue) on this unit"))
            }
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
    }
}
