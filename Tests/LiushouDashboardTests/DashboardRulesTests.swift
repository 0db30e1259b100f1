import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouDashboard
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Dashboard rules")
struct DashboardRulesTests {
    @Test("status is judged on the exact fraction, not the rounded rate")
    func statusOnExactFraction() throws {
        let pairing = try #require(IndicatorDefinition.all.first { $0.key == "pairing" })
        let almost = IndicatorValue(pairing, counts: ["paired": 39_999, "persons": 40_000])
        #expect(almost.rate == 1.0)
        #expect(almost.status == .amber)
        #expect(IndicatorValue(pairing, counts: ["paired": 40_000, "persons": 40_000]).status == .green)
        let belowAmber = IndicatorValue(pairing, counts: ["paired": 35_999, "persons": 40_000])
        #expect(belowAmber.rate == 0.9)
        #expect(belowAmber.status == .red)
        #expect(IndicatorValue(pairing, counts: ["paired": 36_000, "persons": 40_000]).status == .amber)
        let kindergarten = try #require(IndicatorDefinition.all.first { $0.key == "kindergarten" })
        #expect(IndicatorValue(kindergarten, counts: ["school_preschool_enrolled": 8, "school_preschool": 10]).status == .amber)
        #expect(IndicatorValue(kindergarten, counts: ["school_preschool_enrolled": 9, "school_preschool": 10]).status == .green)
        #expect(IndicatorValue(pairing, counts: [:]).status == .none)
    }

    @Test("a left-behind child of 16 is no longer a child; a need routed to two roles counts once")
    func childrenAndNeeds() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let fixture = try await PlatformFixture.seed(database)
                try await database.pool.query(
                    "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
                )
                let cadre = try await client.login("village1a.cadre")
                let today = ChinaClock.system.today().daysSince1970
                let sixteen = LocalDate(daysSince1970: today - 16 * 365 - 10).description
                let ten = LocalDate(daysSince1970: today - 10 * 365).description
                for (name, born, sequence) in [("十六岁", sixteen, 101), ("十岁", ten, 103)] {
                    let body = People.child(name: name, born: born, sequence: sequence, village: fixture.village1a)
                    let created = try await client.post("/v1/persons", json: body, token: cadre)
                    #expect(created.status == .created, "\(created.text)")
                }
                let elder = try await client.post("/v1/persons", json: People.elder(village: fixture.village1a), token: cadre)
                #expect(elder.status == .created, "\(elder.text)")
                let elderID = try #require(try elder.json()["id"] as? String)
                let checkup = try await client.post(
                    "/v1/checkups",
                    json: [
                        "recordId": "R1", "personId": elderID, "checkedOn": LocalDate(daysSince1970: today - 1).description,
                        "kind": "elder_annual", "followUpNeeded": true, "findings": "血压偏高", "clinician": "王医生",
                    ],
                    token: try await client.login("clinic1.doctor")
                )
                #expect(checkup.status == .created, "\(checkup.text)")
                let routed = try await database.pool.query("select count(*)::int as n from follow_up").first?.decode("n", as: Int.self)
                #expect(routed == 2)

                let response = try await client.send(.get, "/v1/dashboard?unitId=\(fixture.village1a.idString)", token: cadre)
                #expect(response.status == .ok, "\(response.text)")
                let row = try #require(try response.decode(DashboardBody.self).rows.first { $0.unitName == fixture.village1a.name })
                let guardian = try #require(row.indicators.first { $0.key == "guardian" })
                #expect(guardian.denominator == 1)
                #expect(row.counts["group_left_behind_child"] == 1)
                #expect(row.counts["persons"] == 3)
                #expect(row.counts["follow_ups_open_under_7_days"] == 1)
            }
        }
    }
}
