import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Legal-aid indicators")
struct LegalIndicatorTests {
    /// Sets a case's intake time and (when given) its assignment that many days later, as hand-built history.
    static func backdate(_ id: String, openedAt: String, assignedAfterDays days: Int?, _ database: TestDatabase) async throws {
        let uuid = UUID(uuidString: id)
        try await database.pool.query("update legal_case set opened_at = \(openedAt)::timestamptz where id = \(uuid)")
        if let days {
            try await database.pool.query(
                """
                update legal_case_detail set assigned_at = \(openedAt)::timestamptz + interval '1 day' * \(Double(days)),
                    first_contact_due = \(openedAt)::timestamptz + interval '1 day' * \(Double(days + 3))
                where case_id = \(uuid)
                """
            )
        }
    }

    @Test("eligible left-behind children's cases aided ÷ eligible (100 % target), by matter and stage, median days to assignment, by unit")
    func handBuilt() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let childB = try await LegalWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.child(
                            name: "甲二",
                            sequence: 111,
                            village: world.fixture.village1a
                        ),
                        token: world.cadre
                    )
                )
                let childC = try await LegalWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.child(
                            name: "乙一",
                            sequence: 113,
                            village: world.fixture.village1b
                        ),
                        token: world.townAdmin
                    )
                )
                let officer = try await LegalWorld.account("town1.legal2", database)
                func open(_ person: String, _ matter: String = "custody_guardianship") async throws -> String {
                    try await LegalWorld.open(client, person: person, matter: matter, token: world.legal)
                }
                func step(_ id: String, _ action: String, _ body: [String: Any], _ version: Int, token: String? = nil) async throws {
                    let response = try await LegalWorld.step(client, id, action, body, version: version, token: token ?? world.legal)
                    #expect(response.status == .ok, "\(action): \(response.text)")
                }
                let minor: [String: Any] = ["eligible": true, "basis": "minor"]
                let assign: [String: Any] = ["officerAccountId": officer]
                // c1: child A, eligible, assigned after 2 days — aided.
                let c1 = try await open(world.child)
                try await step(c1, "decision", minor, 1)
                try await step(c1, "assignment", assign, 2)
                // c2: child B, eligible, not yet assigned — not aided.
                let c2 = try await open(childB)
                try await step(c2, "decision", minor, 1)
                // c3: child C (乙村), eligible, assigned after 4 days, closed by judgment — aided.
                let c3 = try await open(childC)
                try await step(c3, "decision", minor, 1)
                try await step(c3, "assignment", assign, 2)
                try await step(c3, "first-contact", ["mode": "litigation"], 3)
                try await step(c3, "close", ["outcome": "judgment"], 4)
                // c4: child C, refused and upheld — not eligible.
                let c4 = try await open(childC)
                try await step(c4, "decision", ["eligible": false, "reason": "非法律援助事项"], 1)
                try await step(c4, "review", ["decision": "uphold", "reason": "维持"], 2, token: world.townAdmin)
                // c5: child A, eligible, withdrawn before assignment — left out.
                let c5 = try await open(world.child)
                try await step(c5, "decision", minor, 1)
                try await step(c5, "close", ["outcome": "withdrawn"], 2)
                // c6: the elder on 低保, eligible, assigned after 6 days — not a child's case.
                let c6 = try await open(world.poorElder, "elder_support")
                try await step(c6, "decision", ["eligible": true, "basis": "economic_hardship"], 1)
                try await step(c6, "assignment", assign, 2)
                // c7: child B, eligible, opened in 2025 — outside the period.
                let c7 = try await open(childB)
                try await step(c7, "decision", minor, 1)

                try await database.pool.query("alter table legal_case disable trigger legal_case_stage_guard")
                try await Self.backdate(c1, openedAt: "2026-03-01T10:00:00+08:00", assignedAfterDays: 2, database)
                try await Self.backdate(c2, openedAt: "2026-03-02T10:00:00+08:00", assignedAfterDays: nil, database)
                try await Self.backdate(c3, openedAt: "2026-03-05T10:00:00+08:00", assignedAfterDays: 4, database)
                try await Self.backdate(c4, openedAt: "2026-03-06T10:00:00+08:00", assignedAfterDays: nil, database)
                try await Self.backdate(c5, openedAt: "2026-03-07T10:00:00+08:00", assignedAfterDays: nil, database)
                try await Self.backdate(c6, openedAt: "2026-03-10T10:00:00+08:00", assignedAfterDays: 6, database)
                try await Self.backdate(c7, openedAt: "2025-12-01T10:00:00+08:00", assignedAfterDays: nil, database)
                try await database.pool.query("alter table legal_case enable trigger legal_case_stage_guard")

                let uri = "/v1/legal-aid/indicators?unitId=\(world.fixture.town1.idString)&from=2026-01-01&to=2026-12-31"
                func units() async throws -> [String: Read.Unit] {
                    let response = try await client.send(.get, uri, token: world.townAdmin)
                    #expect(response.status == .ok, "\(response.text)")
                    let indicators = try response.decode(Read.Indicators.self)
                    #expect(indicators.target == 1.0)
                    var byUnit: [String: Read.Unit] = [:]
                    for item in indicators.items {
                        byUnit[item.unitId.lowercased()] = item
                    }
                    return byUnit
                }
                var figures = try await units()
                #expect(figures.count == 3)
                let town = try #require(figures[world.fixture.town1.idString])
                #expect(town.cases == 6)
                #expect(town.eligibleChildCases == 3)
                #expect(town.aidedChildCases == 2)
                #expect(town.aidRate == 0.6667)
                #expect(town.medianDaysToAssignment == 4.0)
                let counts = Set(town.byMatterAndStage.map { "\($0.matter)/\($0.stage)=\($0.cases)" })
                #expect(
                    counts == [
                        "custody_guardianship/assigned=1", "custody_guardianship/eligible=1", "custody_guardianship/closed=2",
                        "custody_guardianship/refusal_upheld=1", "elder_support/assigned=1",
                    ]
                )
                let villageA = try #require(figures[world.fixture.village1a.idString])
                #expect(villageA.cases == 4)
                #expect(villageA.eligibleChildCases == 2)
                #expect(villageA.aidedChildCases == 1)
                #expect(villageA.aidRate == 0.5)
                #expect(villageA.medianDaysToAssignment == 4.0)
                let villageB = try #require(figures[world.fixture.village1b.idString])
                #expect(villageB.cases == 2)
                #expect(villageB.eligibleChildCases == 1)
                #expect(villageB.aidRate == 1.0)
                #expect(villageB.medianDaysToAssignment == 4.0)

                // Every eligible child's case aided: 100 %. The median now counts c2's long wait (2, 4, 6, ~270 days → 5).
                try await step(c2, "assignment", assign, 2)
                figures = try await units()
                #expect(figures[world.fixture.town1.idString]?.aidRate == 1.0)
                #expect(figures[world.fixture.town1.idString]?.aidedChildCases == 3)
                #expect(figures[world.fixture.town1.idString]?.medianDaysToAssignment == 5.0)
                #expect(figures[world.fixture.village1a.idString]?.aidRate == 1.0)

                // The 2025 case counts in a 2025 period only.
                let earlier = try await client.send(
                    .get,
                    "/v1/legal-aid/indicators?unitId=\(world.fixture.town1.idString)&from=2025-01-01&to=2025-12-31",
                    token: world.legal
                )
                let earlierTown = try earlier.decode(Read.Indicators.self).items.first
                #expect(earlierTown?.cases == 1)
                #expect(earlierTown?.eligibleChildCases == 1)
                #expect(earlierTown?.aidRate == 0.0)

                // Bad input, other tenant, wrong role.
                #expect(try await client.send(.get, "/v1/legal-aid/indicators", token: world.legal).status == .badRequest)
                let reversed = try await client.send(
                    .get,
                    "/v1/legal-aid/indicators?unitId=\(world.fixture.town1.idString)&from=2026-02-01&to=2026-01-01",
                    token: world.legal
                )
                #expect(try LegalWorld.fields(reversed) == ["from"])
                #expect(try LegalWorld.fields(try await client.send(.get, uri + "x", token: world.legal)) == ["to"])
                #expect(try await client.send(.get, uri, token: world.otherLegal).status == .notFound)
                #expect(try await client.send(.get, uri, token: world.cadre).status == .forbidden)
            }
        }
    }
}
