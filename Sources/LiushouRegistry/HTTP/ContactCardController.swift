import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import NIOCore

/// `GET /v1/persons/{id}/contact-card`: the printable 联系卡. Phones print in full only with a
/// reveal (`?reveal=identifiers&reason=…`), which is audited like any other.
struct ContactCardController: Sendable {
    let database: TenantDatabase
    let service: PersonService
    let repository: any PersonRepository

    @Sendable func card(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Response {
        let id = try context.uuidParameter("id")
        let disclosure = try IdentifierDisclosure(request: request)
        let card = try await self.database.transaction(for: caller) { transaction in
            let (record, revealed) = try await PersonController.disclosed(
                id,
                disclosure,
                action: "person.contact_card",
                service: self.service,
                caller: caller,
                context: context,
                in: transaction
            )
            let village = try await UnitBrief.load(record.file.villageId, in: transaction)
            let directory = try await self.repository.cardDirectory(of: id, in: transaction)
            let file = PersonController.view(record, caller: caller, revealed: revealed).file
            return ContactCard(file: file, villageName: village?.name ?? "", directory: directory, masked: !revealed)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = ContactCardPage.contentSecurityPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ContactCardPage.html(card))))
    }
}
