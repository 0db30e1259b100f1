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

    /// The sealed ID numbers inside a file (the person's own, the guardian's, migrant relatives'),
    /// one text per row; only these paths hold sealed values, whatever else a note may contain.
    private static let sealedTexts: SQLQuery = """
        select p.file->>'idNumber' as v
        union all select p.file#>>'{child,guardian,idNumber}'
        union all select m->>'idNumber' from jsonb_array_elements(
            case when jsonb_typeof(p.file->'migrantFamily') = 'array' then p.file->'migrantFamily' else '[]'::jsonb end) m
        """

    /// Rows with a value not under the current key (`v1` values name no key; sealed text inside the
    /// file names its key as `v2:<id>:`).
    private var stale: SQLQuery {
        let id = self.vault.keyIDBytes
        let current = "v2:\(self.vault.keyID):%"
        return """
            ((p.id_number_sealed is not null
              and (get_byte(p.id_number_sealed, 0) <> 2 or substring(p.id_number_sealed from 2 for 4) <> \(id)
                   or length(p.id_number_digest) <> 37 or substring(p.id_number_digest from 2 for 4) <> \(id)))
             or exists (select from (\(Self.sealedTexts)) s where (s.v like 'v1:%' or s.v like 'v2:%') and s.v not like \(current)))
            """
    }

    /// One sealed text of a file to replace, at its JSON path.
    private struct TextChange {
        var id: UUID
        var path: String
        var value: String
    }

    public func rotate(after: UUID?, limit: Int, in transaction: PostgresTransaction) async throws -> KeyRotationBatch {
        let start = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await transaction.query(
            """
            select p.id, p.status, p.id_number_sealed, p.file from person p
            where p.id > \(start) and \(self.stale) order by p.id limit \(limit) for update
            """
        )
        guard let lastRow = rows.last else { return KeyRotationBatch(last: nil, resealed: 0, clashes: []) }
        var sealedIDs: [UUID] = []
        var sealed: [Data] = []
        var digests: [Data] = []
        var activeDigests: [UUID: Data] = [:]
        var changes: [TextChange] = []
        var unreadable: [UUID] = []
        for row in rows {
            let id: UUID = try row.decode("id")
            do {
                var column: (sealed: Data, digest: Data)? = nil
                if let old = try row.decode("id_number_sealed", as: Data?.self) {
                    let plain = try self.vault.open(old)
                    column = (try self.vault.seal(plain), self.vault.digest(plain))
                }
                let rowChanges = try self.textChanges(id: id, file: try row.decode("file", as: PostgresJSON<PersonFile>.self).value)
                if let column {
                    sealedIDs.append(id)
                    sealed.append(column.sealed)
                    digests.append(column.digest)
                    if try row.decode("status", as: String.self) == "active" { activeDigests[id] = column.digest }
                }
                changes += rowChanges
            } catch {
                // A value no key opens, or a file this version cannot read: reported, the rest goes on.
                unreadable.append(id)
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
            try await transaction.query(
                """
                update person p set id_number_sealed = u.sealed, id_number_digest = u.digest
                from unnest(\(sealedIDs)::uuid[], \(sealed)::bytea[], \(digests)::bytea[]) as u(id, sealed, digest)
                where p.id = u.id
                """
            )
        }
        // Only the sealed values change (jsonb_set at their paths): the rest of each file stays
        // byte for byte as it was. A row takes one change per statement, so rounds follow the row
        // with the most sealed values.
        var rounds: [[TextChange]] = []
        var seen: [UUID: Int] = [:]
        for change in changes {
            let round = seen[change.id, default: 0]
            seen[change.id] = round + 1
            if rounds.count <= round { rounds.append([]) }
            rounds[round].append(change)
        }
        for round in rounds {
            try await transaction.query(
                """
                update person p set file = jsonb_set(p.file, u.path::text[], to_jsonb(u.value))
                from unnest(\(round.map(\.id))::uuid[], \(round.map(\.path))::text[], \(round.map(\.value))::text[]) as u(id, path, value)
                where p.id = u.id
                """
            )
        }
        return KeyRotationBatch(
            last: try lastRow.decode("id"),
            resealed: Set(sealedIDs + changes.map(\.id)).count,
            clashes: clashes,
            unreadable: unreadable
        )
    }

    /// The file's sealed texts not under the current key, re-sealed, at their JSON paths.
    private func textChanges(id: UUID, file: PersonFile) throws -> [TextChange] {
        var changes: [TextChange] = []
        func reseal(_ text: String?, _ path: String) throws {
            guard let text, !self.vault.isCurrent(sealedText: text), text.hasPrefix("v1:") || text.hasPrefix("v2:") else { return }
            changes.append(TextChange(id: id, path: path, value: try self.vault.sealText(try self.vault.openText(text))))
        }
        try reseal(file.idNumber, "{idNumber}")
        try reseal(file.child?.guardian?.idNumber, "{child,guardian,idNumber}")
        for (index, member) in (file.migrantFamily ?? []).enumerated() {
            try reseal(member.idNumber, "{migrantFamily,\(index),idNumber}")
        }
        return changes
    }

    /// Active files whose new digest another active file (already re-sealed, or in this batch) holds.
    private func clashes(_ digests: [UUID: Data], in transaction: PostgresTransaction) async throws -> [UUID] {
        guard !digests.isEmpty else { return [] }
        var clashing = Set<UUID>()
        var seen: [Data: UUID] = [:]
        for (id, digest) in digests.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            if seen[digest] != nil { clashing.insert(id) } else { seen[digest] = id }
        }
        let ids = Array(digests.keys)
        let values = ids.map { digests[$0]! }
        let rows = try await transaction.query(
            """
            select u.id from unnest(\(ids)::uuid[], \(values)::bytea[]) as u(id, digest)
            where exists (select from person p where p.id_number_digest = u.digest and p.status = 'active' and p.id <> u.id)
            """
        )
        for row in rows { clashing.insert(try row.decode("id")) }
        return clashing.sorted { $0.uuidString < $1.uuidString }
    }

    public func census(in transaction: PostgresTransaction) async throws -> (sealed: Int, left: Int) {
        let row = try await transaction.query(
            """
            select count(*) filter (where p.id_number_sealed is not null
                                     or exists (select from (\(Self.sealedTexts)) s where s.v like 'v1:%' or s.v like 'v2:%')) as sealed,
                   count(*) filter (where \(self.stale)) as left
            from person p
            """
        ).first
        return (try row?.decode("sealed", as: Int.self) ?? 0, try row?.decode("left", as: Int.self) ?? 0)
    }
}
