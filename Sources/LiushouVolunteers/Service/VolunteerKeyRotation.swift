import Foundation
import LiushouPlatform
import LiushouPostgres

/// Re-seals the volunteer register's ID numbers and digests under the vault's current key.
public struct VolunteerKeyRotation: KeyRotationStep {
    let vault: IdentifierVault
    public var table: String { "volunteer" }

    public init(vault: IdentifierVault) {
        self.vault = vault
    }

    private var stale: SQLQuery {
        let id = self.vault.keyIDBytes
        return """
            (v.id_number_sealed is not null
             and (get_byte(v.id_number_sealed, 0) <> 2 or substring(v.id_number_sealed from 2 for 4) <> \(id)
                  or length(v.id_number_digest) <> 37 or substring(v.id_number_digest from 2 for 4) <> \(id)))
            """
    }

    public func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await transaction.query(
            """
            select v.id, v.unit_id, v.id_number_sealed from volunteer v
            where v.id > \(start) and \(self.stale) order by v.id limit \(limit) for update
            """
        )
        guard let lastRow = rows.last else { return KeyRotationBatch(last: nil, resealed: 0, clashes: []) }
        var ids: [UUID] = []
        var units: [UUID] = []
        var sealed: [Data] = []
        var digests: [Data] = []
        var unreadable: [UUID] = []
        for row in rows {
            let id: UUID = try row.decode("id")
            guard let plain = try? self.vault.open(try row.decode("id_number_sealed", as: Data.self)) else {
                unreadable.append(id)
                continue
            }
            ids.append(id)
            units.append(try row.decode("unit_id"))
            sealed.append(try self.vault.seal(plain))
            digests.append(self.vault.digest(plain))
        }
        // The register is unique per unit: a volunteer whose new digest another one of the unit
        // already holds stays under the old key and is reported.
        var clashes = Set(
            try await transaction.query(
                """
                select u.id from unnest(\(ids)::uuid[], \(units)::uuid[], \(digests)::bytea[]) as u(id, unit_id, digest)
                where exists (select from volunteer v where v.unit_id = u.unit_id and v.id_number_digest = u.digest and v.id <> u.id)
                """
            ).map { try $0.decode("id", as: UUID.self) }
        )
        var seen = Set<[Data]>()
        for index in ids.indices where !seen.insert([units[index].uuidData, digests[index]]).inserted { clashes.insert(ids[index]) }
        let keep = ids.indices.filter { !clashes.contains(ids[$0]) }
        if !keep.isEmpty {
            try await transaction.query(
                """
                update volunteer v set id_number_sealed = u.sealed, id_number_digest = u.digest
                from unnest(\(keep.map { ids[$0] })::uuid[], \(keep.map { sealed[$0] })::bytea[], \(keep.map { digests[$0] })::bytea[])
                    as u(id, sealed, digest)
                where v.id = u.id
                """
            )
        }
        return KeyRotationBatch(
            last: try lastRow.decode("id"),
            resealed: keep.count,
            clashes: clashes.sorted { $0.uuidString < $1.uuidString },
            unreadable: unreadable
        )
    }

    public func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int) {
        let row = try await transaction.query(
            """
            select count(*) filter (where v.id_number_sealed is not null) as sealed, count(*) filter (where \(self.stale)) as left
            from volunteer v
            """
        ).first
        return (try row?.decode("sealed", as: Int.self) ?? 0, try row?.decode("left", as: Int.self) ?? 0)
    }
}

extension UUID {
    fileprivate var uuidData: Data { withUnsafeBytes(of: self.uuid) { Data($0) } }
}
