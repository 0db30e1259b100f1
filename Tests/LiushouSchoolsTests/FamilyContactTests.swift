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

@Suite("Family contact log and the 五个一")
struct FamilyContactTests {
    static let today = ChinaClock.system.today()
    /// Last month (complete, so every week of it lies in the past).
    static let start: LocalDate = {
        let first = LocalDate(year: today.year, month: today.month, day: 1)!
        let previous = LocalDate(daysSince1970: first.daysSince1970 - 1)
        return LocalDate(year: previous.year, month: previous.month, day: 1)!
    }()

    static func day(_ offset: Int) -> String {
        LocalDate(daysSince1970: Self.start.daysSince1970 + offset).description
    }

    static func contact(id: UUID = UUID(), person: String, on date: String, kind: String, with whom: String = "mother") -> [String: Any] {
        ["id": id.uuidString, "personId": person, "occurredOn": date, "kind": kind, "withWhom": whom, "notes": "学校亲情电话"]
    }

    @Test("contacts are logged by the child's school; the 五个一 are counted per child per month")
    func fiveOnes() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let second = try await SchoolWorld.created(
                    try await client.post(
                        "/v1/persons",
                        json: People.child(
                            name: "甲二",
                            born: "2014-04-04",
                            sequence: 111,
                            village: world.fixture.village1a,
                            school: world.fixture.school1
                        ),
                        token: world.cadre
                    )
                )
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                _ = try await SchoolWorld.enrol(client, person: second, school: world.fixture.school1, token: world.teacher)
                // 甲一: a call in each week, a letter, the class teacher, feedback, a visit home 200 days before the month.
                var bodies = [1, 8, 15, 22].map { Self.contact(person: world.child, on: Self.day($0), kind: $0 == 8 ? "video" : "phone") }
                bodies += [("letter", 3), ("class_teacher", 10), ("school_feedback", 27), ("home_visit", -200)].map {
                    Self.contact(person: world.child, on: Self.day($0.1), kind: $0.0, with: "both_parents")
                }
                // 甲二: two calls in the first week, a visit home 400 days before the month (outside the year).
                bodies += [
                    Self.contact(person: second, on: Self.day(0), kind: "phone"), Self.contact(person: second, on: Self.day(2), kind: "phone"),
                    Self.contact(person: second, on: Self.day(-400), kind: "home_visit", with: "father"),
                ]
                for body in bodies {
                    let response = try await client.post("/v1/family-contacts", json: body, token: world.teacher)
                    #expect(response.status == .created, "\(response.text)")
                }
                let month = String(format: "%04d-%02d", Self.start.year, Self.start.month)
                let response = try await client.send(
                    .get,
                    "/v1/schools/\(world.fixture.school1.idString)/five-ones?month=\(month)",
                    token: world.town
                )
                #expect(response.status == .ok, "\(response.text)")
                var byName: [String: Answer.FiveOnes] = [:]
                for item in try SchoolWorld.items(response, as: Answer.FiveOnes.self) { byName[item.personName ?? ""] = item }
                let first = byName["甲一"]
                #expect(first?.calls == 4)
                #expect(first?.weeksWithCall == 4)
                #expect(first?.letters == 1)
                #expect(first?.subjectTeacherContacts == 0)
                #expect(first?.homeVisitsLast12Months == 1)
                #expect(
                    first?.met == [
                        "weeklyCall": true, "monthlyLetter": true, "classTeacher": true, "subjectTeacher": false, "yearlyHomeVisit": true,
                        "monthlyFeedback": true,
                    ]
                )
                let other = byName["甲二"]
                #expect(other?.calls == 2)
                #expect(other?.weeksWithCall == 1)
                #expect(other?.homeVisitsLast12Months == 0)
                #expect(other?.met.values.contains(true) == false)
            }
        }
    }

    @Test("contacts: retries, bad input named, only the child's own school; lists only for the school and its town")
    func access() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let id = UUID()
                let body = Self.contact(id: id, person: world.child, on: Self.today.description, kind: "phone")
                #expect(try await client.post("/v1/family-contacts", json: body, token: world.teacher).status == .created)
                #expect(try await client.post("/v1/family-contacts", json: body, token: world.teacher).status == .ok)
                #expect(
                    try await client.post(
                        "/v1/family-contacts",
                        json: Self.contact(
                            id: id,
                            person: world.child,
                            on: Self.today.description,
                            kind: "letter"
                        ),
                        token: world.teacher
                    ).status == .conflict
                )
                let bad = try await client.post(
                    "/v1/family-contacts",
                    json: Self.contact(person: world.child, on: "2099-01-01", kind: "phone"),
                    token: world.teacher
                )
                #expect(try SchoolWorld.fields(bad) == ["occurredOn"])
                #expect(
                    try await client.post(
                        "/v1/family-contacts",
                        json: Self.contact(person: world.child, on: Self.today.description, kind: "fax"),
                        token: world.teacher
                    ).status == .badRequest
                )
                for (token, person) in [(world.teacher2, world.child), (world.teacher, world.other)] {
                    let refused = try await client.post(
                        "/v1/family-contacts",
                        json: Self.contact(person: person, on: Self.today.description, kind: "phone"),
                        token: token
                    )
                    #expect(try SchoolWorld.fields(refused) == ["personId"])
                }
                #expect(try await client.post("/v1/family-contacts", json: body, token: world.cadre).status == .forbidden)
                let uri = "/v1/schools/\(world.fixture.school1.idString)/five-ones"
                #expect(try SchoolWorld.items(try await client.send(.get, uri, token: world.teacher), as: Answer.FiveOnes.self).count == 1)
                #expect(try await client.send(.get, uri, token: world.teacher2).status == .notFound)
                #expect(try await client.send(.get, uri, token: try await client.login("town2.admin")).status == .notFound)
                #expect(try await client.send(.get, "\(uri)?month=May", token: world.teacher).status == .badRequest)
                #expect(try await client.send(.get, uri, token: try await client.login("clinic1.doctor")).status == .forbidden)
            }
        }
    }
}
