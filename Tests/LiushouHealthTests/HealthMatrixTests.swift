import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Every role against every health route, for the child of its own town and the other town's child.
@Suite("Health access by role and tenant")
struct HealthMatrixTests {
    @Test("each role × own and other-town people × every health route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                // The volunteer is paired with the child, so every role but the auditor sees the child.
                let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.query(
                    """
                    insert into person_assignment (id, person_id, account_id, unit_id, source)
                    values (\(UUID()), \(UUID(uuidString: world.child)!), \(volunteer), \(world.fixture.grid1a.id), 'pairing')
                    """
                )
                #expect(
                    try await client.post("/v1/checkups", json: HealthWorld.checkup(person: world.child, kind: "child_health"), token: world.clinic)
                        .status == .created
                )
                let token = try await client.login(world.fixture.username(for: role))
                let county = role == .countyAdmin
                let clinic = role == .clinicStaff

                let own = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(record: "M1", person: world.child, kind: "child_health"),
                    token: token
                )
                #expect(own.status.code == (clinic ? 201 : 403), "\(role) upload own: \(own.text)")
                let other = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(record: "M2", idNumber: HealthWorld.otherID, kind: "child_health"),
                    token: token
                )
                #expect(other.status.code == (clinic ? 422 : 403), "\(role) upload other")
                let batch = try await client.post("/v1/checkups/batch", json: ["items": [HealthWorld.checkup(record: "M3")]], token: token)
                #expect(batch.status.code == (clinic ? 200 : 403), "\(role) batch")

                let reads = role != .auditor
                let view = try await client.send(.get, "/v1/persons/\(world.child)/health", token: token)
                #expect(view.status.code == (reads ? 200 : 403), "\(role) health own: \(view.text)")
                if reads {
                    #expect(try view.decode(Answer.Keyed<Answer.HealthView>.self).keys.contains("details") == clinic, "\(role) details")
                    #expect(view.text.contains("高血压") == clinic, "\(role) diagnoses")
                }
                let theirs = try await client.send(.get, "/v1/persons/\(world.other)/health", token: token)
                #expect(theirs.status.code == (!reads ? 403 : county ? 200 : 404), "\(role) health other")

                let file: [String: Any] = ["chronicConditions": [], "allergies": ["花粉"]]
                let put = try await client.send(
                    .put,
                    "/v1/persons/\(world.child)/health-file",
                    json: file,
                    token: token,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(put.status.code == (clinic ? 200 : 403), "\(role) file own")
                let putOther = try await client.send(
                    .put,
                    "/v1/persons/\(world.other)/health-file",
                    json: file,
                    token: token,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect(putOther.status.code == (clinic ? 404 : 403), "\(role) file other")

                let indicators = Permission.indicatorsRead.roles.contains(role)
                let coverage = try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.village1a.idString)", token: token)
                #expect(coverage.status.code == (indicators ? 200 : 403), "\(role) coverage own")
                let coverageOther = try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.village2a.idString)", token: token)
                #expect(coverageOther.status.code == (!indicators ? 403 : county ? 200 : 404), "\(role) coverage other")
            }
        }
    }
}
