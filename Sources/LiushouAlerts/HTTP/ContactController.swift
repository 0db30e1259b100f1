import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/me/contact`: how the signed-in user is reached besides the inbox. The phone is sealed like an
/// ID number and only ever answered masked.
struct ContactController: Sendable {
    let database: TenantDatabase
    let vault: IdentifierVault
    let store: AlertStore

    /// The body of a change: an absent `phone` keeps the stored one, `null` clears it.
    struct Change: Decodable {
        var phone: String??
        var wecomUserId: String?
        var dingtalkUserId: String?

        enum CodingKeys: String, CodingKey {
            case phone, wecomUserId, dingtalkUserId
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if container.contains(.phone) {
                self.phone = .some(try container.decodeNil(forKey: .phone) ? nil : try container.decode(String.self, forKey: .phone))
            }
            self.wecomUserId = try container.decodeIfPresent(String.self, forKey: .wecomUserId)
            self.dingtalkUserId = try container.decodeIfPresent(String.self, forKey: .dingtalkUserId)
        }
    }

    @Sendable func show(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let settings = try await self.database.transaction(for: caller) { try await self.store.contact(in: $0) }
        return try JSONResponse(settings, headers: [.eTag: "\"\(settings.version)\""])
    }

    @Sendable func change(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let version = try request.ifMatchVersion()
        let body = try await request.decodeJSON(as: Change.self, context: context)
        var errors: [Problem.FieldError] = []
        var phone = AlertStore.PhoneChange.keep
        switch body.phone {
        case .none: break
        case .some(.none): phone = .clear
        case .some(.some(let text)):
            if let normalised = ContactFormats.normalisedPhone(text) {
                phone = .set(sealed: try self.vault.seal(normalised), hint: ContactFormats.maskedPhone(normalised))
            } else {
                errors.append(.init(field: "phone", message: "must be a mobile number (11 digits) or a landline with its area code"))
            }
        }
        let wecom = Self.blankAsNil(body.wecomUserId)
        let dingtalk = Self.blankAsNil(body.dingtalkUserId)
        if let wecom, !ContactFormats.isUserID(wecom) {
            errors.append(.init(field: "wecomUserId", message: "must be 1 to 64 letters, digits or _-.@"))
        }
        if let dingtalk, !ContactFormats.isUserID(dingtalk) {
            errors.append(.init(field: "dingtalkUserId", message: "must be 1 to 64 letters, digits or _-.@"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors).localized(for: request) }
        let saved = try await self.database.transaction(for: caller) { transaction in
            guard
                let saved = try await self.store.saveContact(
                    version: version,
                    phone: phone,
                    wecomUserId: wecom,
                    dingtalkUserId: dingtalk,
                    in: transaction
                )
            else {
                throw Problem.versionMismatch("contact settings", current: try await self.store.contact(in: transaction).version)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.contact",
                resource: "account_contact",
                recordID: caller.accountID.uuidString.lowercased()
            ).append(in: transaction)
            return saved
        }
        return try JSONResponse(saved, headers: [.eTag: "\"\(saved.version)\""])
    }

    private static func blankAsNil(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
