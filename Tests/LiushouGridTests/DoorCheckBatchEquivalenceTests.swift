import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@testable import LiushouGrid

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
        /// The batch written as this many transactions at once (`DoorCheckRecorder.record(_:caller:in:parts:)`).
        case parts(Int)
    }

    @Test("a mixed batch (new, repeated, conflicting, refused, household, ties, older checks) and the same checks posted one by one agree row by row")
    func sameRecords() async throws {
        let now = Date()
        let batch = try await Self.run(.batch, now: now)
        let singles = try await Self.run(.singles, now: now)
        let parts = try await Self.run(.parts(3), now: now)
        #expect(
            batch.statuses == [
                "created", "created", "created", "duplicate", "conflict", "created", "rejected", "rejected", "created",
                "created", "created", "created", "conflict",
            ],
            "\(batch)"
        )
        #expect(batch == singles, "batch:\n\(batch)\n\nsingles:\n\(singles)")
        #expect(parts == batch, "three parts:\n\(parts)\n\nbatch:\n\(batch)")
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
                case .parts(let count):
                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = Date.requestDecodingStrategy
                    let inputs = try items.map { try decoder.decode(DoorCheckInput.self, from: JSONSerialization.data(withJSONObject: $0)) }
                    let caller = try await PlatformFixture.caller("village1a.cadre", .villageCadre, at: world.fixture.village1a, in: database)
                    // This batch names a household, so it is written whole; `partsStoreWhatOneTransactionStores` splits one.
                    #expect(DoorCheckRecorder.split(inputs, into: count).count == 1)
                    let tenant = TenantDatabase(pool: database.appPool)
                    let results = try await DoorCheckRecorder().record(inputs, caller: caller, in: tenant, parts: count)
                    statuses = results.map(\.status.rawValue)
                }

                let names = [world.child: "child", world.elder: "elder", world.other: "other", memberID: "member"]
                return try await Self.outcome(of: database, statuses: statuses, names: names)
            }
        }
    }

    /// What a run left in `database`, people named by `names` (lower-case id to name).
    static func outcome(of database: TestDatabase, statuses: [String], names: [String: String]) async throws -> Outcome {
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

    @Test("a batch split into parts: every item once, in order within its part; every item of an id in the part of its first")
    func split() {
        var generator = SplitMix64(seed: 45)
        let people = (0..<80).map { _ in UUID.timeOrdered() }
        var items: [DoorCheckInput] = []
        for index in 0..<600 {
            // Every fifth item repeats an earlier item (a retry); every sixtieth takes an earlier item's id for another person (a conflict).
            let repeated = index % 5 == 4 || index % 60 == 59 ? items[Int(generator.next() % UInt64(items.count))] : nil
            let person = people[Int(generator.next() % UInt64(people.count))]
            items.append(
                DoorCheckInput(
                    id: repeated?.id ?? UUID(),
                    personId: index % 60 == 59 ? person : repeated?.personId ?? person,
                    occurredAt: Date(),
                    channel: .inPerson,
                    kind: .gridKnock,
                    outcome: .allWell
                )
            )
        }
        let firstOf = items.indices.map { index in items.firstIndex { $0.id == items[index].id }! }
        for count in 1...4 {
            let parts = DoorCheckRecorder.split(items, into: count)
            #expect(parts.count == count)
            #expect(parts.flatMap { $0 }.sorted() == Array(items.indices), "every item once")
            #expect(parts.allSatisfy { $0 == $0.sorted() }, "the batch's order within each part")
            let partOf = Dictionary(uniqueKeysWithValues: parts.enumerated().flatMap { part, indices in indices.map { ($0, part) } })
            for index in items.indices {
                #expect(partOf[index] == partOf[firstOf[index]], "item \(index) goes with item \(firstOf[index]), the first of its id")
            }
            // Every person's items in one part, also of people who share an id (retries, conflicts).
            for person in people {
                #expect(Set(items.indices.filter { items[$0].personId == person }.map { partOf[$0] }).count <= 1)
            }
        }
        #expect(TenantDatabase.parts(for: 499, rowsPerPart: 500) == 1)
        #expect(TenantDatabase.parts(for: 1000, rowsPerPart: 500) == 2)
        #expect(TenantDatabase.parts(for: 5000, rowsPerPart: 500) == 2)
        // A household check keeps the batch whole.
        var withHousehold = items
        withHousehold[300].personId = nil
        withHousehold[300].householdId = UUID()
        #expect(DoorCheckRecorder.split(withHousehold, into: 2).count == 1)
        // A person with a check that opens follow-ups, and the people sharing ids with them, in the first part.
        var alerting = items
        alerting[5].outcome = .needsFollowUp
        alerting[5].needs = [.health]
        let first = Set(DoorCheckRecorder.split(alerting, into: 3)[0].map { alerting[$0].personId })
        #expect(first.contains(alerting[5].personId))
        let sharing = alerting.filter { item in alerting.contains { $0.id == item.id && $0.personId == alerting[5].personId } }
        #expect(sharing.allSatisfy { first.contains($0.personId) })
    }

    @Test("a batch of person checks written in two parts stores, answers and alerts what one transaction does")
    func partsStoreWhatOneTransactionStores() async throws {
        let now = Date()
        let whole = try await Self.runInParts(1, now: now)
        let parts = try await Self.runInParts(2, now: now)
        #expect(whole.outcome.statuses.filter { $0 == "created" }.count == 19, "\(whole.outcome)")
        #expect(whole.outcome.statuses.suffix(4) == ["duplicate", "conflict", "rejected", "created"], "\(whole.outcome.statuses)")
        #expect(!whole.outcome.followUps.isEmpty)
        #expect(parts.outcome == whole.outcome, "two parts:\n\(parts.outcome)\n\none transaction:\n\(whole.outcome)")
        #expect(parts.alerts == whole.alerts, "alerts: \(parts.alerts) against \(whole.alerts)")
        #expect(whole.alerts.contains { $0.hasPrefix("follow_up.opened") }, "\(whole.alerts)")
    }

    /// Six people with fixed ids whose last byte places them (`split` reads the low bytes of a
    /// group's smallest id): odd in the second part, even in the first, except the third, whose
    /// follow-up sends them all to the first, where the fourth's follow-up is too (one alert for
    /// the unit and role), and the second, who shares an id with the first. Each has three checks;
    /// the second two at the same time (a tie), the fourth a retried item (duplicate), the sixth an
    /// item under the fifth's id (conflict), and an id is refused for the second before the first's
    /// item of that id is stored (at the time of the first's second check: a tie).
    static func runInParts(_ count: Int, now: Date) async throws -> (outcome: Outcome, alerts: [String]) {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                let people = (1...6).map { UUID(uuidString: String(format: "00000000-0000-7000-8000-0000000000%02x", $0))! }
                for (number, id) in people.enumerated() {
                    var child = People.child(name: "乙\(number)", sequence: 210 + number, village: world.fixture.village1a, grid: world.fixture.grid1a)
                    child["id"] = id.uuidString.lowercased()
                    _ = try await GridWorld.created(try await client.post("/v1/persons", json: child, token: cadre))
                }
                func item(_ number: Int, _ person: Int, hoursAgo: Double, outcome: CheckOutcome = .allWell, needs: [Need]? = nil) -> DoorCheckInput {
                    DoorCheckInput(
                        id: UUID(uuidString: String(format: "d%07d-0000-7000-8000-000000000000", number))!,
                        personId: people[person - 1],
                        occurredAt: Date(timeIntervalSince1970: (now.timeIntervalSince1970 - hoursAgo * 3600).rounded()),
                        channel: .inPerson,
                        kind: .cadreVisit,
                        outcome: outcome,
                        needs: needs
                    )
                }
                var items: [DoorCheckInput] = []
                for person in 1...6 {
                    items.append(item(person * 10, person, hoursAgo: 5))
                    items.append(item(person * 10 + 1, person, hoursAgo: person == 2 ? 3 : 2))
                    items.append(
                        person == 3 || person == 4
                            ? item(person * 10 + 2, person, hoursAgo: 3, outcome: .needsFollowUp, needs: [.health])
                            : item(person * 10 + 2, person, hoursAgo: 3)
                    )
                }
                items.append(item(40, 4, hoursAgo: 5))
                items.append(item(50, 6, hoursAgo: 1))
                // An id refused for the second (in the future), then stored for the first.
                items.append(item(70, 2, hoursAgo: -2))
                items.append(item(70, 1, hoursAgo: 2))
                let split = DoorCheckRecorder.split(items, into: count)
                if count == 2 {
                    #expect(split.count == 2)
                    // Odd people in the second part, with those sharing an id with them (the second, the sixth); the
                    // third (a follow-up) and the fourth in the first.
                    #expect(Set(split[1].compactMap { items[$0].personId }) == [people[0], people[1], people[4], people[5]])
                    #expect(Set(split[0].compactMap { items[$0].personId }) == [people[2], people[3]])
                }
                let caller = try await PlatformFixture.caller("village1a.cadre", .villageCadre, at: world.fixture.village1a, in: database)
                let results = try await DoorCheckRecorder().record(items, caller: caller, in: TenantDatabase(pool: database.appPool), parts: count)
                let names = Dictionary(uniqueKeysWithValues: people.enumerated().map { ($1.uuidString.lowercased(), "p\($0 + 1)") })
                let outcome = try await Self.outcome(of: database, statuses: results.map(\.status.rawValue), names: names)
                let alerts = try await database.pool.query(
                    "select e.event || '/' || e.facts::text || '/' || (select count(*) from alert a where a.event_id = e.id) as alert from alert_event e"
                ).map { try $0.decode("alert", as: String.self) }.sorted()
                return (outcome, alerts)
            }
        }
    }
}
