import Foundation
import LiushouPlatform
import LiushouPostgres

/// Re-seals person files under the vault's current key: the ID number column, its digest, and the
/// guardians' and migrant relatives' ID numbers sealed inside the file.
public struct PersonKeyRotation: KeyRotationStep {
    let vault: IdentifierVault
    public var table: String { "person" }

    public init(vault: IdentifierVault) {
        self.vault = vault
    }

    /// Rows with a value not under the current key (`v1` values name no key; sealed text inside the
    /// file names its key as `v2:<id>:`).
    private var stale: SQLQuery {
        let id = self.vault.keyIDBytes
        let text = #""v(1:[A-Za-z0-9+/=]+|2:(?!"# + self.vault.keyID + #":)[0-9a-f]{8}:[A-Za-z0-9+/=]+)""#
        return """
            ((p.id_number_sealed is not null
              and (get_byte(p.id_number_sealed, 0) <> 2 or substring(p.id_number_sealed from 2 for 4) <> \(id)
                   or length(p.id_number_digest) <> 37 or substring(p.id_number_digest from 2 for 4) <> \(id)))
             or p.file::text ~ \(text))
            """
    }

    public func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await transaction.query("""
            select p.id, p.status, p.id_number_sealed, p.file from person p
            where p.id > \(start) and \(self.stale) order by p.id limit \(limit) for update
            """)
        guard let lastRow = rows.last else { return KeyRotationBatch(last: nil, resealed: 0, clashes: []) }
        var sealedIDs: [UUID] = [], sealed: [Data] = [], digests: [Data] = [], activeDigests: [UUID: Data] = [:]
        var fileIDs: [UUID] = [], files: [String] = []
        for row in rows {
            let id: UUID = try row.decode("id")
            if let old = try row.decode("id_number_sealed", as: Data?.self) {
                let plain = try self.vault.open(old)
                sealedIDs.append(id)
                sealed.append(try self.vault.seal(plain))
                let digest = self.vault.digest(plain)
                digests.append(digest)
                if try row.decode("status", as: String.self) == "active" { activeDigests[id] = digest }
            }
            let file = try row.decode("file", as: PostgresJSON<PersonFile>.self).value
            let resealed = try file.mappingIDNumbers { self.vault.isCurrent(sealedText: $0) ? $0 : try self.vault.sealText(try self.vault.openText($0)) }
            if resealed != file {
                fileIDs.append(id)
                files.append(PostgresJSON(resealed).postgresText)
            }
        }
        let clashes = try await self.clashes(activeDigests, in: transaction)
        if !clashes.isEmpty {
            let keep = sealedIDs.indices.filter { !clashes.contains(sealedIDs[$0]) }
            sealedIDs = keep.map { sealedIDs[$0] }
            sealed = keep.map { sealed[$0] }
            digests = keep.map { digests[$0] }
        }
        if !sealedIDs.isEmpty {
            try await transaction.query("""
                update person p set id_number_sealed = u.sealed, id_number_digest = u.digest
                from unnest(\(sealedIDs)::uuid[], \(sealed)::bytea[], \(digests)::bytea[]) as u(id, sealed, digest)
                where p.id = u.id
                """)
        }
        if !fileIDs.isEmpty {
            try await transaction.query("""
                update person p set file = u.file::jsonb from unnest(\(fileIDs)::uuid[], \(files)::text[]) as u(id, file) where p.id = u.id
                """)
        }
        return KeyRotationBatch(last: try lastRow.decode("id"), resealed: Set(sealedIDs + fileIDs).count, clashes: clashes)
    }

    /// Active files whose new digest another active file (already re-sealed, or in this batch) holds.
    private func clashes(_ digests: [UUID: Data], in transaction: PostgresTransaction) async throws -> [UUID] {
        guard !digests.isEmpty else { return [] }
        var clashing = Set<UUID>()
        var seen: [Data: UUID] = [:]
        for (id, digest) in digests.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            if seen[digest] != nil { clashing.insert(id) } else { seen[digest] = id }
        }
        let ids = Array(digests.keys), values = ids.map { digests[$0]! }
        let rows = try await transaction.query("""
            select u.id from unnest(\(ids)::uuid[], \(values)::bytea[]) as u(id, digest)
            where exists (select from person p where p.id_number_digest = u.digest and p.status = 'active' and p.id <> u.id)
            """)
        for row in rows { clashing.insert(try row.decode("id")) }
        return clashing.sorted { $0.uuidString < $1.uuidString }
    }

    /// Sealed text inside a file's JSON, under any key.
    private static let sealedText = #""v(1:|2:[0-9a-f]{8}:)[A-Za-z0-9+/=]+""#

    public func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int) {
        let row = try await transaction.query("""
            select count(*) filter (where p.id_number_sealed is not null or p.file::text ~ \(Self.sealedText)) as sealed,
                   count(*) filter (where \(self.stale)) as left
            from person p
            """).first
        return (try row?.decode("sealed", as: Int.self) ?? 0, try row?.decode("left", as: Int.self) ?? 0)
    }
}
