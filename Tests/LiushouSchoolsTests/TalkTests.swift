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

@Suite("Monthly talks (谈心)")
struct TalkTests {
    static let today = ChinaClock.system.today()
    static let month = String(format: "%04d-%02d", today.year, today.month)

    static func talk(
        id: UUID = UUID(),
        person: String,
        on date: String = TalkTests.today.description,
        topics: [String] = ["study", "family"]
    ) -> [String: Any] {
        ["id": id.uuidString, "personId": person, "talkedOn": date, "topics": topics, "mood": "low", "concerns": "想念在外打工的妈妈"]
    }

    @Test("a child with no talk this month is due; a talk takes the child off the list; retries never duplicate")
    func due() async throws {
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
                let uri = "/v1/schools/\(world.fixture.school1.idString)/talks-due"
                let before = try await client.send(.get, uri, token: world.teacher)
                #expect(before.status == .ok)
                #expect(try before.json()["month"] as? String == Self.month)
                // The last month there is has no month after it: a month out of range, not a failure.
                let last = try await client.send(.get, uri + "?month=9999-12", token: world.teacher)
                #expect(last.status == .badRequest, "\(last.text)")
                #expect(try SchoolWorld.fields(last) == ["month"])
                for month in ["+202-03", "0001-01", "2101-01"] {
                    let odd = try await client.send(
                        .get,
                        uri + "?month=\(month.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? month)",
                        token: world.teacher
                    )
                    #expect(odd.status == .badRequest, "\(month): \(odd.text)")
                }
                #expect(Set(try SchoolWorld.items(before, as: Answer.TalkDue.self).map { $0.personId.lowercased() }) == [world.child, second])

                let id = UUID()
                let created = try await client.post("/v1/talks", json: Self.talk(id: id, person: world.child), token: world.teacher)
                #expect(created.status == .created, "\(created.text)")
                #expect(try created.json()["teacherName"] as? String == "school1.teacher")
                #expect(try await client.post("/v1/talks", json: Self.talk(id: id, person: world.child), token: world.teacher).status == .ok)
                var changed = Self.talk(id: id, person: world.child)
                changed["mood"] = "good"
                #expect(try await client.post("/v1/talks", json: changed, token: world.teacher).status == .conflict)
                // A talk last month does not count for this one.
                let lastMonth = LocalDate(daysSince1970: LocalDate(year: Self.today.year, month: Self.today.month, day: 1)!.daysSince1970 - 3)
                #expect(
                    try await client.post("/v1/talks", json: Self.talk(person: second, on: lastMonth.description), token: world.teacher).status
                        == .created
                )
                let after = try SchoolWorld.items(try await client.send(.get, uri, token: world.town), as: Answer.TalkDue.self)
                #expect(after.map { $0.personId.lowercased() } == [second])
                #expect(after.first?.lastTalkOn == lastMonth.description)
                // Last month's list: the second child had a talk, the first did not.
                let previous = String(format: "%04d-%02d", lastMonth.year, lastMonth.month)
                let old = try SchoolWorld.items(
                    try await client.send(.get, "\(uri)?month=\(previous)", token: world.teacher),
                    as: Answer.TalkDue.self
                )
                #expect(old.map { $0.personId.lowercased() } == [world.child])
                #expect(try await database.pool.query("select count(*)::int as n from school_talk").first!.decode("n", as: Int.self) == 2)
                #expect(
                    try await database.pool.query("select count(*)::int as n from person_event where kind = 'school.talk'").first!
                        .decode("n", as: Int.self) == 2
                )
            }
        }
    }

    @Test("talks: bad input named, only the child's own school, lists only for the school and its town")
    func access() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                _ = try await SchoolWorld.enrol(client, person: world.other, school: world.school3, token: world.teacher3)
                let bad = try await client.post("/v1/talks", json: Self.talk(person: world.child, on: "2099-01-01", topics: []), token: world.teacher)
                #expect(Set(try SchoolWorld.fields(bad)) == ["talkedOn", "topics"])
                // The roll row starts 2024-09-01: a talk of the summer before is not this school's.
                let before = try await client.post("/v1/talks", json: Self.talk(person: world.child, on: "2024-08-15"), token: world.teacher)
                #expect(try SchoolWorld.fields(before) == ["talkedOn"], "\(before.text)")
                var mood = Self.talk(person: world.child)
                mood["mood"] = "ecstatic"
                #expect(try await client.post("/v1/talks", json: mood, token: world.teacher).status == .badRequest)
                for (token, person) in [(world.teacher2, world.child), (world.teacher, world.other), (world.teacher, UUID().uuidString.lowercased())]
                {
                    let refused = try await client.post("/v1/talks", json: Self.talk(person: person), token: token)
                    #expect(try SchoolWorld.fields(refused) == ["personId"])
                }
                #expect(try await client.post("/v1/talks", json: Self.talk(person: world.child), token: world.town).status == .forbidden)
                let uri = "/v1/schools/\(world.fixture.school1.idString)/talks-due"
                #expect(try await client.send(.get, uri, token: world.teacher2).status == .notFound)
                #expect(try await client.send(.get, uri, token: world.cadre).status == .notFound)
                #expect(try await client.send(.get, uri, token: try await client.login("town2.admin")).status == .notFound)
                #expect(
                    try await client.send(.get, "/v1/schools/\(world.fixture.village1a.idString)/talks-due", token: world.town).status == .notFound
                )
                #expect(try await client.send(.get, "\(uri)?month=2026-13", token: world.teacher).status == .badRequest)
                #expect(try await client.send(.get, uri, token: try await client.login("grid1a.worker")).status == .forbidden)
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, uri, token: try await client.login("town1.supervisor")),
                        as: Answer.TalkDue.self
                    ).count == 1
                )
            }
        }
    }
}
