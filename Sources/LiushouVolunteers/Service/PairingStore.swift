import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads pairings with their helpers and people, under row-level security (a person's name shows
/// only while the caller may see the person).
enum PairingStore {
    static let columns: SQLQuery = """
        g.id, g.unit_id, g.kind, g.goals, g.start_on, g.end_on, g.status, g.ended_on, g.end_reason, g.version, g.content_hash,
        (g.status = 'active' and g.start_on <= (now() at time zone 'Asia/Shanghai')::date
            and (g.end_on is null or g.end_on >= (now() at time zone 'Asia/Shanghai')::date)) as running
        """

    /// Visible pairings matching `filter` (a clause over `g`), newest first.
    static func list(where filter: SQLQuery, limit: Int = 500, forUpdate: Bool = false, in transaction: PostgresTransaction) async throws -> [Pairing]
    {
        let lock: SQLQuery = forUpdate ? "for update" : ""
        let rows = try await transaction.query(
            """
            select \(Self.columns) from pairing g where \(filter) order by g.start_on desc, g.id limit \(limit) \(lock)
            """
        )
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode("id", as: UUID.self) }
        var helpers: [UUID: [Pairing.Helper]] = [:]
        for row in try await transaction.query(
            """
            select h.pairing_id, h.volunteer_id, v.name, v.organisation from pairing_helper h left join volunteer v on v.id = h.volunteer_id
            where h.pairing_id = any(\(ids)) order by v.name
            """
        ) {
            helpers[try row.decode("pairing_id"), default: []].append(
                Pairing.Helper(
                    volunteerId: try row.decode("volunteer_id"),
                    name: try row.decode("name"),
                    organisation: try row.decode("organisation")
                )
            )
        }
        var people: [UUID: [Pairing.Person]] = [:]
        for row in try await transaction.query(
            """
            select pp.pairing_id, pp.person_id, p.name, pp.consent_by, pp.consent_on from pairing_person pp left join person p on p.id = pp.person_id
            where pp.pairing_id = any(\(ids)) order by p.name
            """
        ) {
            people[try row.decode("pairing_id"), default: []].append(
                Pairing.Person(
                    personId: try row.decode("person_id"),
                    name: try row.decode("name"),
                    consentBy: try row.decode("consent_by"),
                    consentOn: try row.decode("consent_on")
                )
            )
        }
        return try rows.map { row in
            let id = try row.decode("id", as: UUID.self)
            // A helper whose pairing no longer runs sees that it existed, not its goals or why it ended.
            let visible = !(people[id] ?? []).isEmpty
            return Pairing(
                id: id,
                unitId: try row.decode("unit_id"),
                kind: PairingKind(rawValue: try row.decode("kind")) ?? .other,
                goals: visible ? try row.decode("goals") : "",
                startOn: try row.decode("start_on"),
                endOn: try row.decode("end_on"),
                status: try row.decode("status"),
                running: try row.decode("running"),
                endedOn: try row.decode("ended_on"),
                endReason: visible ? try row.decode("end_reason") : nil,
                helpers: helpers[id] ?? [],
                people: people[id] ?? [],
                version: try row.decode("version")
            )
        }
    }

    /// One visible pairing and its stored content hash.
    static func find(_ id: UUID, forUpdate: Bool = false, in transaction: PostgresTransaction) async throws -> (pairing: Pairing, hash: Data)? {
        guard let pairing = try await Self.list(where: "g.id = \(id)", limit: 1, forUpdate: forUpdate, in: transaction).first else { return nil }
        let hash = try await transaction.query("select content_hash from pairing where id = \(id)").first?.decode("content_hash", as: Data.self)
        return (pairing, hash ?? Data())
    }

    /// Visible pairings filtered by a paired person, a helper, a unit's subtree and a status
    /// (`active` or `ended`), each when given.
    static func list(
        person: UUID?,
        volunteer: UUID?,
        unit: UUID?,
        status: String?,
        in transaction: PostgresTransaction
    ) async throws -> [Pairing] {
        var clauses: [SQLQuery] = ["true"]
        if let person { clauses.append("exists (select from pairing_person pp where pp.pairing_id = g.id and pp.person_id = \(person))") }
        if let volunteer { clauses.append("exists (select from pairing_helper h where h.pairing_id = g.id and h.volunteer_id = \(volunteer))") }
        if let unit {
            clauses.append("exists (select from liushou_unit_brief(g.unit_id) b, liushou_unit_brief(\(unit)) u where b.path::ltree <@ u.path::ltree)")
        }
        if let status { clauses.append("g.status = \(status)") }
        return try await Self.list(where: SQLQuery.joined(clauses, separator: " and "), in: transaction)
    }

    /// The pairings a volunteer helps in.
    static func list(helpedBy volunteer: UUID, in transaction: PostgresTransaction) async throws -> [Pairing] {
        try await Self.list(
            where: "exists (select from pairing_helper h where h.pairing_id = g.id and h.volunteer_id = \(volunteer))",
            in: transaction
        )
    }

    /// Ends a pairing (the caller checked scope, version and dates): its helpers lose the people's
    /// assignments now and the people's timelines say why it ended.
    static func end(
        _ stored: Pairing,
        on endedOn: LocalDate,
        reason: String,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws {
        try await transaction.query(
            """
            update pairing set status = 'ended', ended_on = \(endedOn), end_reason = \(reason), ended_by = \(caller.accountID),
                version = version + 1, updated_at = now()
            where id = \(stored.id)
            """
        )
        try await transaction.query(
            """
            update person_assignment set ended_at = now()
            where source = 'pairing' and source_id = \(stored.id) and (ended_at is null or ended_at > now())
            """
        )
        try await PersonTimeline.append(
            stored.people.map { person in
                PersonTimeline.Entry(
                    person: person.personId,
                    module: "volunteers",
                    kind: "pairing.ended",
                    summary: "结对帮扶结束：" + reason,
                    caller: caller,
                    record: stored.id
                )
            },
            in: transaction
        )
    }
}
