import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// The registry's rules for writing files, shared by the API and the ledger import: validation,
/// unit checks, duplicates, optimistic concurrency, field history, timeline and audit.
public struct PersonService: Sendable {
    /// What a write did.
    public enum Outcome: String, Sendable, Codable {
        case created
        case updated
        case unchanged
    }

    let repository: any PersonRepository
    let vault: IdentifierVault
    let clock: ChinaClock

    /// A service storing through `repository`; `clock` gives the day ages and "not in the future"
    /// are judged on, asked at every write.
    public init(repository: any PersonRepository, vault: IdentifierVault, clock: ChinaClock = .system) {
        self.repository = repository
        self.vault = vault
        self.clock = clock
    }

    /// A validator for today.
    var validator: PersonValidator { PersonValidator(today: self.clock.today()) }

    /// Creates a file with a client-chosen id; repeating the same create returns the stored file.
    /// `checkedUnit` is the person's unit when the caller (the ledger import) already checked the references.
    public func create(
        id: UUID,
        file input: PersonFile,
        caller: Caller,
        origin: AuditOrigin,
        audit: Bool = true,
        checkedUnit: UnitBrief? = nil,
        in transaction: PostgresTransaction
    ) async throws -> (PersonRecord, Outcome) {
        let file = try self.validated(input)
        let unit = try await checkedUnit.asyncOr { try await self.checkReferences(file, caller: caller, in: transaction) }
        if checkedUnit == nil, let existing = try await self.repository.find(id, lock: false, in: transaction) {
            guard existing.file == file else {
                throw ServiceError.idConflict(record: "file")
            }
            // A retry answered from the stored row: its COMMIT waits for the standby too.
            try await transaction.commitWaitsForStandby()
            return (existing, .unchanged)
        }
        if let idNumber = file.idNumber {
            let holder = try await self.repository.activeFile(idNumber: idNumber, in: transaction)
            // Checked before inserting: a failed insert would abort the transaction (an import's other rows with it).
            let taken = holder != nil ? true : try await self.repository.activeFileExists(idNumber: idNumber, in: transaction)
            if taken {
                // The number may be this very create's, committed by a concurrent request since the look-up above.
                if checkedUnit == nil, holder == nil || holder == id, let stored = try await self.repository.find(id, lock: false, in: transaction) {
                    guard stored.file == file else { throw ServiceError.idConflict(record: "file") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored, .unchanged)
                }
                throw Self.duplicate(holder)
            }
        }
        let record = Self.newRecord(id, file, unitPath: unit.path, caller: caller, at: Date())
        // A concurrent create of the same id fails here on `person_pkey` or `person_active_id_number`:
        // the caller runs it again (`DuplicateRetry`), and the stored file answers.
        try await self.repository.insert(record, filledBy: caller.accountID, in: transaction)
        try await self.repository.appendChanges(
            [(person: id, changes: [.init(field: "file", oldValue: nil, newValue: "created")])],
            action: "create",
            accountID: caller.accountID,
            accountName: caller.name,
            in: transaction
        )
        try await self.repository.appendEvent(Self.createdEvent(file, caller: caller, at: Date()), person: id, in: transaction)
        if audit {
            try await self.audit("person.create", record, caller: caller, origin: origin, in: transaction)
        }
        return (record, .created)
    }

    /// A file as it is first stored: active, version 1, filled by the caller and not yet checked.
    static func newRecord(_ id: UUID, _ file: PersonFile, unitPath: String, caller: Caller, at now: Date) -> PersonRecord {
        PersonRecord(
            id: id,
            version: 1,
            status: .active,
            exitReason: nil,
            exitedOn: nil,
            file: file,
            complete: false,
            missingFields: [],
            noCapableGuardian: false,
            unitPath: unitPath,
            filledBy: caller.accountID,
            checkedBy: nil,
            checkedAt: nil,
            createdAt: now,
            updatedAt: now
        ).recomputed()
    }

    /// New files checked and encoded for `createMany`, with their history and timeline statements.
    public struct NewFiles: Sendable {
        public let records: [PersonRecord]
        let statements: [SQLQuery]
    }

    /// Builds new files whose references, scope and ID numbers the caller (the ledger import) already
    /// checked: what `create` stores for each, as one statement for the files, one for their history
    /// and one for their timeline. It needs no connection, so the importer encodes the next batch
    /// while `createMany` writes this one.
    public func prepareMany(_ files: [(id: UUID, file: PersonFile, unit: UnitBrief)], caller: Caller) throws -> NewFiles {
        guard !files.isEmpty else { return NewFiles(records: [], statements: []) }
        let now = Date()
        let records = try files.map { entry in
            Self.newRecord(entry.id, try self.validated(entry.file), unitPath: entry.unit.path, caller: caller, at: now)
        }
        var statements = [
            try self.repository.insertManyStatement(records, filledBy: caller.accountID),
            self.repository.appendChangeStatement(
                .init(field: "file", oldValue: nil, newValue: "created"),
                people: records.map(\.id),
                action: "create",
                accountID: caller.accountID,
                accountName: caller.name
            ),
        ]
        if let events = self.repository.appendEventsStatement(
            records.map { record in (person: record.id, event: Self.createdEvent(record.file, caller: caller, at: now)) }
        ) {
            statements.append(events)
        }
        return NewFiles(records: records, statements: statements)
    }

    /// Writes files built by `prepareMany`. A file that became a duplicate meanwhile (another writer
    /// filed the number since the check) fails them all with 409.
    public func createMany(_ files: NewFiles, in transaction: PostgresTransaction) async throws -> [PersonRecord] {
        guard let insert = files.statements.first else { return [] }
        do {
            try await transaction.query(insert)
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "person_active_id_number" {
            throw Self.duplicate(nil)
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "person_pkey" {
            throw ServiceError.idConflict(record: "file")
        }
        for statement in files.statements.dropFirst() {
            try await transaction.query(statement)
        }
        return files.records
    }

    /// Replaces a file's content if it is still at `expectedVersion` (412 otherwise).
    /// `merge` builds the new content from the stored one (the ledger import merges its columns in).
    public func update(
        id: UUID,
        file input: PersonFile,
        expectedVersion: Int?,
        caller: Caller,
        origin: AuditOrigin,
        audit: Bool = true,
        checkedUnit: UnitBrief? = nil,
        merge: (@Sendable (PersonFile) -> PersonFile)? = nil,
        in transaction: PostgresTransaction
    ) async throws -> (PersonRecord, Outcome) {
        let current = try await self.writable(id, caller: caller, in: transaction)
        if let expectedVersion, current.version != expectedVersion { throw Self.stale(current) }
        let proposed = merge.map { $0(current.file) } ?? input.restoringMasked(from: current.file)
        let file = try self.validated(proposed)
        let unit = try await checkedUnit.asyncOr { try await self.checkReferences(file, caller: caller, in: transaction) }
        if let idNumber = file.idNumber, current.status == .active, idNumber != current.file.idNumber {
            if let other = try await self.repository.activeFile(idNumber: idNumber, in: transaction), other != id { throw Self.duplicate(other) }
            if try await self.repository.activeFileExists(idNumber: idNumber, in: transaction) { throw Self.duplicate(nil) }
        }
        var updated = current
        updated.file = file
        updated.unitPath = unit.path
        if updated.file != current.file {
            updated.checkedBy = nil
            updated.checkedAt = nil
        }
        do {
            return try await self.store(
                updated.recomputed(),
                replacing: current,
                action: "update",
                summary: "更新档案",
                caller: caller,
                origin: origin,
                audit: audit,
                in: transaction
            )
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "person_active_id_number" {
            throw Self.duplicate(nil)
        }
    }

    /// The files that merging would leave as they are, found with one read for all of them (the ledger
    /// import's re-import, where most rows change nothing): visible, writable by the caller, and
    /// merged into a file that validates to the stored one. For these `update` would answer
    /// `.unchanged` after locking the file; the importer answers so without locking or writing, and
    /// sends every other row through `update`.
    public func unchangedByMerge(
        _ merges: [(id: UUID, merge: @Sendable (PersonFile) -> PersonFile)],
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws -> LedgerRead {
        let stored = try await self.repository.findMany(merges.map(\.id), lock: false, in: transaction)
        let validator = self.validator
        let kept = await merges.concurrentMap { [caller] entry -> PersonRecord? in
            guard let current = stored[entry.id], caller.holds(.personsWrite, at: current.unitPath) else { return nil }
            guard case .success(let file) = validator.validate(entry.merge(current.file)), file == current.file else { return nil }
            return current
        }
        var unchanged: [UUID: PersonRecord] = [:]
        for record in kept { if let record { unchanged[record.id] = record } }
        return LedgerRead(unchanged: unchanged, files: stored)
    }

    /// What `unchangedByMerge` read: the files their merges leave as they are, and every file it read
    /// (for `updateMany`, which decodes again only the files changed since).
    public struct LedgerRead: Sendable {
        public var unchanged: [UUID: PersonRecord]
        public var files: [UUID: PersonRecord]
    }

    /// One of `updateMany`'s files: the stored file's id, the ledger row merged into it, and the unit
    /// the importer checked for the row.
    public struct LedgerMerge: Sendable {
        public var id: UUID
        public var ledger: PersonFile
        public var unit: UnitBrief
        /// The version the row's file had when the ledger was exported: a file changed since is refused.
        public var exportedVersion: Int?

        public init(id: UUID, ledger: PersonFile, unit: UnitBrief, exportedVersion: Int? = nil) {
            self.id = id
            self.ledger = ledger
            self.unit = unit
            self.exportedVersion = exportedVersion
        }
    }

    /// What `update` answers for each merge (without audit, as the ledger import calls it), with the
    /// reads and writes of all of them in four statements: the files locked in one read, the changed
    /// ones written in one update, their history and their timeline in one insert each. A row's
    /// refusal (not writable here, a merged file that no longer validates) is its own answer; a merge
    /// that changes the ID number goes through `update` on its own (it checks the number's uniqueness),
    /// and so does a file named again after its first merge, once the set is written (in the order given).
    public func updateMany(
        _ merges: [LedgerMerge],
        readBefore: [UUID: PersonRecord] = [:],
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> [Result<Outcome, any Error>] {
        let stored = try await self.repository.findMany(merges.map(\.id), lock: true, reusing: readBefore, in: transaction)
        var answers: [Result<Outcome, any Error>] = Array(repeating: .success(.unchanged), count: merges.count)
        var writes: [MergeWrite] = []
        var again: [Int] = []
        // Each file's merge, validation and history are worked out on every core (the history's
        // field-by-field view was most of a changed ledger's time); what needs the database follows in order.
        var named = Set<UUID>()
        let entries = merges.map { (merge: $0, first: named.insert($0.id).inserted) }
        let plans = await entries.concurrentMap { [self, caller] entry in
            entry.first ? self.plan(entry.merge, current: stored[entry.merge.id], caller: caller) : .again
        }
        for (index, plan) in plans.enumerated() {
            switch plan {
            case .again:
                again.append(index)
            case .alone:
                do {
                    answers[index] = .success(try await self.mergeAlone(merges[index], caller: caller, origin: origin, in: transaction))
                } catch let refusal as any ProblemConvertible {
                    answers[index] = .failure(refusal)
                }
            case .refused(let refusal):
                answers[index] = .failure(refusal)
            case .failed(let error):
                throw error
            case .unchanged:
                break
            case .write(let record, let expectedVersion, let contentChanged, let changes):
                writes.append((index, record, expectedVersion, contentChanged, changes))
            }
        }
        if !writes.isEmpty {
            try await self.write(writes, caller: caller, in: transaction)
            for write in writes { answers[write.index] = .success(.updated) }
        }
        for index in again {
            do {
                answers[index] = .success(try await self.mergeAlone(merges[index], caller: caller, origin: origin, in: transaction))
            } catch let refusal as any ProblemConvertible {
                answers[index] = .failure(refusal)
            }
        }
        return answers
    }

    /// What `updateMany` does with one merge, decided without the database.
    private enum MergePlan: Sendable {
        /// The file was named earlier in the set: merged on its own once the set is written.
        case again
        /// The merge changes the ID number: through `update`, which checks the number.
        case alone
        /// The row's own refusal (not writable here, a merged file that does not validate).
        case refused(any Error)
        /// Any other error: it ends the import.
        case failed(any Error)
        case unchanged
        case write(record: PersonRecord, expectedVersion: Int, contentChanged: Bool, changes: [FileDiff.Change])
    }

    /// A ledger row whose file changed after the ledger was exported: the row would undo that change.
    static func changedSinceExport(_ version: Int) -> ServiceError {
        .invalid([
            .init(
                field: LedgerColumn.fileVersion.rawValue,
                message: "the file changed after this ledger was exported (now version \(version)); export again and redo this row's changes"
            )
        ])
    }

    /// `updateMany`'s work for one merge into the file `current` read under its lock.
    private func plan(_ entry: LedgerMerge, current: PersonRecord?, caller: Caller) -> MergePlan {
        do {
            guard let current else { throw ServiceError.noSuchPerson }
            guard caller.holds(.personsWrite, at: current.unitPath) else { throw Self.notWritable }
            let file = try self.validated(current.file.merging(ledger: entry.ledger))
            if let idNumber = file.idNumber, current.status == .active, idNumber != current.file.idNumber { return .alone }
            var updated = current
            updated.file = file
            updated.unitPath = entry.unit.path
            let contentChanged = updated.file != current.file
            if contentChanged {
                updated.checkedBy = nil
                updated.checkedAt = nil
            }
            updated = updated.recomputed()
            let changes = self.changes(from: current, to: updated)
            guard !changes.isEmpty else { return .unchanged }
            if let exported = entry.exportedVersion, exported != current.version { throw Self.changedSinceExport(current.version) }
            return .write(record: updated, expectedVersion: current.version, contentChanged: contentChanged, changes: changes)
        } catch let refusal as any ProblemConvertible {
            return .refused(refusal)
        } catch {
            return .failed(error)
        }
    }

    /// One of `updateMany`'s merges through `update`, as the import called it before merges were sets.
    private func mergeAlone(_ entry: LedgerMerge, caller: Caller, origin: AuditOrigin, in transaction: PostgresTransaction) async throws -> Outcome {
        let ledger = entry.ledger
        if let exported = entry.exportedVersion, let current = try await self.repository.find(entry.id, lock: true, in: transaction),
            exported != current.version
        {
            throw Self.changedSinceExport(current.version)
        }
        let (_, outcome) = try await self.update(
            id: entry.id,
            file: ledger,
            expectedVersion: nil,
            caller: caller,
            origin: origin,
            audit: false,
            checkedUnit: entry.unit,
            merge: { $0.merging(ledger: ledger) },
            in: transaction
        )
        return outcome
    }

    /// A file `updateMany` changes: its row in the merges, the merged file, the version read under its
    /// lock, whether its content changed (its check is then cleared) and its history.
    private typealias MergeWrite = (index: Int, record: PersonRecord, expectedVersion: Int, contentChanged: Bool, changes: [FileDiff.Change])

    /// `updateMany`'s writes: the changed files in one update (each still at the version read under
    /// its lock), their history and their timeline in one insert each.
    private func write(
        _ writes: [MergeWrite],
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws {
        let replaced = try await self.repository.updateMany(
            writes.map { (record: $0.record, expectedVersion: $0.expectedVersion, contentChanged: $0.contentChanged) },
            in: transaction
        )
        guard replaced == writes.count else { throw Problem.internalError }
        try await self.repository.appendChanges(
            writes.map { (person: $0.record.id, changes: $0.changes) },
            action: "update",
            accountID: caller.accountID,
            accountName: caller.name,
            in: transaction
        )
        let now = Date()
        try await self.repository.appendEvents(
            writes.map { write in
                let summary = "更新档案（\(write.changes.count) 项）"
                return (
                    person: write.record.id,
                    event: PersonEvent(
                        id: UUID.timeOrdered(),
                        at: now,
                        module: "registry",
                        kind: "person.update",
                        summary: summary,
                        accountName: caller.name,
                        recordId: nil
                    )
                )
            },
            in: transaction
        )
    }

    /// Closes a file with a reason and date (nothing is deleted).
    public func exit(
        id: UUID,
        reason: ExitReason,
        on date: LocalDate,
        expectedVersion: Int,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> PersonRecord {
        let current = try await self.writable(id, caller: caller, version: expectedVersion, status: .active, in: transaction) {
            ServiceError.conflict(code: "already_exited", title: "The file is already closed")
        }
        if date > self.validator.today { throw ServiceError.invalid([.init(field: "exitedOn", message: "is in the future")]) }
        var updated = current
        updated.status = .exited
        updated.exitReason = reason
        updated.exitedOn = date
        return try await self.store(
            updated,
            replacing: current,
            action: "exit",
            summary: "销档：\(reason.chineseName)",
            caller: caller,
            origin: origin,
            audit: true,
            in: transaction
        ).0
    }

    /// Re-opens a closed file (409 when another active file holds its ID number).
    public func reactivate(
        id: UUID,
        expectedVersion: Int,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> PersonRecord {
        let current = try await self.writable(id, caller: caller, version: expectedVersion, status: .exited, in: transaction) {
            ServiceError.conflict(code: "already_active", title: "The file is already active")
        }
        if let idNumber = current.file.idNumber {
            if let other = try await self.repository.activeFile(idNumber: idNumber, in: transaction) { throw Self.duplicate(other) }
            if try await self.repository.activeFileExists(idNumber: idNumber, in: transaction) { throw Self.duplicate(nil) }
        }
        var updated = current
        updated.status = .active
        updated.exitReason = nil
        updated.exitedOn = nil
        do {
            return try await self.store(
                updated,
                replacing: current,
                action: "reactivate",
                summary: "恢复档案",
                caller: caller,
                origin: origin,
                audit: true,
                in: transaction
            ).0
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "person_active_id_number" {
            throw Self.duplicate(nil)
        }
    }

    /// Signs a file off as checked (审核) by someone other than who filled it.
    public func check(
        id: UUID,
        expectedVersion: Int,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> PersonRecord {
        let current = try await self.visible(id, in: transaction)
        guard caller.holds(.personsCheck, at: current.unitPath) else {
            throw ServiceError.forbidden(code: "forbidden", title: "Not allowed", detail: "Your roles do not allow persons.check here.")
        }
        guard current.version == expectedVersion else { throw Self.stale(current) }
        guard current.filledBy != caller.accountID else {
            throw ServiceError.invalid([.init(field: "checkedBy", message: "a file is checked by someone other than who filled it")])
        }
        var updated = current
        updated.checkedBy = caller.accountID
        updated.checkedAt = Date()
        return try await self.store(
            updated,
            replacing: current,
            action: "check",
            summary: "审核档案",
            caller: caller,
            origin: origin,
            audit: true,
            in: transaction
        ).0
    }

    /// The file if the caller can see it; 404 otherwise (whether or not it exists elsewhere).
    public func visible(_ id: UUID, lock: Bool = false, in transaction: PostgresTransaction) async throws -> PersonRecord {
        guard let record = try await self.repository.find(id, lock: lock, in: transaction) else {
            throw ServiceError.noSuchPerson
        }
        return record
    }

    private func writable(_ id: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> PersonRecord {
        let record = try await self.visible(id, lock: true, in: transaction)
        guard caller.holds(.personsWrite, at: record.unitPath) else { throw Self.notWritable }
        return record
    }

    /// The file to change, locked, at `version` and in `status`: 412 at another version, `conflict` in another status.
    private func writable(
        _ id: UUID,
        caller: Caller,
        version: Int,
        status: PersonRecord.Status,
        in transaction: PostgresTransaction,
        else conflict: () -> ServiceError
    ) async throws -> PersonRecord {
        let current = try await self.writable(id, caller: caller, in: transaction)
        guard current.version == version else { throw Self.stale(current) }
        guard current.status == status else { throw conflict() }
        return current
    }

    private func store(
        _ updated: PersonRecord,
        replacing current: PersonRecord,
        action: String,
        summary: String,
        caller: Caller,
        origin: AuditOrigin,
        audit: Bool,
        in transaction: PostgresTransaction
    ) async throws -> (PersonRecord, Outcome) {
        let changes = self.changes(from: current, to: updated)
        guard !changes.isEmpty else { return (current, .unchanged) }
        guard try await self.repository.update(updated, expectedVersion: current.version, in: transaction) else {
            throw Self.stale(current)
        }
        try await self.repository.appendChanges(
            [(person: updated.id, changes: changes)],
            action: action,
            accountID: caller.accountID,
            accountName: caller.name,
            in: transaction
        )
        try await self.event(updated.id, kind: "person.\(action)", summary: summary + "（\(changes.count) 项）", caller: caller, in: transaction)
        if audit {
            try await self.audit(
                "person.\(action)",
                updated,
                caller: caller,
                origin: origin,
                detail: ["fields": String(changes.count)],
                in: transaction
            )
        }
        guard let stored = try await self.repository.find(updated.id, lock: false, in: transaction) else { throw Problem.internalError }
        return (stored, .updated)
    }

    /// The history's changes from one record to another: their flat forms compared, identifiers
    /// masked with a keyed tag so that a change stays visible, each value tagged once (most are in both).
    func changes(from current: PersonRecord, to updated: PersonRecord) -> [FileDiff.Change] {
        var tags: [String: String] = [:]
        func tag(_ value: String) -> String {
            if let known = tags[value] { return known }
            let tagged = self.tag(value)
            tags[value] = tagged
            return tagged
        }
        return FileDiff.changes(from: self.historyView(current, tag: tag), to: self.historyView(updated, tag: tag))
    }

    private func historyView(_ record: PersonRecord, tag: (String) -> String) -> [String: String] {
        let tagged = record.file
            .mappingIDNumbers { Masking.idNumber($0) + " #" + tag($0) }
            .mappingPhones { Masking.phone($0) + " #" + tag($0) }
        var view = FileDiff.flatten(tagged)
        // With the masked ID number a full birth date would give the number back.
        view["birthDate"] = record.file.birthDate.map { "\($0.year) #" + tag($0.description) }
        view["status"] = record.status.rawValue
        view["exitReason"] = record.exitReason?.rawValue
        view["exitedOn"] = record.exitedOn?.description
        view["checkedBy"] = record.checkedBy?.uuidString.lowercased()
        return view
    }

    private func tag(_ value: String) -> String {
        self.vault.tag(value)
    }

    private func validated(_ input: PersonFile) throws -> PersonFile {
        switch self.validator.validate(input) {
        case .success(let file): return file
        case .failure(let failure): throw ServiceError.invalid(failure.errors)
        }
    }

    /// Checks the village, grid, school, household and guardian a file names; returns the person's unit.
    func checkReferences(_ file: PersonFile, caller: Caller, in transaction: PostgresTransaction) async throws -> UnitBrief {
        var problems: [Problem.FieldError] = []
        let village = try await UnitBrief.load(file.villageId, in: transaction)
        guard let village, village.kind == "village", village.active, caller.reaches(village.path) else {
            throw ServiceError.invalid([.init(field: "villageId", message: "no such active village in your scope")])
        }
        var unit = village
        if let gridID = file.gridId {
            if let grid = try await UnitBrief.load(gridID, in: transaction), grid.kind == "grid", grid.active,
                Caller.path(grid.path, isInside: village.path)
            {
                unit = grid
            } else {
                problems.append(.init(field: "gridId", message: "must be an active grid (or micro-grid) of the village"))
            }
        }
        // A grid worker files in their grid: the scope is checked on the finest unit named.
        guard caller.covers(unit.path, in: .personArea) else {
            throw ServiceError.invalid([.init(field: file.gridId == nil ? "villageId" : "gridId", message: "no such active unit in your scope")])
        }
        if !caller.holds(.personsWrite, at: unit.path) {
            problems.append(.init(field: file.gridId == nil ? "villageId" : "gridId", message: "you may not file persons here"))
        }
        if let schoolID = file.child?.schoolId {
            let school = try await UnitBrief.load(schoolID, in: transaction)
            let county = village.path.split(separator: ".").first.map(String.init) ?? ""
            if school?.kind != "school" || school?.active != true || !(school.map { Caller.path($0.path, isInside: county) } ?? false) {
                problems.append(.init(field: "child.schoolId", message: "must be an active school of the county"))
            }
        }
        if let householdID = file.householdId {
            let village = try await transaction.query("select village_id from household where id = \(householdID)").first?
                .decode("village_id", as: UUID.self)
            if village != file.villageId { problems.append(.init(field: "householdId", message: "must be a household of the same village")) }
        }
        if let guardianID = file.child?.guardian?.personId, try await self.repository.find(guardianID, lock: false, in: transaction) == nil {
            problems.append(.init(field: "child.guardian.personId", message: "no such person"))
        }
        guard problems.isEmpty else { throw ServiceError.invalid(problems) }
        return unit
    }

    /// The timeline event of a new file.
    static func createdEvent(_ file: PersonFile, caller: Caller, at: Date) -> PersonEvent {
        PersonEvent(
            id: UUID.timeOrdered(),
            at: at,
            module: "registry",
            kind: "person.created",
            summary: "建档：\(file.activeCategories.map(\.chineseName).joined(separator: "、"))",
            accountName: caller.name,
            recordId: nil
        )
    }

    private func event(_ person: UUID, kind: String, summary: String, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await self.repository.appendEvent(
            PersonEvent(
                id: UUID.timeOrdered(),
                at: Date(),
                module: "registry",
                kind: kind,
                summary: summary,
                accountName: caller.name,
                recordId: nil
            ),
            person: person,
            in: transaction
        )
    }

    private func audit(
        _ action: String,
        _ record: PersonRecord,
        caller: Caller,
        origin: AuditOrigin,
        detail: [String: String]? = nil,
        in transaction: PostgresTransaction
    ) async throws {
        try await AuditEntry(
            caller: caller,
            origin: origin,
            action: action,
            resource: "person",
            recordID: record.id.uuidString.lowercased(),
            unitID: record.file.gridId ?? record.file.villageId,
            unitPath: record.unitPath,
            detail: detail
        )
        .append(in: transaction)
    }

    static let notWritable = ServiceError.forbidden(code: "forbidden", title: "Not allowed", detail: "Your roles do not allow persons.write here.")

    static func duplicate(_ existing: UUID?) -> ServiceError {
        .conflict(
            code: "duplicate_id_number",
            title: "An active file already holds this ID number",
            detail: existing.map { "Existing file: \($0.uuidString.lowercased())" } ?? "The existing file is outside your scope.",
            errors: [.init(field: "idNumber", message: existing.map { "is already filed as \($0.uuidString.lowercased())" } ?? "is already filed")]
        )
    }

    static func stale(_ current: PersonRecord) -> ServiceError {
        .versionMismatch(record: "file", current: current.version)
    }
}

extension Optional {
    /// The value, or the result of `make` when there is none.
    func asyncOr(_ make: () async throws -> Wrapped) async rethrows -> Wrapped {
        if let self { return self }
        return try await make()
    }
}

extension PersonRecord {
    /// Completeness and the guardian alert recomputed from the content.
    func recomputed() -> PersonRecord {
        var copy = self
        copy.missingFields = FileCompleteness.missingFields(self.file)
        copy.complete = copy.missingFields.isEmpty
        copy.noCapableGuardian = FileCompleteness.noCapableGuardian(self.file)
        return copy
    }
}
