import Foundation
import LiushouPlatform
import LiushouPostgres

/// Re-seals the alerts module's secrets under the vault's current key: robot webhook addresses,
/// DingTalk secrets and SMS numbers of channels (`alert_channel`), users' phones (`account_contact`).
public struct AlertKeyRotation: KeyRotationStep {
    /// A table and its sealed columns.
    public struct Sealed: Sendable {
        let table: String
        let key: String
        let columns: [String]
    }

    public static let channels = Sealed(table: "alert_channel", key: "id", columns: ["target_sealed", "secret_sealed"])
    public static let contacts = Sealed(table: "account_contact", key: "account_id", columns: ["phone_sealed"])

    let vault: IdentifierVault
    let sealed: Sealed
    public var table: String { self.sealed.table }

    public init(vault: IdentifierVault, sealed: Sealed) {
        self.vault = vault
        self.sealed = sealed
    }

    /// Rows holding a value not sealed under the current key.
    private var stale: SQLQuery {
        var query: SQLQuery = "("
        for (index, column) in self.sealed.columns.enumerated() {
            if index > 0 { query.append(" or ") }
            query.append(
                "(t.\(identifier: column) is not null and (get_byte(t.\(identifier: column), 0) <> 2 or substring(t.\(identifier: column) from 2 for 4) <> \(self.vault.keyIDBytes)))"
            )
        }
        query.append(")")
        return query
    }

    public func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let key = self.sealed.key
        let rows = try await transaction.query(
            """
            select t.\(identifier: key) as key, \(self.selectList) from \(identifier: self.sealed.table) t
            where t.\(identifier: key) > \(start) and \(self.stale) order by t.\(identifier: key) limit \(limit) for update
            """
        )
        guard let last = rows.last else { return KeyRotationBatch(last: nil, resealed: 0, clashes: []) }
        var resealed = 0
        var unreadable: [UUID] = []
        for row in rows {
            let id: UUID = try row.decode("key")
            var values: [Data?] = []
            var readable = true
            for column in self.sealed.columns {
                guard let value = try row.decode(column, as: Data?.self) else {
                    values.append(nil)
                    continue
                }
                guard let plain = try? self.vault.open(value) else {
                    readable = false
                    break
                }
                values.append(try self.vault.seal(plain))
            }
            guard readable else {
                unreadable.append(id)
                continue
            }
            var update: SQLQuery = "update \(identifier: self.sealed.table) set "
            for (index, column) in self.sealed.columns.enumerated() {
                if index > 0 { update.append(", ") }
                update.append("\(identifier: column) = \(values[index])")
            }
            update.append(" where \(identifier: key) = \(id)")
            try await transaction.query(update)
            resealed += 1
        }
        return KeyRotationBatch(last: try last.decode("key"), resealed: resealed, clashes: [], unreadable: unreadable)
    }

    public func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int) {
        let row = try await transaction.query(
            """
            select count(*) as sealed, count(*) filter (where \(self.stale)) as left from \(identifier: self.sealed.table) t
            """
        ).first
        return (try row?.decode("sealed", as: Int.self) ?? 0, try row?.decode("left", as: Int.self) ?? 0)
    }

    private var selectList: SQLQuery {
        var query: SQLQuery = ""
        for (index, column) in self.sealed.columns.enumerated() {
            if index > 0 { query.append(", ") }
            query.append("t.\(identifier: column)")
        }
        return query
    }
}
