import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

/// The dashboard keeps per-unit counts between reads; every write must still show in the next read.
@Suite("Dashboard freshness")
struct DashboardFreshnessTests {
    static func town(
        _ client: some TestClientProtocol,
        _ world: DashboardWorld
    ) async throws -> (
        indicators: [String: (Int, Int, Double?, String)],
        counts: [String: Int]
    ) {
        let response = try await client.send(.get, "/v1/dashboard?unitId=\(world.fixture.town1.idString)", token: world.town)
        #expect(response.status == .ok, "\(response.text)")
        let row = try DashboardTests.rows(response)["一乡"]
        return (DashboardTests.indicators(row?.indicators), row?.counts ?? [:])
    }

    /// Whether the unit's counts are kept (a read stored them and no write has made them stale since).
    static func kept(_ unit: OrgUnit, _ database: TestDatabase) async throws -> Bool {
        try await database.pool.query("select counts is not null as kept from dashboard_leaf_cache where unit_id = \(unit.id)")
            .first?.decode("kept", as: Bool.self) ?? false
    }

    @Test("each kind of write shows in the next read after the counts were kept; school rates and legal aid")
    func writesShowAtOnce() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let f = world.fixture
                // Children A, B and D (born 2015) are of compulsory age; none is on a roll yet.
                var town = try await Self.town(client, world)
                #expect(town.counts["persons"] == 5)
                #expect(town.indicators["enrolment"]?.0 == 0 && town.indicators["enrolment"]?.1 == 3)
                #expect(town.indicators["enrolment"]?.3 == "red")
                #expect(town.indicators["kindergarten"]?.1 == 0 && town.indicators["kindergarten"]?.3 == "none")
                #expect(town.indicators["legal_aid"]?.1 == 0)
                #expect(try await Self.kept(f.grid1a, database), "the read kept the counts")
                #expect(try await Self.kept(f.village1a, database))

                // A joins a school's roll (since 2024, so also in this school year's cohort).
                let enrolment = try await client.post(
                    "/v1/enrolments",
                    json: [
                        "id": UUID().uuidString, "personId": world.id("A"), "schoolId": f.school1.idString, "stage": "primary", "grade": 5,
                        "boarding": false, "enrolledOn": "2024-09-01",
                    ],
                    token: world.town
                )
                #expect(enrolment.status == .created, "\(enrolment.text)")
                #expect(try await !Self.kept(f.grid1a, database), "A's unit is stale after the roll changed")
                #expect(try await Self.kept(f.village1b, database), "other units keep their counts")
                town = try await Self.town(client, world)
                #expect(town.indicators["enrolment"]?.0 == 1 && town.indicators["enrolment"]?.1 == 3)
                #expect(town.indicators["retention"]?.0 == 1 && town.indicators["retention"]?.1 == 1)

                // A drops out today: still in the cohort, no longer retained nor enrolled.
                let row = (try enrolment.json()["id"] as? String) ?? ""
                let dropout = try await client.post(
                    "/v1/enrolments/\(row)/status-changes",
                    json: [
                        "id": UUID().uuidString, "toStatus": "dropped_out", "effectiveOn": ChinaClock.system.today().description, "reason": "外出打工",
                    ],
                    token: world.town,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(dropout.status == .created || dropout.status == .ok, "\(dropout.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["enrolment"]?.0 == 0 && town.indicators["enrolment"]?.1 == 3)
                #expect(town.indicators["retention"]?.0 == 0 && town.indicators["retention"]?.1 == 1)

                // C (elder and woman) is screened: the women's rate moves at once.
                #expect(town.indicators["women_screened"]?.0 == 0 && town.indicators["women_screened"]?.1 == 1)
                let screening = try await client.post(
                    "/v1/checkups",
                    json: [
                        "recordId": "S1", "personId": world.id("C"), "checkedOn": ChinaClock.system.today().description, "kind": "women_screening",
                        "followUpNeeded": false, "clinician": "王医生",
                    ],
                    token: try await client.login("clinic1.doctor")
                )
                #expect(screening.status == .created, "\(screening.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["women_screened"]?.0 == 1 && town.indicators["women_screened"]?.1 == 1)
                #expect(town.indicators["elders_checked"]?.0 == 1)

                // Legal aid for B: eligible (0 of 1 aided), then assigned (1 of 1).
                let legal = try await client.login("town1.legal")
                let opened = try await client.post(
                    "/v1/legal-cases",
                    json: [
                        "id": UUID().uuidString, "personId": world.id("B"), "matter": "custody_guardianship", "parties": ["王二叔"],
                        "facts": "父母外出务工，叔叔争夺抚养权", "urgency": "urgent", "channel": "walk_in",
                    ],
                    token: legal
                )
                #expect(opened.status == .created, "\(opened.text)")
                let legalCase = (try opened.json()["id"] as? String) ?? ""
                let decided = try await client.post(
                    "/v1/legal-cases/\(legalCase)/decision",
                    json: ["eligible": true, "basis": "minor"],
                    token: legal,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(decided.status == .ok, "\(decided.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["legal_aid"]?.0 == 0 && town.indicators["legal_aid"]?.1 == 1)
                let officer = try await database.pool.query("select id from account where username = 'town1.legal'").first?.decode(
                    "id",
                    as: UUID.self
                )
                let assigned = try await client.post(
                    "/v1/legal-cases/\(legalCase)/assignment",
                    json: ["officerAccountId": officer?.uuidString ?? ""],
                    token: legal,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(assigned.status == .ok, "\(assigned.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["legal_aid"]?.0 == 1 && town.indicators["legal_aid"]?.1 == 1)
                #expect(town.indicators["legal_aid"]?.3 == "green")

                // A pairing starts (1 of 5) and ends (0 of 5).
                let volunteer = try await DashboardWorld.created(
                    client.post(
                        "/v1/volunteers",
                        json: [
                            "id": UUID().uuidString, "unitId": f.town1.idString, "name": "志愿者", "organisation": "party_member", "screening": "passed",
                            "screenedOn": "2026-01-05",
                        ],
                        token: world.town
                    )
                )
                let pairing = try await client.post(
                    "/v1/pairings",
                    json: [
                        "id": UUID().uuidString, "kind": "elder_companion", "helpers": [volunteer], "goals": "陪伴",
                        "people": [["personId": world.id("F")]],
                        "startOn": ChinaClock.system.today().description,
                    ],
                    token: world.town
                )
                #expect(pairing.status == .created, "\(pairing.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["pairing"]?.0 == 1 && town.indicators["pairing"]?.1 == 5)
                let ended = try await client.post(
                    "/v1/pairings/\((try pairing.json()["id"] as? String) ?? "")/end",
                    json: ["reason": "老人搬去子女家"],
                    token: world.town,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(ended.status == .ok, "\(ended.text)")
                town = try await Self.town(client, world)
                #expect(town.indicators["pairing"]?.0 == 0)

                // F exits: one person fewer, and no obligations due for F any more.
                let due = town.indicators["daily_knock"]?.1 ?? -1
                let exit = try await client.send(
                    .post,
                    "/v1/persons/\(world.id("F"))/exit",
                    json: ["reason": "moved_away", "exitedOn": "2026-11-01"],
                    token: world.town,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(exit.status == .ok, "\(exit.text)")
                town = try await Self.town(client, world)
                #expect(town.counts["persons"] == 4)
                #expect(town.indicators["daily_knock"]?.1 == due - 1)
            }
        }
    }

    @Test("a read while a write is still open neither waits nor sees it; the write's commit makes the kept counts stale")
    func readDuringOpenWrite() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                #expect(try await Self.town(client, world).indicators["filing"]?.0 == 3)
                try await database.pool.withTransaction { transaction in
                    // F's file becomes incomplete in a transaction that stays open across a read.
                    try await transaction.query("update person set complete = false where id = \(world.id("F"))::uuid")
                    let during = try await Self.town(client, world)
                    #expect(during.indicators["filing"]?.0 == 3)
                    #expect(try await Self.kept(world.fixture.village1b, database), "the reader kept counts without waiting for the writer")
                }
                #expect(try await !Self.kept(world.fixture.village1b, database), "the commit made them stale")
                #expect(try await Self.kept(world.fixture.village1a, database))
                #expect(try await Self.town(client, world).indicators["filing"]?.0 == 2)
            }
        }
    }

    @Test("a transaction reads its own writes (without keeping them); immediate constraints still mark the units stale at once")
    func ownWritesAndImmediateConstraints() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let f = world.fixture
                #expect(try await Self.town(client, world).indicators["filing"]?.0 == 3)
                let town =
                    try await database.pool.query("select path from org_unit where id = \(f.town1.id)").first?.decode("path", as: String.self) ?? ""
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("update person set complete = false where id = \(world.id("F"))::uuid")
                    let complete = try await transaction.query(
                        """
                        select coalesce(sum(value), 0)::int as n from dashboard_counts_under(\(town)::ltree) where metric = 'complete'
                        """
                    ).first?.decode("n", as: Int.self)
                    #expect(complete == 2, "the writing transaction counts its own change")
                }
                #expect(try await !Self.kept(f.village1b, database))
                #expect(try await Self.town(client, world).indicators["filing"]?.0 == 2)
                #expect(try await Self.kept(f.village1b, database))

                try await database.pool.withTransaction { transaction in
                    try await transaction.query("set constraints all immediate")
                    try await transaction.query("update person set complete = true where id = \(world.id("F"))::uuid")
                    try await transaction.query("update person set complete = true where id = \(world.id("B"))::uuid")
                }
                #expect(try await !Self.kept(f.village1b, database))
                #expect(try await !Self.kept(f.village1a, database), "the second write of the transaction also marked its unit")
                #expect(try await Self.town(client, world).indicators["filing"]?.0 == 4)
            }
        }
    }

    @Test("legal-aid counts only for those who may read legal aid")
    func legalAidHidden() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let village = "/v1/dashboard?unitId=\(world.fixture.village1a.idString)"
                let townRow = try DashboardTests.rows(try await client.send(.get, village, token: world.town))["甲村"]
                #expect(DashboardTests.indicators(townRow?.indicators)["legal_aid"] != nil)
                let cadreRow = try DashboardTests.rows(try await client.send(.get, village, token: world.cadre))["甲村"]
                #expect(
                    DashboardTests.indicators(cadreRow?.indicators)["legal_aid"] == nil
                        && DashboardTests.indicators(cadreRow?.indicators)["filing"] != nil
                )
            }
        }
    }

    @Test("reads racing with writes never leave stale counts behind")
    func concurrentReadsAndWrites() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let uri = "/v1/dashboard?unitId=\(world.fixture.town1.idString)"
                // Eight people filed one by one while dashboard reads run alongside.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for n in 0..<8 {
                            let body = People.elder(name: "并\(n)", sequence: 301 + 2 * n, village: world.fixture.village1b)
                            let created = try await client.send(
                                .post,
                                "/v1/persons",
                                body: try JSONSerialization.data(withJSONObject: body),
                                contentType: "application/json",
                                token: world.town
                            )
                            #expect(created.status == .created, "\(created.text)")
                        }
                    }
                    for _ in 0..<4 {
                        group.addTask {
                            for _ in 0..<6 {
                                let read = try await client.send(.get, uri, token: world.town)
                                #expect(read.status == .ok)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let town = try await Self.town(client, world)
                #expect(town.counts["persons"] == 13)
                #expect(town.counts["group_left_behind_elder"] == 10)
                let stored = try await database.pool.query(
                    """
                    select c.counts ->> 'persons' as persons from dashboard_leaf_cache c where c.unit_id = \(world.fixture.village1b.id) and c.counts is not null
                    """
                ).first?.decode("persons", as: String?.self)
                #expect(stored == nil || stored == "10", "a kept count is never older than the last write")
            }
        }
    }
}
