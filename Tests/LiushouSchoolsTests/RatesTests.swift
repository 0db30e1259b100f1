import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// 入学率, 巩固率 and 入园率 on 2026-06-15 (school year from 2025-09-01) over a hand-built town 1:
///   A 甲村 born 2015-03-04 (11), at 一乡中心小学 since 2024-09-01            compulsory, in school, cohort, retained
///   B 甲村 born 2014-05-05 (12), at 一乡中心小学, transferred to 一乡中学 2026-01-10   compulsory, in school, cohort, retained
///   C 乙村 born 2013-02-02 (13), at 一乡中心小学, dropped out 2026-03-01     compulsory, not in school, cohort, not retained
///   D 甲村 born 2010-06-01 (turned 16 on 2026-06-01), at 一乡中心小学          outside the compulsory age
///   E 乙村 born 2016-01-01 (10), on no roll                                  compulsory, not in school
///   F 甲村 born 2022-03-03 (4), kindergarten at 一乡中心小学 since 2025-09-01  preschool, in kindergarten
///   G 乙村 born 2021-09-09 (4), on no roll                                   preschool, not in kindergarten
///   H 甲村 born 2015-10-10 (10), enrolled 2025-10-08 (after the year began)   compulsory, in school, not in the cohort
///   甲一 (the world's child) 甲村 born 2015-03-04 (11): the file names 一乡中心小学 but no roll holds the child: compulsory, not in school
@Suite("School rates")
struct RatesTests {
    struct Expected {
        var enrolment: (Int, Int)
        var retention: (Int, Int)
        var kindergarten: (Int, Int)
    }

    @Test("enrolment, retention and kindergarten rates by town, village and school on a hand-built data set")
    func handBuilt() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let f = world.fixture
                func person(_ name: String, _ born: String, _ sequence: Int, _ village: OrgUnit, school: Bool) async throws -> String {
                    try await SchoolWorld.created(
                        try await client.post(
                            "/v1/persons",
                            json: People.child(
                                name: name,
                                born: born,
                                sequence: sequence,
                                village: village,
                                school: school ? f.school1 : nil
                            ),
                            token: world.town
                        )
                    )
                }
                let a = try await person("甲A", "2015-03-04", 201, f.village1a, school: true)
                let b = try await person("甲B", "2014-05-05", 203, f.village1a, school: true)
                let c = try await person("乙C", "2013-02-02", 205, f.village1b, school: true)
                let d = try await person("甲D", "2010-06-01", 207, f.village1a, school: true)
                _ = try await person("乙E", "2016-01-01", 209, f.village1b, school: false)
                let fChild = try await person("甲F", "2022-03-03", 211, f.village1a, school: true)
                _ = try await person("乙G", "2021-09-09", 213, f.village1b, school: false)
                let h = try await person("甲H", "2015-10-10", 215, f.village1a, school: true)
                for child in [a, b, c, d] {
                    _ = try await SchoolWorld.enrol(client, person: child, school: f.school1, token: world.teacher)
                }
                _ = try await SchoolWorld.enrol(
                    client,
                    person: fChild,
                    school: f.school1,
                    token: world.teacher,
                    stage: "kindergarten",
                    grade: 2,
                    enrolledOn: "2025-09-01"
                )
                _ = try await SchoolWorld.enrol(client, person: h, school: f.school1, token: world.teacher, enrolledOn: "2025-10-08")
                let rowB = try await self.row(of: b, database)
                let rowC = try await self.row(of: c, database)
                #expect(
                    try await SchoolWorld.changeStatus(
                        client,
                        enrolment: rowB,
                        body: SchoolWorld.change(
                            to: "transferred_out",
                            on: "2026-01-10",
                            toSchoolId: world.school2.idString
                        ),
                        token: world.teacher
                    ).status == .created
                )
                #expect(
                    try await SchoolWorld.changeStatus(
                        client,
                        enrolment: rowC,
                        body: SchoolWorld.change(to: "dropped_out", on: "2026-03-01"),
                        token: world.teacher
                    ).status == .created
                )

                let town = try await self.rates(client, unit: f.town1, token: world.town)
                let expected: [String: Expected] = [
                    "一乡": Expected(enrolment: (3, 6), retention: (2, 3), kindergarten: (1, 2)),
                    "甲村": Expected(enrolment: (3, 4), retention: (2, 2), kindergarten: (1, 1)),
                    "乙村": Expected(enrolment: (0, 2), retention: (0, 1), kindergarten: (0, 1)),
                    "一乡中心小学": Expected(enrolment: (2, 3), retention: (2, 3), kindergarten: (1, 1)),
                    "一乡中学": Expected(enrolment: (1, 1), retention: (0, 0), kindergarten: (0, 0)),
                ]
                #expect(Set(town.keys).isSuperset(of: Set(expected.keys)))
                for (name, want) in expected {
                    let line = town[name]
                    for (key, pair) in [("enrolment", want.enrolment), ("retention", want.retention), ("kindergarten", want.kindergarten)] {
                        let rate = line?.byKey[key]
                        #expect(rate?.numerator == pair.0, "\(name) \(key) numerator")
                        #expect(rate?.denominator == pair.1, "\(name) \(key) denominator")
                    }
                }
                #expect(town["一乡"]?.enrolment.rate == 0.5)
                #expect(town["一乡"]?.retention.rate == 0.6667)
                // No denominator: no rate (the key is left out).
                #expect(town["一乡中学"]?.retention.hasRateKey == false)
                // The school reads its own line; a village cadre reads the village; neither reads the town.
                let school = try await self.rates(client, unit: f.school1, token: world.teacher)
                #expect(Array(school.keys) == ["一乡中心小学"])
                #expect(school["一乡中心小学"]?.enrolment.numerator == 2)
                let village = try await self.rates(client, unit: f.village1a, token: world.cadre)
                #expect(village["甲村"]?.enrolment.denominator == 4)
                for (token, unit) in [
                    (world.teacher, f.town1), (world.cadre, f.town1), (world.teacher2, f.school1),
                    (try await client.login("town2.admin"), f.town1), (world.town, f.town2),
                ] {
                    #expect(try await client.send(.get, "/v1/school-rates?unitId=\(unit.idString)&on=2026-06-15", token: token).status == .notFound)
                }
                #expect(try await client.send(.get, "/v1/school-rates", token: world.town).status == .badRequest)
                #expect(try await client.send(.get, "/v1/school-rates?unitId=\(f.town1.idString)&on=June", token: world.town).status == .badRequest)
                // Year 1 once answered 500 (PostgreSQL's date arithmetic out of range): dates are bounded to 1900–2100.
                let ancient = try await client.send(.get, "/v1/school-rates?unitId=\(f.town1.idString)&on=0001-01-01", token: world.town)
                #expect(ancient.status == .badRequest)
                #expect(try ancient.json()["errors"].flatMap { $0 as? [[String: String]] }?.first?["field"] == "on")
                // A clinic has no school rates (its schema's unitKind never allowed it).
                let clinic = try await client.send(.get, "/v1/school-rates?unitId=\(f.clinic1.idString)&on=2026-06-15", token: world.town)
                #expect(try SchoolWorld.fields(clinic) == ["unitId"], "\(clinic.text)")
                let future = try await client.send(.get, "/v1/school-rates?unitId=\(f.town1.idString)&on=2099-01-01", token: world.town)
                #expect(try SchoolWorld.fields(future) == ["on"])
                let grid = try await client.login("grid1a.worker")
                #expect(try await client.send(.get, "/v1/school-rates?unitId=\(f.grid1a.idString)", token: grid).status == .forbidden)
                // Today (no `on`): the document says which school year it used.
                let today = try await client.send(.get, "/v1/school-rates?unitId=\(f.town1.idString)", token: world.town)
                #expect(today.status == .ok)
                #expect((try today.json()["schoolYearStart"] as? String)?.hasSuffix("-09-01") == true)
            }
        }
    }

    private func row(of person: String, _ database: TestDatabase) async throws -> String {
        try await database.pool.query("select id from school_enrolment where person_id = \(UUID(uuidString: person)!) and ended_on is null").first!
            .decode("id", as: UUID.self).uuidString.lowercased()
    }

    private func rates(_ client: some TestClientProtocol, unit: OrgUnit, token: String) async throws -> [String: Answer.RatesLine] {
        let response = try await client.send(.get, "/v1/school-rates?unitId=\(unit.idString)&on=2026-06-15", token: token)
        #expect(response.status == .ok, "\(response.text)")
        #expect(try response.decode(Answer.RatesDocument.self).schoolYearStart == "2025-09-01")
        var lines: [String: Answer.RatesLine] = [:]
        for item in try SchoolWorld.items(response, as: Answer.RatesLine.self) { lines[item.unitName] = item }
        return lines
    }
}
