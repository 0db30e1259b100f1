import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP

/// `/v1/auth/two-factor/*`: a user enrols an authenticator app and gives its codes. Reachable by a
/// session that still owes its second factor; answers are never cached.
struct TwoFactorController: Sendable {
    let service: TwoFactorService

    init(service: TwoFactorService) {
        self.service = service
    }

    struct ConfirmRequest: Decodable {
        var code: String
        /// The `enrolment` the enrol answer named, if the client kept it.
        var enrolment: String?
    }

    struct VerifyRequest: Decodable {
        var code: String?
        var recoveryCode: String?
    }

    @Sendable func enrol(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        try Self.private(try await self.service.enrol(caller, context: context), status: .created)
    }

    @Sendable func confirm(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: ConfirmRequest.self, context: context)
        try Self.checkCode(body.code, field: "code")
        if let enrolment = body.enrolment, enrolment.count > 64 {
            throw Problem.validation([.init(field: "enrolment", message: "must have at most 64 characters")])
        }
        return try Self.private(try await self.service.confirm(caller, code: body.code, enrolment: body.enrolment, context: context), status: .ok)
    }

    @Sendable func verify(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: VerifyRequest.self, context: context)
        switch (body.code, body.recoveryCode) {
        case (let code?, nil): try Self.checkCode(code, field: "code")
        case (nil, let recovery?):
            guard (1...32).contains(recovery.count) else {
                throw Problem.validation([.init(field: "recoveryCode", message: "must have 1 to 32 characters")])
            }
        default:
            throw Problem.validation([.init(field: "code", message: "send either code or recoveryCode")])
        }
        return try Self.private(
            try await self.service.verify(caller, code: body.code, recoveryCode: body.recoveryCode, context: context),
            status: .ok
        )
    }

    static func checkCode(_ code: String, field: String) throws {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == TOTP.digits, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Problem.validation([.init(field: field, message: "must be the \(TOTP.digits) digits your authenticator app shows")])
        }
    }

    /// A JSON answer that no cache keeps (secrets and recovery codes).
    static func `private`(_ value: some Encodable, status: HTTPResponse.Status) throws -> JSONResponse {
        try JSONResponse(value, status: status, headers: [.cacheControl: "no-store"])
    }
}
