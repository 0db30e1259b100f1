import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Records door checks, one or a batch, in one round trip for the writes: items are checked in
/// Swift (content, scope, role for the kind), then `door_checks_record` inserts them, moves the
/// obligations they satisfy, adds timeline events and opens follow-ups, under row-level security.
public struct DoorCheckRecorder: Sendable {
    /// What happened to one item.
    public struct ItemResult: Sendable, Codable, Equatable {
        public enum Status: String, Sendable, Codable {
            case created
            case duplicate
            case conflict
            case rejected
        }

        public var id: UUID
        public var status: Status
        public var errors: [Problem.FieldError]?

        public init(id: UUID, status: Status, errors: [Problem.FieldError]?) {
            self.id = id
            self.status = status
            self.errors = errors
        }
    }

    /// The most items one batch may carry.
    public static let maxBatch = 1000
    /// How far back an offline check may have happened.
    public static let maxAge: TimeInterval = 60 * 86_400

    public init() {}

    /// Records the items as `caller`; every item gets a result, in order.
    /// With `commitsWithWrite`, the writing statement runs together with COMMIT (one round trip
    /// less): the transaction must then do nothing after this call.
    public func record(
        _ items: [DoorCheckInput],
        caller: Caller,
        now: Date = Date(),
        commitsWithWrite: Bool = false,
        in transaction: PostgresTransaction
    ) async throws -> [ItemResult] {
        let targets = try await self.targets(of: items, caller: caller, in: transaction)
        var results: [ItemResult?] = items.map { item in
            let errors = Self.problems(item, now: now)
            return errors.isEmpty ? nil : ItemResult(id: item.id, status: .rejected, errors: errors)
        }
        var payload: [Item] = []
        for (index, item) in items.enumerated() where results[index] == nil {
            let field = item.personId != nil ? "personId" : "householdId"
            guard let target = targets[item.personId ?? item.householdId ?? UUID()] else {
                results[index] = ItemResult(
                    id: item.id,
                    status: .rejected,
                    errors: [.init(field: field, message: "no such active person or household in your scope")]
                )
                continue
            }
            guard let role = Self.role(for: item.kind, caller: caller, at: target) else {
                results[index] = ItemResult(
                    id: item.id,
                    status: .rejected,
                    errors: [.init(field: "kind", message: "your roles do not make \(item.kind.rawValue) checks here")]
                )
                continue
            }
            payload.append(
                Item(
                    id: item.id,
                    personId: item.personId,
                    householdId: item.householdId,
                    unitId: target.unit,
                    visitorAccountId: caller.accountID,
                    visitorName: caller.name,
                    visitorRole: role.rawValue,
                    occurredAt: Self.timestamp(item.occurredAt),
                    channel: item.channel.rawValue,
                    kind: item.kind.rawValue,
                    outcome: item.outcome.rawValue,
                    needs: (item.needs ?? []).map(\.rawValue),
                    notes: item.notes,
                    latitude: item.latitude,
                    longitude: item.longitude,
                    contentHash: Self.contentHash(item),
                    summary: Self.summary(item)
                )
            )
        }
        // A refused item may be the retry of an upload that committed before its answer was lost,
        // whose check has since grown old or whose person has moved away: a stored check answers it
        // (duplicate or conflict), not the refusal. Items going on are answered so by
        // `door_checks_record` itself, so the door_check months are read only on this rare path.
        let refused = items.indices.filter { results[$0] != nil }
        if !refused.isEmpty {
            let stored = try await self.storedHashes(of: refused.map { items[$0] }, in: transaction)
            for index in refused {
                let item = items[index]
                if let hash = stored[item.id] {
                    results[index] = ItemResult(id: item.id, status: hash == Self.contentHash(item) ? .duplicate : .conflict, errors: nil)
                }
            }
            if refused.contains(where: { results[$0]?.status == .duplicate }) {
                try await transaction.commitWaitsForStandby()
            }
        }
        if !payload.isEmpty {
            // In the client's order: the first item of an id is the one that inserts it, and the
            // answers below go to items in that order. (The function locks obligation rows in
            // person order itself.)
            let write: SQLQuery = "select id, status from door_checks_record(\(Self.json(payload))::jsonb)"
            let rows = commitsWithWrite ? try await transaction.queryAndCommit(write) : try await transaction.query(write)
            var answered: [UUID: [ItemResult.Status]] = [:]
            for row in rows {
                let status = ItemResult.Status(rawValue: try row.decode("status", as: String.self)) ?? .conflict
                answered[try row.decode("id", as: UUID.self), default: []].append(status)
            }
            for (index, item) in items.enumerated() where results[index] == nil {
                let status = answered[item.id]?.first ?? .conflict
                answered[item.id]?.removeFirst()
                results[index] = ItemResult(id: item.id, status: status, errors: nil)
            }
        }
        return results.map { $0! }
    }

    /// Records a batch as `caller`, a large one in two transactions at once (`split`), so that one
    /// upload uses more than one core of the database; every item gets a result, in order, and the
    /// rows stored are those one transaction stores. Between the parts' commits other readers see
    /// part of the batch, and a part that fails fails the request after the other may have
    /// committed: the client's retry finds those checks stored and answers them duplicate, as after
    /// a lost answer. `parts` overrides how many (one a 500 items).
    public func record(_ items: [DoorCheckInput], caller: Caller, in database: TenantDatabase, parts: Int? = nil) async throws -> [ItemResult] {
        let split = Self.split(items, into: parts ?? TenantDatabase.parts(for: items.count, rowsPerPart: 500))
        let answers = try await database.transactions(
            for: caller,
            kind: .bulk,
            maxAttempts: 3,
            parts: split,
            whole: Array(items.indices)
        ) { indices, transaction in
            try await self.record(indices.map { items[$0] }, caller: caller, commitsWithWrite: true, in: transaction)
        }
        var results = [ItemResult?](repeating: nil, count: items.count)
        for (indices, part) in answers {
            for (index, answer) in zip(indices, part) { results[index] = answer }
        }
        return results.map { $0! }
    }

    /// The items' indices in `parts` groups, each in the batch's order, such that the parts write
    /// what one transaction writes:
    /// - people who share an id (a retry, a conflict, an item refused before another of its id is
    ///   accepted) are one group, and a group's items go to one part: which item of an id writes,
    ///   and in what order a person's checks move their obligations (a tie goes to the earlier
    ///   item), is decided as in one transaction;
    /// - a group with a check that opens follow-ups goes to the first part, so the follow-ups'
    ///   alerts, raised once a transaction for each unit and role, are raised once;
    /// - a batch with a household check is not split (it moves its members' obligations, which are
    ///   not known here).
    static func split(_ items: [DoorCheckInput], into parts: Int) -> [[Int]] {
        guard parts > 1, !items.contains(where: { $0.householdId != nil }) else { return [Array(items.indices)] }
        // Union-find over people, the smallest id of a group its root (the same groups and roots in any order).
        var up: [UUID: UUID] = [:]
        func root(_ person: UUID) -> UUID {
            var current = person
            while let next = up[current], next != current { current = next }
            return current
        }
        var personOfID: [UUID: UUID] = [:]
        for item in items {
            guard let person = item.personId else { continue }
            if up[person] == nil { up[person] = person }
            guard let other = personOfID[item.id] else {
                personOfID[item.id] = person
                continue
            }
            let (a, b) = (root(other), root(person))
            if a != b { up[max(a, b)] = min(a, b) }
        }
        let alerting = Set(items.filter { $0.outcome != .allWell && !($0.needs ?? []).isEmpty }.compactMap { $0.personId.map(root) })
        var groups = [[Int]](repeating: [], count: parts)
        for (index, item) in items.enumerated() {
            var part = 0
            if let group = (item.personId ?? personOfID[item.id]).map(root), !alerting.contains(group) {
                // The low bytes of the ids this platform and its clients make (v4, v7) are random.
                part = Int(UInt16(group.uuid.14) << 8 | UInt16(group.uuid.15)) % parts
            }
            groups[part].append(index)
        }
        return groups.filter { !$0.isEmpty }
    }

    /// Content problems of one item (field paths as in the JSON).
    static func problems(_ item: DoorCheckInput, now: Date) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if (item.personId == nil) == (item.householdId == nil) {
            errors.append(.init(field: "personId", message: "name exactly one of personId and householdId"))
        }
        // Ten minutes ahead are allowed for phones' clocks; the table's check allows as much by the
        // database's clock, so this server refuses from nine (its own clock may run behind the database's).
        if item.occurredAt > now.addingTimeInterval(540) { errors.append(.init(field: "occurredAt", message: "is in the future")) }
        if item.occurredAt < now.addingTimeInterval(-Self.maxAge) { errors.append(.init(field: "occurredAt", message: "is more than 60 days ago")) }
        if item.outcome != .allWell, item.outcome.seesPerson, (item.needs ?? []).isEmpty {
            errors.append(.init(field: "needs", message: "name what is needed when the outcome is \(item.outcome.rawValue)"))
        }
        if !item.outcome.seesPerson, !(item.needs ?? []).isEmpty {
            errors.append(.init(field: "needs", message: "must be empty when the outcome is \(item.outcome.rawValue): nobody was seen"))
        }
        if let needs = item.needs, Set(needs).count != needs.count { errors.append(.init(field: "needs", message: "name each need once")) }
        if (item.notes?.unicodeScalars.count ?? 0) > 2000 { errors.append(.init(field: "notes", message: "must have at most 2000 characters")) }
        if (item.latitude == nil) != (item.longitude == nil) {
            errors.append(.init(field: "latitude", message: "give latitude and longitude together"))
        }
        if let latitude = item.latitude, !(-90...90).contains(latitude) { errors.append(.init(field: "latitude", message: "must be -90 to 90")) }
        if let longitude = item.longitude, !(-180...180).contains(longitude) {
            errors.append(.init(field: "longitude", message: "must be -180 to 180"))
        }
        return errors
    }

    /// The role a caller makes a kind of check in, for a target (`nil`: not allowed): cadres and grid
    /// workers where their grant covers the unit, a volunteer for a person paired with them, school
    /// staff for a child enrolled at their school.
    static func role(for kind: CheckKind, caller: Caller, at target: Target) -> Role? {
        let here = caller.roles(at: target.path)
        switch kind {
        case .cadreVisit:
            return [Role.villageCadre, .childWelfareSupervisor, .townAdmin, .countyAdmin].first { here.contains($0) }
        case .gridKnock:
            return [Role.gridWorker, .villageCadre].first { here.contains($0) }
        case .volunteerVisit:
            return target.assigned && caller.grants.contains { $0.role == .volunteer } ? .volunteer : nil
        case .teacherHomeVisit:
            return target.schoolPath.map { caller.covers($0, in: .school) } == true ? .schoolStaff : nil
        }
    }

    /// A visible person or household to check, with what decides who may check it.
    struct Target {
        var unit: UUID
        var path: String
        /// Paired with (assigned to) the caller.
        var assigned: Bool
        /// The school the person is enrolled at.
        var schoolPath: String?
    }

    /// The visible, active people and households the items name, with their units:
    /// `door_check_targets`, whose queries PL/pgSQL plans once a session (as unnamed statements they
    /// were planned at every call, which cost more than running them).
    private func targets(of items: [DoorCheckInput], caller: Caller, in transaction: PostgresTransaction) async throws -> [UUID: Target] {
        let people = Array(Set(items.compactMap(\.personId)))
        let households = Array(Set(items.compactMap(\.householdId)))
        let rows = try await transaction.query(
            "select id, unit_id, path, school_path, assigned from door_check_targets(\(people), \(households), \(caller.accountID))"
        )
        var targets: [UUID: Target] = [:]
        for row in rows {
            targets[try row.decode("id")] = Target(
                unit: try row.decode("unit_id"),
                path: try row.decode("path"),
                assigned: try row.decode("assigned"),
                schoolPath: try row.decode("school_path")
            )
        }
        return targets
    }

    /// Content hashes of checks already stored under the items' ids (the caller's own) within a
    /// second of the items' times. (A stored check of an item's id further away in time has other
    /// content: `door_checks_record` answers that item conflict.)
    private func storedHashes(of items: [DoorCheckInput], in transaction: PostgresTransaction) async throws -> [UUID: String] {
        // Each id is looked up by its own key (id, time); the bounds, constants when the statement is
        // planned, open and lock only the items' months. Without the limit (an id is stored once) the
        // planner flattens the lookup into a join that reads every check of the bounds' range.
        let earliest = (items.map(\.occurredAt).min() ?? Date()).addingTimeInterval(-1)
        let latest = (items.map(\.occurredAt).max() ?? Date()).addingTimeInterval(1)
        let rows = try await transaction.query(
            """
            select c.id, encode(c.content_hash, 'hex') as hash
            from unnest(\(items.map(\.id))::uuid[], \(items.map(\.occurredAt))::timestamptz[]) as n (id, at)
            cross join lateral (
                select c.id, c.content_hash from door_check c
                where c.id = n.id and c.occurred_at between n.at - interval '1 second' and n.at + interval '1 second'
                    and c.occurred_at between \(earliest) and \(latest)
                limit 1
            ) c
            """
        )
        var hashes: [UUID: String] = [:]
        for row in rows {
            hashes[try row.decode("id")] = try row.decode("hash")
        }
        return hashes
    }

    /// `ContentHash.hex(of: item)`, written by hand (a batch hashes 1,000 items: `JSONEncoder` took
    /// 6 ms of them): the fields in byte order of their keys, as `JSONEncoder` writes them with sorted
    /// keys. A field added to `DoorCheckInput` is added here, in its place.
    static func contentHash(_ item: DoorCheckInput) -> String {
        let json = JSONText.object(canonical: true) { json in
            json.field("channel", item.channel.rawValue)
            json.field("householdId", item.householdId)
            json.field("id", item.id)
            json.field("kind", item.kind.rawValue)
            json.field("latitude", item.latitude)
            json.field("longitude", item.longitude)
            json.field("needs", item.needs?.map(\.rawValue))
            json.field("notes", item.notes)
            json.field("occurredAt", item.occurredAt)
            json.field("outcome", item.outcome.rawValue)
            json.field("personId", item.personId)
        }
        return ContentHash.hex(ofCanonical: json)
    }

    static func summary(_ item: DoorCheckInput) -> String {
        let outcome: String
        switch item.outcome {
        case .allWell: outcome = "一切正常"
        case .needsFollowUp: outcome = "需要跟进"
        case .urgent: outcome = "紧急"
        case .notHome: outcome = "无人在家"
        case .away: outcome = "人员外出"
        }
        return "\(item.kind.chineseName)：\(outcome)"
    }

    /// ISO 8601 in UTC with milliseconds (a Sendable format style: no formatter built per item).
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The SQL function's JSON array, written field by field (`JSONEncoder` took 9 ms of a batch of
    /// 1,000). A field added to `Item` is added here.
    static func json(_ items: [Item]) -> JSONText {
        JSONText.array(of: items, capacity: items.count * 480) { json, item in
            json.field("id", item.id)
            json.field("personId", item.personId)
            json.field("householdId", item.householdId)
            json.field("unitId", item.unitId)
            json.field("visitorAccountId", item.visitorAccountId)
            json.field("visitorName", item.visitorName)
            json.field("visitorRole", item.visitorRole)
            json.field("occurredAt", item.occurredAt)
            json.field("channel", item.channel)
            json.field("kind", item.kind)
            json.field("outcome", item.outcome)
            json.field("needs", item.needs)
            json.field("notes", item.notes)
            json.field("latitude", item.latitude)
            json.field("longitude", item.longitude)
            json.field("contentHash", item.contentHash)
            json.field("summary", item.summary)
        }
    }

    /// One item of the SQL function's JSON array (`nil` fields are left out).
    struct Item: Sendable {
        var id: UUID
        var personId: UUID?
        var householdId: UUID?
        var unitId: UUID
        var visitorAccountId: UUID
        var visitorName: String
        var visitorRole: String
        var occurredAt: String
        var channel: String
        var kind: String
        var outcome: String
        var needs: [String]
        var notes: String?
        var latitude: Double?
        var longitude: Double?
        var contentHash: String
        var summary: String
    }
}
