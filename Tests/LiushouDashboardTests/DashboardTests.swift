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

@Suite("Joint-meeting dashboard")
struct DashboardTests {
    /// A unit's indicators by key: (numerator, denominator, rate, status).
    static func indicators(_ values: [IndicatorBody]?) -> [String: (Int, Int, Double?, String)] {
        var out: [String: (Int, Int, Double?, String)] = [:]
        for value in values ?? [] {
            out[value.key] = (value.numerator, value.denominator, value.rate, value.status)
        }
        return out
    }

    static func rows(_ response: TestResponse) throws -> [String: DashboardBody.Row] {
        var rows: [String: DashboardBody.Row] = [:]
        for row in try response.decode(DashboardBody.self).rows { rows[row.unitName] = row }
        return rows
    }

    @Test("every indicator on a hand-built town: moves, exits, two groups, joins after a snapshot; weekly trend keeps the past")
    func handBuilt() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let f = world.fixture
                // Pair A with a screened volunteer; B's knock and cadre visit are overdue; A's visit found a study need.
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
                        "id": UUID().uuidString, "kind": "proxy_parent", "helpers": [volunteer], "goals": "陪伴",
                        "people": [["personId": world.id("A"), "consentBy": "王大爷", "consentOn": "2026-01-15"]],
                        "startOn": ChinaClock.system.today().description,
                    ],
                    token: world.cadre
                )
                #expect(pairing.status == .created, "\(pairing.text)")
                for check in [
                    DashboardWorld.check(person: world.id("B"), kind: "grid_knock", daysAgo: 3),
                    DashboardWorld.check(person: world.id("B"), kind: "cadre_visit", daysAgo: 10),
                    DashboardWorld.check(person: world.id("A"), kind: "cadre_visit", daysAgo: 0.1, needs: ["study"]),
                ] {
                    let response = try await client.post("/v1/door-checks", json: check, token: world.cadre)
                    #expect(response.status == .created, "\(response.text)")
                }
                let report = try await client.post(
                    "/v1/safeguarding-reports",
                    json: [
                        "personId": world.id("B"), "kind": "living_alone", "details": "独自在家",
                    ],
                    token: world.cadre
                )
                #expect(report.status == .created, "\(report.text)")
                let clinic = try await client.login("clinic1.doctor")
                let checkup = try await client.post(
                    "/v1/checkups",
                    json: [
                        "recordId": "D1", "personId": world.id("C"),
                        "checkedOn": LocalDate(daysSince1970: ChinaClock.system.today().daysSince1970 - 3).description,
                        "kind": "elder_annual", "followUpNeeded": false, "clinician": "王医生",
                    ],
                    token: clinic
                )
                #expect(checkup.status == .created, "\(checkup.text)")

                // Last week's snapshot (taken now, filed under last week), then D moves to 甲村 and G joins 乙村.
                try await database.pool.query("select dashboard_snapshot_take()")
                try await database.pool.query("update dashboard_snapshot set week_start = week_start - 7")
                let moved = People.child(name: "丁", sequence: 105, village: f.village1a)
                let move = try await client.send(.put, "/v1/persons/\(world.id("D"))", json: moved, token: world.town, headers: [.ifMatch: "\"1\""])
                #expect(move.status == .ok, "\(move.text)")
                _ = try DashboardWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.elder(name: "庚", sequence: 231, village: f.village1b),
                        token: world.town
                    )
                )
                try await database.pool.query("select dashboard_snapshot_take()")

                // Live: the town and its villages.
                let response = try await client.send(.get, "/v1/dashboard?unitId=\(f.town1.idString)", token: world.town)
                #expect(response.status == .ok, "\(response.text)")
                let rows = try Self.rows(response)
                #expect(Set(rows.keys) == ["一乡", "甲村", "乙村"])
                let town = Self.indicators(rows["一乡"]?.indicators)
                #expect(town["filing"]?.0 == 4 && town["filing"]?.1 == 6)
                #expect(town["filing"]?.2 == 0.6667 && town["filing"]?.3 == "red")
                #expect(town["guardian"]?.0 == 2 && town["guardian"]?.1 == 3)
                #expect(town["guardian_confirmed"]?.0 == 2 && town["guardian_confirmed"]?.1 == 3)
                #expect(town["pairing"]?.0 == 1 && town["pairing"]?.1 == 6)
                #expect(town["daily_knock"]?.0 == 5 && town["daily_knock"]?.1 == 6)
                #expect(town["cadre_visits"]?.0 == 5 && town["cadre_visits"]?.1 == 6)
                #expect(town["elders_checked"]?.0 == 1 && town["elders_checked"]?.1 == 3)
                #expect(town["elders_checked"]?.3 == "none")
                #expect(town["women_screened"]?.0 == 0 && town["women_screened"]?.1 == 1)
                #expect(town["relief_in_time"]?.1 == 0 && town["relief_in_time"]?.2 == nil)
                let townCounts = rows["一乡"]?.counts ?? [:]
                #expect(townCounts["persons"] == 6)
                #expect(townCounts["group_left_behind_child"] == 3)
                #expect(townCounts["group_left_behind_elder"] == 3)
                #expect(townCounts["group_left_behind_woman"] == 1)
                #expect(townCounts["follow_ups_open_under_7_days"] == 1)
                #expect(townCounts["safeguarding_unacknowledged_under_1_day"] == 1)
                let jia = Self.indicators(rows["甲村"]?.indicators)
                #expect(jia["filing"]?.0 == 2 && jia["filing"]?.1 == 4)
                #expect(jia["guardian"]?.0 == 2 && jia["guardian"]?.1 == 3)
                #expect(jia["pairing"]?.0 == 1 && jia["pairing"]?.1 == 4)
                #expect(jia["daily_knock"]?.0 == 3 && jia["daily_knock"]?.1 == 4)
                let yi = Self.indicators(rows["乙村"]?.indicators)
                #expect(yi["filing"]?.0 == 2 && yi["filing"]?.1 == 2 && yi["filing"]?.3 == "green")
                #expect(yi["guardian"]?.1 == 0 && yi["guardian"]?.2 == nil && yi["guardian"]?.3 == "none")
                #expect(yi["daily_knock"]?.0 == 2 && yi["daily_knock"]?.1 == 2)
                // Drill down: the village shows its grid.
                let village = try Self.rows(try await client.send(.get, "/v1/dashboard?unitId=\(f.village1a.idString)", token: world.cadre))
                #expect(Set(village.keys) == ["甲村", "甲村一组"])
                #expect(Self.indicators(village["甲村一组"]?.indicators)["pairing"]?.2 == 1.0)
                #expect(Self.indicators(village["甲村一组"]?.indicators)["pairing"]?.3 == "green")

                // Trend: last week as it was (D still in 乙村, G not yet there), this week as it is.
                let trend = try await client.send(.get, "/v1/dashboard/trend?unitId=\(f.village1a.idString)&weeks=4", token: world.cadre)
                let weeks = try trend.decode(TrendBody.self).weeks
                #expect(weeks.count == 2, "\(trend.text)")
                let lastWeek = Self.indicators(weeks.first?.indicators)
                let thisWeek = Self.indicators(weeks.last?.indicators)
                #expect(lastWeek["guardian"]?.0 == 1 && lastWeek["guardian"]?.1 == 2)
                #expect(thisWeek["guardian"]?.0 == 2 && thisWeek["guardian"]?.1 == 3)
                let yiTrend = try await client.send(.get, "/v1/dashboard/trend?unitId=\(f.village1b.idString)", token: world.town)
                let yiWeeks = try yiTrend.decode(TrendBody.self).weeks
                #expect(Self.indicators(yiWeeks.first?.indicators)["filing"]?.1 == 2)
                #expect(Self.indicators(yiWeeks.first?.indicators)["guardian"]?.1 == 1)
                #expect(Self.indicators(yiWeeks.last?.indicators)["guardian"]?.1 == 0)
            }
        }
    }

    @Test("scope: a town admin sees only its town, the county admin the county; bad input; definitions; CSV; the page")
    func scopeAndExports() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await DashboardWorld.make(database, client: client)
                let f = world.fixture
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.town2.idString)", token: world.town).status == .notFound)
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.county.idString)", token: world.town).status == .notFound)
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.town1.idString)", token: world.cadre).status == .notFound)
                #expect(try await client.send(.get, "/v1/dashboard/trend?unitId=\(f.town2.idString)", token: world.town).status == .notFound)
                let county = try await client.login("county.admin")
                let whole = try Self.rows(try await client.send(.get, "/v1/dashboard?unitId=\(f.county.idString)", token: county))
                #expect(Set(whole.keys) == ["示范县", "一乡", "二乡"])
                #expect(whole["示范县"]?.counts["persons"] == 5)
                #expect(whole["二乡"]?.counts["persons"] == 0)
                #expect(try await client.send(.get, "/v1/dashboard", token: world.town).status == .badRequest)
                #expect(
                    try await client.send(.get, "/v1/dashboard/trend?unitId=\(f.town1.idString)&weeks=0", token: world.town).status == .badRequest
                )
                let badWeeks = try await client.send(.get, "/v1/dashboard/trend?unitId=\(f.town1.idString)&weeks=x", token: world.town)
                #expect(badWeeks.status == .badRequest)
                #expect(try badWeeks.decode(Answer.Problem.self).fields == ["weeks"])
                // Only the trend reads weeks: the table ignores it.
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.town1.idString)&weeks=x", token: world.town).status == .ok)
                let teacher = try await client.login("school1.teacher")
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.town1.idString)", token: teacher).status == .forbidden)
                #expect(try await client.send(.get, "/v1/dashboard?unitId=\(f.town1.idString)", token: nil).status == .unauthorized)

                let definitions = try await client.send(.get, "/v1/dashboard/definitions", token: world.town).decode(DefinitionsBody.self)
                let keys = definitions.indicators.map(\.key)
                #expect(keys.contains("pairing") && keys.contains("filing") && keys.contains("daily_knock"))
                #expect(definitions.indicators.allSatisfy { $0.definition?.isEmpty == false })

                #expect(try await client.send(.get, "/v1/dashboard.csv", token: world.town).status == .badRequest)
                #expect(try await client.send(.get, "/v1/dashboard.csv?unitId=\(f.town2.idString)", token: world.town).status == .notFound)
                #expect(try await client.send(.get, "/v1/dashboard.csv?unitId=\(f.town1.idString)", token: teacher).status == .forbidden)
                #expect(try await client.send(.get, "/v1/dashboard/definitions", token: teacher).status == .forbidden)
                let csv = try await client.send(.get, "/v1/dashboard.csv?unitId=\(f.town1.idString)", token: world.town)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.text.contains("一乡,建档完整率,3,5,60.00%,100%,red"))
                #expect(csv.text.contains("乙村,在管人员,2,"))

                let page = try await client.send(.get, "/dashboard")
                #expect(page.status == .ok)
                #expect(page.text.contains("联席会议指标"))
                #expect(!page.text.contains("http://") && !page.text.contains("https://"), "no external resources")
            }
        }
    }
}
