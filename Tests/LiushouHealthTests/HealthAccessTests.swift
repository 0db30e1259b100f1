import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Health records: masking, audit, health file, coverage")
struct HealthAccessTests {
    @Test("clinic staff see clinical details (each read audited); everyone else only dates and follow-up flags")
    func masking() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(followUp: true), token: world.clinic).status == .created)
                let uri = "/v1/persons/\(world.elder)/health"
                let clinical = try await client.send(.get, uri, token: world.clinic)
                #expect(clinical.status == .ok)
                let details = try #require(try clinical.decode(Answer.HealthView.self).details)
                let checkups = details.checkups
                #expect(checkups.count == 1)
                #expect(checkups.first?.diagnoses == ["高血压"])
                #expect((checkups.first?.measurements ?? []).count == 2)
                let audits = try await database.pool.query("select count(*) as n from audit_log where action = 'health.read'").first!
                #expect(try audits.decode("n", as: Int.self) == 1)
                for username in ["village1a.cadre", "town1.admin", "county.admin", "town1.supervisor"] {
                    let token = try await client.login(username)
                    let view = try await client.send(.get, uri, token: token)
                    #expect(view.status == .ok, "\(username)")
                    let json = try view.decode(Answer.Keyed<Answer.HealthView>.self)
                    #expect(!json.keys.contains("details"), "\(username) must not get details")
                    // No diagnosis and no measurement (names and units: a bare value such as 135 can be part of an id).
                    #expect(!view.text.contains("高血压") && !view.text.contains("systolic") && !view.text.contains("mmHg"), "\(username)")
                    let annual = json.summary.first { $0.kind == "elder_annual" }
                    #expect(annual?.followUpNeeded == true, "\(username)")
                    #expect(annual?.lastCheckedOn == LocalDateText.daysAgo(3), "\(username)")
                    #expect(annual?.overdue == false)
                }
                #expect(
                    try await database.pool.query("select count(*) as n from audit_log where action = 'health.read'").first!.decode("n", as: Int.self)
                        == 1
                )
                // A volunteer paired with the elder and the woman learns only whether the yearly elder checkup is due:
                // no dates of past checkups, no follow-up flag, nothing of the woman's screening.
                let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!
                    .decode("id", as: UUID.self)
                for person in [world.elder, world.woman] {
                    try await database.pool.query(
                        """
                        insert into person_assignment (id, person_id, account_id, unit_id, source)
                        select \(UUID()), p.id, \(volunteer), p.unit_id, 'pairing' from person p where p.id = \(UUID(uuidString: person)!)
                        """
                    )
                }
                let helper = try await client.login("village1a.volunteer")
                let helped = try await client.send(.get, uri, token: helper)
                #expect(helped.status == .ok, "\(helped.text)")
                let helpedJSON = try helped.decode(Answer.HealthView.self)
                #expect(helpedJSON.limited == true)
                let helpedLines = helpedJSON.summary
                #expect(helpedLines.map { $0.kind } == ["elder_annual"])
                #expect(helpedLines.first?.keys.contains("followUpNeeded") != true && helpedLines.first?.keys.contains("lastCheckedOn") != true)
                #expect(helpedLines.first?.nextDueOn != nil)
                let womanForHelper = try await client.send(.get, "/v1/persons/\(world.woman)/health", token: helper)
                #expect(womanForHelper.status == .ok)
                #expect(!womanForHelper.text.contains("women_screening"))
                #expect(try womanForHelper.decode(Answer.HealthView.self).limited == true)
                let cadreView = try await client.send(.get, uri, token: world.cadre).decode(Answer.HealthView.self)
                #expect(cadreView.limited == false)
                // The timeline keeps the same secret: the helper reads the elder's other entries but not the
                // checkup's (its kind, date and follow-up flag); the village's cadre and the clinic read it.
                let helperTimeline = try await client.send(.get, "/v1/persons/\(world.elder)/timeline", token: helper)
                #expect(helperTimeline.status == .ok, "\(helperTimeline.text)")
                let helperModules = Set(try helperTimeline.decode(Answer.Items<Answer.TimelineEntry>.self).items.map(\.module))
                #expect(helperModules.contains("registry") && !helperModules.contains("health"), "\(helperModules)")
                #expect(!helperTimeline.text.contains("需要随访") && !helperTimeline.text.contains("体检"))
                for token in [world.cadre, world.clinic] {
                    let timeline = try await client.send(.get, "/v1/persons/\(world.elder)/timeline", token: token)
                    let modules = try timeline.decode(Answer.Items<Answer.TimelineEntry>.self).items.map(\.module)
                    #expect(modules.contains("health"), "\(timeline.text)")
                }
                // The auditor finds the read, filed under the person's unit.
                let reviewer = try await client.login("county.auditor")
                let audit = try await client.send(.get, "/v1/audit?action=health.read", token: reviewer)
                #expect(audit.text.contains("health.read"), "\(audit.text)")
                // The woman was never screened: due now and overdue; the child has no checkup rule for women.
                let woman = try await client.send(.get, "/v1/persons/\(world.woman)/health", token: world.cadre).decode(Answer.HealthView.self)
                let screening = woman.summary.first { $0.kind == "women_screening" }
                #expect(screening?.overdue == true)
                #expect(screening?.keys.contains("lastCheckedOn") != true)
                // Not served, other town, no such person: 404 alike for the clinic; the other town's cadre sees nothing.
                #expect(try await client.send(.get, "/v1/persons/\(world.other)/health", token: world.clinic).status == .notFound)
                let otherCadre = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, uri, token: otherCadre).status == .notFound)
                #expect(try await client.send(.get, "/v1/persons/\(UUID().uuidString)/health", token: world.cadre).status == .notFound)
                let auditor = try await client.login("county.auditor")
                #expect(try await client.send(.get, uri, token: auditor).status == .forbidden)
                #expect(try await client.send(.get, uri, token: nil).status == .unauthorized)
            }
        }
    }

    @Test("the health file is kept by the clinic with If-Match; others cannot change it")
    func healthFile() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let uri = "/v1/persons/\(world.elder)/health-file"
                let body: [String: Any] = ["chronicConditions": ["高血压"], "allergies": ["青霉素"], "notes": "按时服药"]
                #expect(try await client.send(.put, uri, json: body, token: world.clinic).status == .preconditionRequired)
                #expect(try await client.send(.put, uri, json: body, token: world.clinic, headers: [.ifMatch: "\"3\""]).status == .preconditionFailed)
                let created = try await client.send(.put, uri, json: body, token: world.clinic, headers: [.ifMatch: "\"0\""])
                #expect(created.status == .ok, "\(created.text)")
                #expect(created.etag == "\"1\"")
                #expect(try created.decode(Answer.HealthView.self).details?.allergies == ["青霉素"])
                // Two clinics' first versions at once: exactly one is kept.
                let first = try JSONSerialization.data(withJSONObject: ["chronicConditions": ["糖尿病"], "allergies": []])
                let other = "/v1/persons/\(world.woman)/health-file"
                async let a = client.send(
                    .put,
                    other,
                    body: first,
                    contentType: "application/json",
                    token: world.clinic,
                    headers: [.ifMatch: "\"0\""]
                )
                async let b = client.send(
                    .put,
                    other,
                    body: first,
                    contentType: "application/json",
                    token: world.clinic,
                    headers: [.ifMatch: "\"0\""]
                )
                #expect([try await a.status.code, try await b.status.code].sorted() == [200, 412])
                let raw = try JSONSerialization.data(withJSONObject: body)
                async let one = client.send(.put, uri, body: raw, contentType: "application/json", token: world.clinic, headers: [.ifMatch: "\"1\""])
                async let two = client.send(.put, uri, body: raw, contentType: "application/json", token: world.clinic, headers: [.ifMatch: "\"1\""])
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                let bad = try await client.send(
                    .put,
                    uri,
                    json: ["chronicConditions": [""], "allergies": []],
                    token: world.clinic,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(try HealthWorld.fields(bad) == ["chronicConditions"])
                #expect(try await client.send(.put, uri, json: body, token: world.cadre, headers: [.ifMatch: "\"2\""]).status == .forbidden)
                #expect(
                    try await client.send(
                        .put,
                        "/v1/persons/\(world.elderInB)/health-file",
                        json: body,
                        token: world.clinic,
                        headers: [.ifMatch: "\"0\""]
                    ).status == .notFound
                )
                #expect(
                    try await client.send(
                        .put,
                        "/v1/persons/\(world.other)/health-file",
                        json: body,
                        token: world.clinic,
                        headers: [.ifMatch: "\"0\""]
                    ).status == .notFound
                )
            }
        }
    }

    @Test("coverage: elders checked and women screened in the last 12 months, per unit")
    func coverage() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                // The elder in 甲村: checked 3 days ago; the woman: screened 13 months ago (too old); the elder in 乙村: never.
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(), token: world.clinic).status == .created)
                #expect(
                    try await client.post(
                        "/v1/checkups",
                        json: HealthWorld.checkup(
                            idNumber: HealthWorld.womanID,
                            kind: "women_screening",
                            daysAgo: 400,
                            measurements: []
                        ),
                        token: world.clinic
                    ).status == .created
                )
                let town = try await client.login("town1.admin")
                let response = try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.town1.idString)", token: town)
                #expect(response.status == .ok, "\(response.text)")
                var rows: [String: Answer.CoverageLine] = [:]
                for item in try response.decode(Answer.Items<Answer.CoverageLine>.self).items {
                    rows[item.unitName] = item
                }
                #expect(rows["一乡"]?.eldersChecked.numerator == 1)
                #expect(rows["一乡"]?.eldersChecked.denominator == 2)
                #expect(rows["一乡"]?.eldersChecked.rate == 0.5)
                #expect(rows["一乡"]?.womenScreened.numerator == 0)
                #expect(rows["一乡"]?.womenScreened.denominator == 1)
                #expect(rows["甲村"]?.eldersChecked.rate == 1.0)
                #expect(rows["乙村"]?.eldersChecked.rate == 0.0)
                #expect(rows["乙村"]?.womenScreened.rate == nil)
                // A fresh screening counts at once.
                #expect(
                    try await client.post(
                        "/v1/checkups",
                        json: HealthWorld.checkup(
                            idNumber: HealthWorld.womanID,
                            kind: "women_screening",
                            measurements: []
                        ),
                        token: world.clinic
                    ).status == .created
                )
                let after = try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.village1a.idString)", token: world.cadre)
                let village = try after.decode(Answer.Items<Answer.CoverageLine>.self).items.first
                #expect(village?.womenScreened.rate == 1.0)
                #expect(
                    try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.town1.idString)", token: world.cadre).status == .notFound
                )
                let otherCadre = try await client.login("village2a.cadre")
                #expect(
                    try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.village1a.idString)", token: otherCadre).status
                        == .notFound
                )
                #expect(
                    try await client.send(.get, "/v1/health-coverage?unitId=\(world.fixture.village1a.idString)", token: world.clinic).status
                        == .forbidden
                )
                #expect(try await client.send(.get, "/v1/health-coverage", token: town).status == .badRequest)
            }
        }
    }
}
