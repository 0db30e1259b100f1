import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/alert-channels`: a unit's WeCom or DingTalk group robot, or an SMS number (the police
/// station's duty phone), that the unit's alerts also go to. The webhook URL holds the robot's key
/// and is sealed with the DingTalk secret like an ID number; answers show a masked hint only.
struct AlertChannelController: Sendable {
    let database: TenantDatabase
    let vault: IdentifierVault
    let store: AlertStore
    /// Hosts robots may be called at (the server would otherwise post to any address an
    /// administrator types, inside the government network too).
    let webhookHosts: Set<String>

    struct ListQuery: Decodable {
        var unitId: UUID?
    }

    struct Create: Decodable, Encodable {
        var id: UUID?
        var unitId: UUID
        var kind: AlertChannelKind
        var name: String
        var url: String?
        var secret: String?
        var phone: String?
        var events: [String]?
    }

    struct Queued: Encodable {
        var deliveryId: UUID
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let unit = try request.uri.decodeQuery(as: ListQuery.self, context: context).unitId
        let channels = try await self.database.transaction(for: caller) { try await self.store.channels(unit: unit, in: $0) }
        return try JSONResponse(Items(items: channels))
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        var body = try await request.decodeJSON(as: Create.self, context: context)
        let id = try request.createdID(body.id, by: caller)
        body.id = id
        let target: String
        let hint: String
        do {
            (target, hint) = try Self.validatedTarget(body, hosts: self.webhookHosts)
        } catch let problem as Problem {
            throw problem.localized(for: request)
        }
        // Trimmed as the address is: a pasted "SEC…" with a line break after it signs nothing right.
        let secret =
            body.kind == .dingtalk
            ? body.secret.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 } : nil
        // Keyed: the body holds the webhook key or phone, which a plain hash would let anyone test guesses against.
        let hash = self.vault.digest(ContentHash.of(body).base64EncodedString())
        // Two first saves of one id at once: the loser runs again and answers from the winner's channel.
        let channel = try await DuplicateRetry.once(primaryKey: "alert_channel_pkey") {
            try await self.database.transaction(for: caller) { transaction in
                if let (existing, existingHash) = try await self.store.channel(id, in: transaction) {
                    guard existingHash == hash else { throw Problem.idConflict("channel") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (existing, false)
                }
                guard let path = try await self.store.unitPath(body.unitId, in: transaction), caller.holds(.alertsManage, at: path)
                else { throw Problem.validation([.init(field: "unitId", message: "no such unit in your scope")]).localized(for: request) }
                let created = try await self.store.createChannel(
                    AlertStore.NewChannel(
                        id: id,
                        unitID: body.unitId,
                        kind: body.kind,
                        name: body.name.trimmingCharacters(in: .whitespaces),
                        targetSealed: try self.vault.seal(target),
                        secretSealed: try secret.map { try self.vault.seal($0) },
                        targetHint: hint,
                        events: body.events.map { Array(Set($0)).sorted() },
                        contentHash: hash
                    ),
                    in: transaction
                )
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "alerts.channel_add",
                    resource: "alert_channel",
                    recordID: id.uuidString.lowercased(),
                    unitID: body.unitId,
                    unitPath: path,
                    detail: ["kind": body.kind.rawValue]
                )
                .append(in: transaction)
                return (created, true)
            }
        }
        return try JSONResponse(
            channel.0,
            status: channel.1 ? .created : .ok,
            headers: [
                .eTag: "\"\(channel.0.version)\"", .location: "/v1/alert-channels/\(id.uuidString.lowercased())",
            ]
        )
    }

    @Sendable func remove(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> Response {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        try await self.database.transaction(for: caller) { transaction in
            guard let (channel, _) = try await self.store.channel(id, in: transaction), channel.active else {
                throw Problem.notFound("No such channel.")
            }
            guard try await self.store.deactivateChannel(id, version: version, in: transaction) else {
                throw Problem.versionMismatch("channel", current: channel.version)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.channel_remove",
                resource: "alert_channel",
                recordID: id.uuidString.lowercased(),
                unitID: channel.unitId
            ).append(in: transaction)
        }
        return Response(status: .noContent)
    }

    @Sendable func test(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> Response {
        let id = try context.uuidParameter("id")
        let delivery = try await self.database.transaction(for: caller) { transaction in
            guard let delivery = try await self.store.testChannel(id, in: transaction) else { throw Problem.notFound("No such channel.") }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.channel_test",
                resource: "alert_channel",
                recordID: id.uuidString.lowercased()
            ).append(in: transaction)
            return delivery
        }
        return try JSONResponse(Queued(deliveryId: delivery), status: .accepted).response(from: request, context: context)
    }

    /// The value to seal and the hint people see, or the field errors.
    private static func validatedTarget(_ body: Create, hosts: Set<String>) throws -> (String, String) {
        var errors: [Problem.FieldError] = []
        let name = body.name.trimmingCharacters(in: .whitespaces)
        if !(1...50).contains(name.unicodeScalars.count) { errors.append(.init(field: "name", message: "must be 1 to 50 characters")) }
        if let events = body.events, events.contains(where: { AlertEventKind(rawValue: $0) == nil }) {
            errors.append(.init(field: "events", message: "must be known alert events"))
        }
        var target = ""
        var hint = ""
        switch body.kind {
        case .wecom, .dingtalk:
            if let url = body.url.map({ $0.trimmingCharacters(in: .whitespaces) }), let hinted = WebhookURL.hint(url, kind: body.kind) {
                if WebhookURL.allowed(url, hosts: hosts) {
                    (target, hint) = (url, hinted)
                } else {
                    errors.append(
                        .init(field: "url", message: "must be a webhook host this server may call (\(hosts.sorted().joined(separator: ", ")))")
                    )
                }
            } else {
                errors.append(.init(field: "url", message: "must be the robot's webhook address (https, with its key or access_token)"))
            }
            if body.kind == .dingtalk, let secret = body.secret, secret.count > 200 {
                errors.append(.init(field: "secret", message: "must be at most 200 characters"))
            }
        case .sms:
            if let phone = body.phone.flatMap(ContactFormats.normalisedPhone) {
                (target, hint) = (phone, ContactFormats.maskedPhone(phone))
            } else {
                errors.append(.init(field: "phone", message: "must be a mobile number (11 digits) or a landline with its area code"))
            }
        case .inbox:
            errors.append(.init(field: "kind", message: "must be wecom, dingtalk or sms"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (target, hint)
    }
}
