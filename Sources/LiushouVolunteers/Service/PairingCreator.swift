import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Creates a pairing after the gates: people in the caller's scope, helpers in the register, only
/// screened helpers for children, and the guardian's consent for every child. Gives each helper's
/// login the paired people for the pairing's dates and puts the pairing on their timelines.
struct PairingCreator {
    struct PersonFacts {
        var name: String
        var path: String
        var child: Bool
        var born: LocalDate
    }

    /// Field problems of the pairing against the stored people and volunteers.
    static func problems(
        _ input: PairingInput,
        caller: Caller,
        today: LocalDate,
        in transaction: PostgresTransaction
    ) async throws
        -> (errors: [Problem.FieldError], people: [UUID: PersonFacts])
    {
        var errors: [Problem.FieldError] = []
        var people: [UUID: PersonFacts] = [:]
        for row in try await transaction.query(
            """
            select p.id, p.name, p.categories, p.birth_date, (select b.path from liushou_unit_brief(p.unit_id) b) as path
            from person p where p.id = any(\(input.people.map(\.personId))) and p.status = 'active'
            """
        ) {
            let categories = try row.decode("categories", as: [String].self)
            let born = try row.decode("birth_date", as: LocalDate.self)
            let child =
                categories.contains("left_behind_child") || categories.contains("child_in_difficulty")
                || PersonValidator.age(born: born, on: today) < 18
            people[try row.decode("id")] = PersonFacts(name: try row.decode("name"), path: try row.decode("path"), child: child, born: born)
        }
        for (index, person) in input.people.enumerated() {
            guard let facts = people[person.personId], caller.holds(.pairingsManage, at: facts.path) else {
                errors.append(.init(field: "people[\(index)].personId", message: "no such active person in your scope"))
                continue
            }
            if facts.child, person.consentBy == nil {
                errors.append(.init(field: "people[\(index)].consentBy", message: "a child is paired only with the guardian's recorded consent"))
            }
            if let on = person.consentOn, on < facts.born {
                errors.append(.init(field: "people[\(index)].consentOn", message: "is before the person's birth"))
            }
            if input.startOn < facts.born {
                errors.append(.init(field: "startOn", message: "is before the person's birth"))
            }
        }
        // All the people must lie in one unit the caller manages (the pairing is filed there).
        if errors.isEmpty, people.count == input.people.count {
            let common = try await transaction.query(
                """
                select b.path from liushou_unit_brief(liushou_common_unit(\(input.people.map(\.personId)))) b
                """
            ).first?.decode("path", as: String.self)
            if common.map({ !caller.holds(.pairingsManage, at: $0) }) ?? true {
                errors.append(.init(field: "people", message: "pair people of one unit you manage (their common village, town or county)"))
            }
        }
        let anyChild = people.values.contains { $0.child }
        var screening: [UUID: String] = [:]
        for row in try await transaction.query("select id, screening_status from volunteer where id = any(\(input.helpers))") {
            screening[try row.decode("id")] = try row.decode("screening_status")
        }
        for (index, helper) in input.helpers.enumerated() {
            switch screening[helper] {
            case nil:
                errors.append(.init(field: "helpers[\(index)]", message: "no such volunteer in your register"))
            case "failed"?:
                errors.append(.init(field: "helpers[\(index)]", message: "failed the background check and cannot be paired"))
            case "pending"? where anyChild:
                errors.append(.init(field: "helpers[\(index)]", message: "only volunteers who passed the background check are paired with children"))
            default:
                break
            }
        }
        return (errors, people)
    }

    /// Inserts the pairing, its people and helpers, the helpers' assignments and the timeline events.
    static func insert(_ input: PairingInput, caller: Caller, people: [UUID: PersonFacts], in transaction: PostgresTransaction) async throws {
        guard
            let unit = try await transaction.query("select liushou_common_unit(\(input.people.map(\.personId))) as unit").first?
                .decode("unit", as: UUID?.self)
        else { throw Problem.internalError }
        try await transaction.query(
            """
            insert into pairing (id, unit_id, kind, goals, start_on, end_on, status, created_by, content_hash)
            values (\(input.id), \(unit), \(input.kind.rawValue), \(input.goals.trimmingCharacters(in: .whitespacesAndNewlines)),
                \(input.startOn), \(input.endOn), 'active', \(caller.accountID), \(ContentHash.of(input)))
            """
        )
        for person in input.people {
            try await transaction.query(
                """
                insert into pairing_person (pairing_id, person_id, consent_by, consent_on)
                values (\(input.id), \(person.personId), \(person.consentBy?.trimmingCharacters(in: .whitespacesAndNewlines)), \(person.consentOn))
                """
            )
        }
        try await transaction.query(
            """
            insert into pairing_helper (pairing_id, volunteer_id) select \(input.id), unnest(\(input.helpers)::uuid[])
            """
        )
        try await transaction.query(
            """
            insert into person_assignment (id, person_id, account_id, unit_id, source, source_id, started_at, ended_at)
            select gen_random_uuid(), pp.person_id, v.account_id, liushou_person_unit(pp.person_id), 'pairing', pp.pairing_id,
                (\(input.startOn)::date)::timestamp at time zone 'Asia/Shanghai',
                (\(input.endOn)::date + 1)::timestamp at time zone 'Asia/Shanghai'
            from pairing_person pp join pairing_helper h on h.pairing_id = pp.pairing_id join volunteer v on v.id = h.volunteer_id
            where pp.pairing_id = \(input.id) and v.account_id is not null
            """
        )
        let helperNames =
            try await transaction.query(
                """
                select string_agg(v.name, '、' order by v.name) as names from volunteer v where v.id = any(\(input.helpers))
                """
            ).first?.decode("names", as: String?.self) ?? ""
        try await PersonTimeline.append(
            input.people.map { person in
                PersonTimeline.Entry(
                    person: person.personId,
                    module: "volunteers",
                    kind: "pairing.started",
                    summary: "结对帮扶（\(input.kind.chineseName)）：\(helperNames)，自 \(input.startOn) 起",
                    caller: caller,
                    record: input.id
                )
            },
            in: transaction
        )
    }
}
