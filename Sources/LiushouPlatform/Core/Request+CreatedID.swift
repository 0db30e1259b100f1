import Crypto
import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP

extension Request {
    /// The id of the record a create stores: the body's own `id`; without one, an id derived from the
    /// request's `Idempotency-Key`, its path and the caller, so a retry under the same key meets the
    /// record its first attempt stored and is answered as a repeat (or 409 if the body changed);
    /// without either, a new time-ordered id, and a retry creates a second record.
    ///
    /// Derived ids are UUID version 8, and a client's own id of that version is refused (422 on `id`):
    /// the derivation is public, so a client could otherwise take the id another caller's keyed create
    /// will use, and that caller would meet 409 on every attempt.
    public func createdID(_ given: UUID?, by caller: Caller) throws -> UUID {
        if let given {
            guard given.uuid.6 >> 4 != 8 else {
                throw Problem.validation([.init(field: "id", message: "must not be a version-8 UUID (those are derived from Idempotency-Key)")])
            }
            return given
        }
        guard self.headers[.idempotencyKey] != nil else { return UUID.timeOrdered() }
        let key = try self.idempotencyKey()
        let digest = SHA256.hash(data: Data("liushou.create\u{0}\(caller.accountID)\u{0}\(self.uri.path)\u{0}\(key)".utf8))
        var bytes = Array(digest.prefix(16))
        // UUID version 8 (RFC 9562: custom), variant 10.
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
