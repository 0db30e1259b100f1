import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// The batch path writes each kind of row with one statement for the whole batch; posting the same
/// checks one at a time must leave exactly the same records.
@Suite("Door checks: batch and single paths agree")
struct DoorCheckBatchEquivalenceTests {
    /// What a run leaves, with people named by role (their ids differ between databases).
    struct Outcome: Equatable, CustomStringConvertible {
        var statuses: [String]
        var checks: [String]
        var obligations: [String]
        var events: [String]
        var followUps: [String]

        var description: String {
            "statuses \(self.statuses)\nchecks \(self.checks)\nobligations \(self.obligations)\nevents \(self.events)\nfollow-ups \(self.followUps)"
        }
    }

    enum Path {
        case batch
        case singles
    }

    @Test("a mixed batch (new, repeated, conflicting, refused, household, ties, older checks) and the same checks posted one by one agree row by row")
    func sameRecords() async throws {
        let now = Date()
        let batch = try await Self.run(.batch, now: now)
        let singles = try await Self.run(.singles, now: now)
        #expect(
            batch.statuses == [
                "created", "created", "created", "duplicate", "conflict", "created", "rejected", "rejected", "created",
                "created", "created", "created", "conflict",
            ],
            "\(batch)"
        )
        #expect(batch == singles, "batch:\n\(batch)\n\nsingles:\n\(singles)")
        // The tie (two checks of the child at the same minute) goes to the earlier item, as it did item by item.
        #expect(batch.obligations.contains { $0.hasPrefix("child/cadre_weekly/") && $0.contains(Self.checkID(0).uuidString) })
        #expect(batch.followUps.count == 3, "health, study, safety")
    }

    /// Fixed check ids, so both runs name the same checks.
    static func checkID(_ index: Int) -> UUID {
        UUID(uuidString: String(format: "c%07d-0000-4000-8000-000000000000", index))!
    }

    static func run(_ path: Path, now: Date) async throws -> Outcome {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let household = UUID().uuidString.lowercased()
                let created = try await client.post(
                    "/v1/households",
                    json: [
                        "id": household, "villageId": world.fixture.village1a.idString,
                        "gridId": world.fixture.grid1a.idString, "address": "甲村 7 号",
                    ],
                    token: cadre
                )
                #expect(created.status == .created, "\(created.text)")
                var member = People.child(name: "甲二", sequence: 131, village: world.fixture.village1a, grid: world.fixture.grid1a)
                member["householdId"] = household
                let memberID = try await GridWorld.created(try await client.post("/v1/persons", json: member, token: cadre))

                func item(
                    _ index: Int,
                    _ target: String,
                    household: Bool = false,
                    kind: String = "cadre_visit",
                    outcome: String = "all_well",
                    needs: [String] = [],
                    hoursAgo: Double,
                    notes: String? = nil
                ) -> [String: Any] {
                    var body: [String: Any] = [
                        "id": Self.checkID(index).uuidString, household ? "householdId" : "personId": target,
                        "occurredAt": Checks.timestamp(now.addingTimeInterval(-hoursAgo * 3600)), "channel": "in_person", "kind": kind,
                        "outcome": outcome, "needs": needs,
                    ]
                    if let notes { body["notes"] = notes }
                    return body
                }
                let items: [[String: Any]] = [
                    item(0, world.child, hoursAgo: 5),
                    item(1, world.child, kind: "grid_knock", outcome: "needs_follow_up", needs: ["health", "study"], hoursAgo: 4),
                    item(2, world.elder, hoursAgo: 3),
                    item(0, world.child, hoursAgo: 5),
                    item(1, world.child, kind: "grid_knock", outcome: "needs_follow_up", needs: ["health", "study"], hoursAgo: 4, notes: "改过"),
                    item(5, world.elder, kind: "grid_knock", outcome: "not_home", hoursAgo: 1),
                    item(6, world.other, hoursAgo: 1),
                    item(7, world.child, hoursAgo: -2),
                    item(8, world.elder, outcome: "urgent", needs: ["safety"], hoursAgo: 2),
                    item(9, world.child, hoursAgo: 6),
                    item(10, household, household: true, hoursAgo: 2.5),
                    item(11, world.child, hoursAgo: 5),
                    // The elder's check id again, for another person: the first in the client's order keeps it.
                    item(2, world.child, hoursAgo: 3),
                ]
                var statuses: [String] = []
                switch path {
                case .batch:
                    let response = try await client.post("/v1/door-checks/batch", json: ["items": items], token: cadre)
                    #expect(response.status == .ok, "\(response.text)")
                    statuses = try response.decode(Answer.Batch.self).results.map(\.status)
                case .singles:
                    for body in items {
                        let response = try await client.post("/v1/door-checks", json: body, token: cadre)
                        switch response.status.code {
                        case 201: statuses.append("created")
                        case 200: statuses.append(try response.json()["status"] as? String ?? "?")
                        case 409: statuses.append("conflict")
                        case 422: statuses.append("rejected")
                        default: statuses.append("HTTP \(response.status.code)")
                        }
                    }
                }

                let names = [world.child: "child", world.elder: "elder", world.other: "other", memberID: "member"]
                func name(_ id: UUID?) -> String { id.map { names[$0.uuidString.lowercased()] ?? "?" } ?? "-" }
                let pool = database.pool
                let checks = try await pool.query(
                    "select id, person_id, household_id is not null as household, kind, outcome from door_check order by id"
                )
                .map { row in
                    "\(try row.decode("id", as: UUID.self))/\(name(try row.decode("person_id", as: UUID?.self)))/\(try row.decode("household", as: Bool.self))/"
                        + "\(try row.decode("kind", as: String.self))/\(try row.decode("outcome", as: String.self))"
                }
                let obligations = try await pool.query(
                    """
                    select person_id, rule_key, last_check_id, extract(epoch from last_check_at)::bigint as last_at,
                        extract(epoch from next_due_at - coalesce(last_check_at, next_due_at))::bigint as cadence
                    from visit_obligation where last_check_id is not null
                    """
                ).map { row in
                    "\(name(try row.decode("person_id", as: UUID.self)))/\(try row.decode("rule_key", as: String.self))/"
                        + "\(try row.decode("last_check_id", as: UUID.self))/\(try row.decode("last_at", as: Int.self))/\(try row.decode("cadence", as: Int.self))"
                }.sorted()
                let events = try await pool.query(
                    "select person_id, kind, summary, record_id, account_name, extract(epoch from at)::bigint as at from person_event where module = 'grid'"
                )
                .map { row in
                    "\(name(try row.decode("person_id", as: UUID.self)))/\(try row.decode("kind", as: String.self))/\(try row.decode("summary", as: String.self))/"
                        + "\(try row.decode("record_id", as: String.self))/\(try row.decode("account_name", as: String.self))/\(try row.decode("at", as: Int.self))"
                }.sorted()
                let followUps = try await pool.query("select check_id, person_id, need, routed_role, status from follow_up")
                    .map { row in
                        "\(try row.decode("check_id", as: UUID.self))/\(name(try row.decode("person_id", as: UUID?.self)))/\(try row.decode("need", as: String.self))/"
                            + "\(try row.decode("routed_role", as: String.self))/\(try row.decode("status", as: String.self))"
                    }.sorted()
                return Outcome(statuses: statuses, checks: checks, obligations: obligations, events: events, followUps: followUps)
            }
        }
    }
}
