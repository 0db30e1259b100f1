import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Records checkups uploaded by a clinic, one or a batch: checks content and plausibility, finds
/// each person by id or ID number among the people of the villages the clinic serves, then one
/// `checkups_record` call inserts the new rows, opens follow-ups and writes timeline events.
struct CheckupRecorder: Sendable {
    /// What happened to one row.
    struct Outcome: Sendable, Encodable {
        var index: Int
        var recordId: String?
        var id: UUID?
        var status: String
        var errors: [Problem.FieldError]?
    }

    /// A row to record, or why it could not be read.
    struct Row: Sendable {
        var index: Int
        var input: CheckupInput?
        var recordId: String?
        var errors: [Problem.FieldError]
    }

    static let maxBatch = 5000

    let vault: IdentifierVault
    /// Today, for checkups dated in the future or too long ago.
    let clock: ChinaClock

    /// Records a batch as `caller`, a large one in two transactions at once (one a 1,000 rows, see
    /// `split`), so that one upload uses more than one core; the outcomes in the rows' order.
    /// Between the parts' commits other readers see part of the batch, and a part that fails fails
    /// the request after the other may have committed: the clinic's retry answers its rows
    /// duplicate.
    func record(_ rows: [Row], caller: Caller, in database: TenantDatabase, parts: Int? = nil) async throws -> [Outcome] {
        let split = Self.split(rows, into: parts ?? TenantDatabase.parts(for: rows.count, rowsPerPart: 1000))
        let answers = try await database.transactions(for: caller, kind: .bulk, maxAttempts: 3, parts: split, whole: rows) { part, transaction in
            try await self.record(part, caller: caller, commitsWithWrite: true, in: transaction)
        }
        return answers.flatMap(\.result).sorted { $0.index < $1.index }
    }

    /// The rows in `parts` groups, each in the batch's order, such that the parts answer and write
    /// what one transaction does: the rows of one record id go together (a repeat is answered as
    /// the repeat of its first row; no two parts insert one record), and every row of a record
    /// that needs follow-up goes to the first part, so the follow-up alert, raised once a statement
    /// for each village and clinic, is raised once. A record's part comes from its id's bytes
    /// (FNV-1a), the same in every process.
    static func split(_ rows: [Row], into parts: Int) -> [[Row]] {
        guard parts > 1 else { return [rows] }
        let following = Set(rows.filter { $0.input?.followUpNeeded == true }.compactMap(\.recordId))
        var groups = [[Row]](repeating: [], count: parts)
        for row in rows {
            var part = row.index % parts
            if let record = row.recordId {
                let hash = record.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
                part = following.contains(record) ? 0 : Int(hash % UInt64(parts))
            }
            groups[part].append(row)
        }
        return groups.filter { !$0.isEmpty }
    }

    func record(_ rows: [Row], caller: Caller, commitsWithWrite: Bool, in transaction: PostgresTransaction) async throws -> [Outcome] {
        let today = self.clock.today()
        let clinics = Set(caller.grants.filter { $0.role == .clinicStaff }.map(\.unitID))
        var outcomes: [Int: Outcome] = [:]
        var candidates: [(row: Row, input: CheckupInput, clinic: UUID)] = []
        var firstRow: [String: Int] = [:]
        for row in rows {
            guard let input = row.input else {
                outcomes[row.index] = Outcome(index: row.index, recordId: row.recordId, id: nil, status: "rejected", errors: row.errors)
                continue
            }
            var errors = row.errors + CheckupRules.problems(input, today: today)
            let clinic = input.clinicId ?? (clinics.count == 1 ? clinics.first : nil)
            if let clinic, clinics.contains(clinic) {
                let key = "\(clinic)/\(input.recordId)"
                if let first = firstRow[key] {
                    errors.append(.init(field: "recordId", message: "repeats the record of row \(first)"))
                } else {
                    firstRow[key] = row.index
                }
            } else {
                errors.append(
                    .init(field: "clinicId", message: input.clinicId == nil ? "name the clinic: you work for several" : "is not your clinic")
                )
            }
            if let clinic, errors.isEmpty {
                candidates.append((row, input, clinic))
            } else {
                outcomes[row.index] = Outcome(index: row.index, recordId: input.recordId, id: nil, status: "rejected", errors: errors)
            }
        }
        // Every digest a number may be stored under while the key is being rotated, once a row.
        let digests = candidates.map { $0.input.idNumber.map { self.vault.lookupDigests($0.uppercased()) } ?? [] }
        let people = try await self.people(
            ids: Set(candidates.compactMap(\.input.personId)),
            digests: Set(digests.joined()),
            clinics: Array(clinics),
            in: transaction
        )
        var payload: [Item] = []
        var payloadRows: [UUID: (index: Int, recordId: String)] = [:]
        for (candidate, digests) in zip(candidates, digests) {
            let input = candidate.input
            // By id when one is given (and then by id only), else by any digest the number may be stored under.
            let found: Person? =
                if let personId = input.personId { people.byID[personId] } else { digests.lazy.compactMap({ people.byDigest[$0] }).first }
            guard let person = found, person.servedBy.contains(candidate.clinic) else {
                outcomes[candidate.row.index] = Outcome(
                    index: candidate.row.index,
                    recordId: input.recordId,
                    id: nil,
                    status: "rejected",
                    errors: [
                        .init(
                            field: input.personId != nil ? "personId" : "idNumber",
                            message: "no such active person in the villages your clinic serves"
                        )
                    ]
                )
                continue
            }
            if input.kind == .womenScreening, person.sex != "female" {
                outcomes[candidate.row.index] = Outcome(
                    index: candidate.row.index,
                    recordId: input.recordId,
                    id: nil,
                    status: "rejected",
                    errors: [.init(field: "kind", message: "women's screening is for women")]
                )
                continue
            }
            if let born = person.birthDate, input.checkedOn < born {
                outcomes[candidate.row.index] = Outcome(
                    index: candidate.row.index,
                    recordId: input.recordId,
                    id: nil,
                    status: "rejected",
                    errors: [.init(field: "checkedOn", message: "is before the person's birth")]
                )
                continue
            }
            let inputID = UUID.timeOrdered()
            let item = Item(
                id: inputID,
                content: CheckupRules.Content(
                    personId: person.id,
                    clinicId: candidate.clinic,
                    recordId: input.recordId,
                    checkedOn: input.checkedOn,
                    kind: input.kind,
                    measurements: (input.measurements ?? []).sorted { $0.name < $1.name },
                    diagnoses: input.diagnoses ?? [],
                    findings: input.findings,
                    followUpNeeded: input.followUpNeeded,
                    clinician: input.clinician.trimmingWhitespace()
                ),
                accountName: caller.name,
                summary: "\(input.kind.chineseName)：\(input.checkedOn)，\(input.followUpNeeded ? "需要随访" : "无需随访")"
            )
            payload.append(item)
            payloadRows[inputID] = (candidate.row.index, input.recordId)
        }
        if !payload.isEmpty {
            // A row answered duplicate vouches for a checkup stored earlier: one transactional WAL
            // message then makes this COMMIT wait for the synchronous standby too
            // (`PostgresTransaction.commitWaitsForStandby`), in the same round trip.
            let write: SQLQuery = """
                with answer as materialized (select * from checkups_record(\(Self.json(payload))::jsonb))
                select a.input_id, a.id, a.status,
                    (select pg_logical_emit_message(true, 'liushou.vouch', '') from answer d where d.status = 'duplicate' limit 1) as vouched
                from answer a
                """
            let results = commitsWithWrite ? try await transaction.queryAndCommit(write) : try await transaction.query(write)
            for row in results {
                guard let sent = payloadRows[try row.decode("input_id", as: UUID.self)] else { continue }
                outcomes[sent.index] = Outcome(
                    index: sent.index,
                    recordId: sent.recordId,
                    id: try row.decode("id", as: UUID?.self),
                    status: try row.decode("status", as: String.self),
                    errors: nil
                )
            }
        }
        return rows.map { outcomes[$0.index] ?? Outcome(index: $0.index, recordId: $0.recordId, id: nil, status: "conflict", errors: nil) }
    }

    /// One row for `checkups_record`: its content and what the timeline shows.
    struct Item: Sendable {
        var id: UUID
        var content: CheckupRules.Content
        var accountName: String
        var summary: String
    }

    /// The rows as `checkups_record`'s JSON array (the fields of the `checkup_input` type, measurements
    /// keyed by name), written by hand: `JSONEncoder` took a sixth of a 5,000-row batch.
    static func json(_ items: [Item]) -> JSONText {
        JSONText.array(of: items, capacity: items.count * 640) { json, item in
            let content = item.content
            json.field("id", item.id)
            json.field("person_id", content.personId)
            json.field("clinic_id", content.clinicId)
            json.field("record_id", content.recordId)
            json.field("checked_on", content.checkedOn.description)
            json.field("kind", content.kind.rawValue)
            json.object("measurements") { json in
                for measurement in content.measurements {
                    json.object(key: measurement.name) { json in
                        json.field("value", measurement.value)
                        json.field("unit", measurement.unit)
                    }
                }
            }
            json.field("diagnoses", content.diagnoses)
            json.field("findings", content.findings)
            json.field("follow_up_needed", content.followUpNeeded)
            json.field("clinician", content.clinician)
            json.field("content_hash", Self.contentHash(content))
            json.field("account_name", item.accountName)
            json.field("summary", item.summary)
        }
    }

    /// The digest of the content's sorted-keys JSON, written by hand in byte order of the keys: the
    /// same digest `ContentHash.hex(of: content)` gives (a test holds them together), or a clinic's
    /// retry of a stored row would be answered conflict.
    static func contentHash(_ content: CheckupRules.Content) -> String {
        let json = JSONText.object(canonical: true) { json in
            json.field("checkedOn", content.checkedOn.description)
            json.field("clinicId", content.clinicId)
            json.field("clinician", content.clinician)
            json.field("diagnoses", content.diagnoses)
            json.field("findings", content.findings)
            json.field("followUpNeeded", content.followUpNeeded)
            json.field("kind", content.kind.rawValue)
            json.objects("measurements", of: content.measurements) { json, measurement in
                json.field("name", measurement.name)
                json.field("unit", measurement.unit)
                json.field("value", measurement.value)
            }
            json.field("personId", content.personId)
            json.field("recordId", content.recordId)
        }
        return ContentHash.hex(ofCanonical: json)
    }

    struct Person {
        var id: UUID
        var sex: String
        var birthDate: LocalDate?
        var servedBy: Set<UUID>
    }

    /// The active people with these ids or ID-number digests, visible to the caller, by id and by
    /// stored digest, with the caller's clinics that serve each one's village (one round trip).
    private func people(
        ids: Set<UUID>,
        digests: Set<Data>,
        clinics: [UUID],
        in transaction: PostgresTransaction
    ) async throws -> (byID: [UUID: Person], byDigest: [Data: Person]) {
        guard !ids.isEmpty || !digests.isEmpty else { return ([:], [:]) }
        let ids = Array(ids)
        let digests = Array(digests)
        let results = try await transaction.pipeline([
            """
            select p.id, p.sex, p.birth_date, p.village_id, p.id_number_digest from person p
            where (p.id = any(\(ids)) or p.id_number_digest = any(\(digests))) and p.status = 'active'
            """,
            "select clinic_id, village_id from clinic_service_area where clinic_id = any(\(clinics))",
        ])
        var served: [UUID: Set<UUID>] = [:]
        for row in results[1] { served[try row.decode("village_id"), default: []].insert(try row.decode("clinic_id")) }
        var byID: [UUID: Person] = [:]
        var byDigest: [Data: Person] = [:]
        byID.reserveCapacity(results[0].count)
        byDigest.reserveCapacity(results[0].count)
        for row in results[0] {
            let person = Person(
                id: try row.decode("id"),
                sex: try row.decode("sex"),
                birthDate: try row.decode("birth_date", as: LocalDate?.self),
                servedBy: served[try row.decode("village_id")] ?? []
            )
            byID[person.id] = person
            if let digest = try row.decode("id_number_digest", as: Data?.self) { byDigest[digest] = person }
        }
        return (byID, byDigest)
    }
}
