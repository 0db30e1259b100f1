import Foundation
import HTTPTypes
import LiushouAccess
import LiushouGrid
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Records volunteers' visits through the grid's door-check ingestion (so they satisfy the visit
/// obligations the rules name and open follow-ups for needs found), plus the activities and
/// duration that make up service hours. Retries are answered from what is stored.
struct VolunteerVisitRecorder: Sendable {
    typealias Result = DoorCheckRecorder.ItemResult

    let checks = DoorCheckRecorder()

    func record(_ items: [VolunteerVisitInput], caller: Caller, in transaction: PostgresTransaction) async throws -> [Result] {
        guard
            let volunteer = try await transaction.query("select id from volunteer where account_id = \(caller.accountID)").first?
                .decode("id", as: UUID.self)
        else {
            throw ServiceError.forbidden(
                code: "not_a_registered_volunteer",
                title: "Not in the volunteer register",
                detail: "Your login is not linked to a volunteer of the register."
            )
        }
        var stored: [UUID: Data] = [:]
        for row in try await transaction.query("select check_id, content_hash from volunteer_visit where check_id = any(\(items.map(\.id)))") {
            stored[try row.decode("check_id")] = try row.decode("content_hash")
        }
        let pairings = try await self.pairedPeople(Set(items.map(\.pairingId)), in: transaction)
        var results: [Result?] = []
        var forward: [(index: Int, item: VolunteerVisitInput)] = []
        for (index, item) in items.enumerated() {
            if let hash = stored[item.id] {
                results.append(Result(id: item.id, status: hash == ContentHash.of(item) ? .duplicate : .conflict, errors: nil))
                continue
            }
            var errors = VolunteerRules.problems(item)
            if let pairing = pairings[item.pairingId] {
                if !pairing.people.contains(item.personId) {
                    errors.append(.init(field: "personId", message: "is not paired with you in this pairing"))
                } else if item.occurredAt < pairing.startsAt {
                    errors.append(.init(field: "occurredAt", message: "is before the pairing started"))
                }
            } else {
                errors.append(.init(field: "pairingId", message: "no running pairing of yours"))
            }
            if errors.isEmpty {
                results.append(nil)
                forward.append((index, item))
            } else {
                results.append(Result(id: item.id, status: .rejected, errors: errors))
            }
        }
        if results.contains(where: { $0?.status == .duplicate }) {
            try await transaction.commitWaitsForStandby()
        }
        let recorded = try await self.checks.record(forward.map(\.item.doorCheck), caller: caller, in: transaction)
        for ((index, item), result) in zip(forward, recorded) {
            var result = result
            if result.status == .created {
                try await transaction.query(
                    """
                    insert into volunteer_visit (check_id, pairing_id, volunteer_id, person_id, occurred_at, activities, duration_minutes, content_hash)
                    values (\(item.id), \(item.pairingId), \(volunteer), \(item.personId), \(item.occurredAt), \(item.activities.map(\.rawValue)),
                        \(item.durationMinutes), \(ContentHash.of(item)))
                    """
                )
            } else if result.status == .duplicate {
                // Stored meanwhile by a concurrent upload of this visit (a duplicate), or used by a plain door check (a conflict).
                let hash = try await transaction.query("select content_hash from volunteer_visit where check_id = \(item.id)").first?
                    .decode("content_hash", as: Data.self)
                result = Result(id: item.id, status: hash == ContentHash.of(item) ? .duplicate : .conflict, errors: nil)
            }
            results[index] = result
        }
        return results.compactMap { $0 }
    }

    struct PairingFacts {
        var startsAt: Date
        var people: Set<UUID>
    }

    /// The caller's running pairings among `ids`, with their people.
    private func pairedPeople(_ ids: Set<UUID>, in transaction: PostgresTransaction) async throws -> [UUID: PairingFacts] {
        var facts: [UUID: PairingFacts] = [:]
        for row in try await transaction.query(
            """
            select g.id, (g.start_on::timestamp at time zone 'Asia/Shanghai') as starts_at, array_agg(pp.person_id) as people
            from pairing g join pairing_person pp on pp.pairing_id = g.id
            where g.id = any(\(Array(ids))) and liushou_pairing_helped_by_me(g.id) and g.status = 'active'
              and g.start_on <= (now() at time zone 'Asia/Shanghai')::date
              and (g.end_on is null or g.end_on >= (now() at time zone 'Asia/Shanghai')::date)
            group by g.id
            """
        ) {
            facts[try row.decode("id")] = PairingFacts(startsAt: try row.decode("starts_at"), people: Set(try row.decode("people", as: [UUID].self)))
        }
        return facts
    }
}
