import Foundation
import LiushouPostgres

/// Re-seals authenticator secrets under the vault's current key.
public struct TwoFactorKeyRotation: KeyRotationStep {
    let vault: IdentifierVault
    public var table: String { "account_totp" }

    public init(vault: IdentifierVault) {
        self.vault = vault
    }

    private var stale: SQLQuery {
        "(get_byte(t.secret_sealed, 0) <> 2 or substring(t.secret_sealed from 2 for 4) <> \(self.vault.keyIDBytes))"
    }

    public func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await transaction.query(
            """
            select t.account_id, t.secret_sealed from account_totp t
            where t.account_id > \(start) and \(self.stale) order by t.account_id limit \(limit) for update
            """
        )
        guard let last = rows.last else { return KeyRotationBatch(last: nil, resealed: 0, clashes: []) }
        var ids: [UUID] = []
        var sealed: [Data] = []
        var unreadable: [UUID] = []
        for row in rows {
            let id: UUID = try row.decode("account_id")
            guard let secret = try? self.vault.open(try row.decode("secret_sealed", as: Data.self)) else {
                unreadable.append(id)
                continue
            }
            ids.append(id)
            sealed.append(try self.vault.seal(secret))
        }
        if !ids.isEmpty {
            try await transaction.query(
                """
                update account_totp t set secret_sealed = u.sealed from unnest(\(ids)::uuid[], \(sealed)::bytea[]) as u(id, sealed)
                where t.account_id = u.id
                """
            )
        }
        return KeyRotationBatch(last: try last.decode("account_id"), resealed: ids.count, clashes: [], unreadable: unreadable)
    }

    public func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int) {
        let row = try await transaction.query("select count(*) as sealed, count(*) filter (where \(self.stale)) as left from account_totp t").first
        return (try row?.decode("sealed", as: Int.self) ?? 0, try row?.decode("left", as: Int.self) ?? 0)
    }
}
