import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Legal-aid confidentiality")
struct LegalConfidentialityTests {
    @Test("details only for the office and administrators, every read audited; others see existence and stage on the timeline")
    func detailsHidden() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                let facts = "叔叔王二强占父母留下的房屋"
                let id = try await LegalWorld.created(
                    try await client.post(
                        "/v1/legal-cases",
                        json: LegalWorld.application(
                            person: world.child,
                            matter: "inheritance",
                            facts: facts,
                            parties: ["王二叔"]
                        ),
                        token: world.legal
                    )
                )
                let decided = try await LegalWorld.step(client, id, "decision", ["eligible": true, "basis": "minor"], version: 1, token: world.legal)
                #expect(decided.status == .ok, "\(decided.text)")

                // Readers of details: the office, the town admin, the county admin — each read audited.
                for token in [world.legal, world.townAdmin, world.county] {
                    let read = try await client.send(.get, "/v1/legal-cases/\(id)", token: token)
                    #expect(read.status == .ok)
                    #expect(try read.json()["facts"] as? String == facts)
                }
                let audited = try await database.pool.query(
                    """
                    select count(*) as n, count(distinct account_id) as readers from audit_log where action = 'legal_case.read' and record_id = \(id)
                    """
                ).first
                #expect(try audited?.decode("n", as: Int.self) == 3)
                #expect(try audited?.decode("readers", as: Int.self) == 3)
                // The county's auditor finds those reads (filed under the case's unit).
                let auditor = try await client.login("county.auditor")
                let trail = try await client.send(.get, "/v1/audit?action=legal_case.read", token: auditor)
                #expect(try trail.decode(Read.Items<Read.Entry>.self).items.count == 3, "\(trail.text)")
                #expect(try await client.send(.get, "/v1/legal-cases", token: world.legal).status == .ok)
                let listed = try await database.pool.query("select count(*) as n from audit_log where action = 'legal_case.list'").first
                #expect(try listed?.decode("n", as: Int.self) == 1)
                let filtered = try await client.send(
                    .get,
                    "/v1/legal-cases?stage=eligible&personId=\(world.child)&unitId=\(world.fixture.village1a.idString)",
                    token: world.legal
                )
                let rows = (try filtered.json()["items"] as? [[String: Any]]) ?? []
                #expect(rows.compactMap { ($0["id"] as? String)?.lowercased() } == [id])
                #expect(rows.first?["facts"] == nil && rows.first?["parties"] == nil)
                #expect(
                    try await client.send(.get, "/v1/legal-cases?stage=closed", token: world.legal).decode(Read.Items<Read.Entry>.self).items.isEmpty
                )
                #expect(try LegalWorld.fields(try await client.send(.get, "/v1/legal-cases?stage=nope", token: world.legal)) == ["stage"])
                #expect(try LegalWorld.fields(try await client.send(.get, "/v1/legal-cases?personId=nope", token: world.legal)) == ["personId"])
                #expect(try LegalWorld.fields(try await client.send(.get, "/v1/legal-cases?unitId=nope", token: world.legal)) == ["unitId"])
                #expect(try await client.send(.get, "/v1/legal-cases?unitId=\(world.fixture.town2.idString)", token: world.legal).status == .notFound)

                // Everyone else who sees the child: no details, a refusal is audited; existence and stage only.
                for username in ["village1a.cadre", "grid1a.worker", "town1.supervisor", "school1.teacher", "town1.relief"] {
                    let token = try await client.login(username)
                    let denied = try await client.send(.get, "/v1/legal-cases/\(id)", token: token)
                    #expect(denied.status == .forbidden, "\(username)")
                    #expect(!denied.text.contains(facts))
                    let cases = try await client.send(.get, "/v1/persons/\(world.child)/legal-cases", token: token)
                    #expect(cases.status == .ok, "\(username) \(cases.text)")
                    let items = (try cases.json()["items"] as? [[String: Any]]) ?? []
                    #expect(items.count == 1)
                    #expect(items.first?["stage"] as? String == "eligible")
                    #expect(Set(items.first?.keys.map { $0 } ?? []) == ["id", "stage", "stageName", "openedAt"])
                    let timeline = try await client.send(.get, "/v1/persons/\(world.child)/timeline", token: token)
                    let summaries = try timeline.decode(Read.Items<Read.TimelineEntry>.self).items
                        .filter { $0.module == "legal_aid" }.map(\.summary)
                    #expect(summaries.sorted() == ["法律援助案件：准予法律援助", "法律援助案件：已受理"], "\(username)")
                    #expect(!timeline.text.contains(facts) && !timeline.text.contains("王二叔") && !timeline.text.contains("继承"))
                }
                let denials = try await database.pool.query(
                    """
                    select count(*) as n from audit_log where action = 'access.denied' and record_id = \("GET /v1/legal-cases/:id")
                    """
                ).first
                #expect(try denials?.decode("n", as: Int.self) == 5)
                // The other town sees neither the case nor the child.
                #expect(try await client.send(.get, "/v1/legal-cases/\(id)", token: world.otherLegal).status == .notFound)
                let theirList = try await client.send(.get, "/v1/legal-cases", token: world.otherLegal)
                #expect(try theirList.decode(Read.Items<Read.Entry>.self).items.isEmpty)
            }
        }
    }

    @Test("row-level security: the details table is empty outside the legal-aid scope, the existence row follows the person")
    func rowLevelSecurity() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await LegalWorld.make(database, client: client)
                _ = try await LegalWorld.open(client, person: world.child, token: world.legal)
                let tenants = TenantDatabase(pool: database.appPool)
                func counts(_ role: Role, _ unit: OrgUnit) async throws -> [Int] {
                    let caller = Caller(
                        accountID: UUID(),
                        name: "rls",
                        kind: .user,
                        grants: [Grant(role: role, unitID: unit.id, unitPath: unit.path)],
                        credentialID: UUID()
                    )
                    return try await tenants.transaction(for: caller) { transaction in
                        var result: [Int] = []
                        for table in ["legal_case", "legal_case_detail", "legal_case_note"] {
                            let row = try await transaction.query("select count(*) as n from \(identifier: table)").first
                            result.append(try row?.decode("n", as: Int.self) ?? -1)
                        }
                        return result
                    }
                }
                #expect(try await counts(.villageCadre, world.fixture.village1a) == [1, 0, 0])
                #expect(try await counts(.childWelfareSupervisor, world.fixture.town1) == [1, 0, 0])
                #expect(try await counts(.legalAidOfficer, world.fixture.town1) == [1, 1, 0])
                #expect(try await counts(.townAdmin, world.fixture.town1) == [1, 1, 0])
                #expect(try await counts(.legalAidOfficer, world.fixture.town2) == [0, 0, 0])
                #expect(try await counts(.townAdmin, world.fixture.town2) == [0, 0, 0])
            }
        }
    }
}
