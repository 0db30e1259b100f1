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

@Suite("Dropout control (控辍保学)")
struct DropoutTests {
    @Test("a dropout opens a case and alerts; the child stays on the roll; back in school closes the case")
    func returnCloses() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let noReason = SchoolWorld.change(to: "dropped_out", reason: nil)
                #expect(
                    try SchoolWorld.fields(try await SchoolWorld.changeStatus(client, enrolment: row, body: noReason, token: world.teacher)) == [
                        "reason"
                    ]
                )
                let dropID = UUID()
                let dropped = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(
                        id: dropID,
                        to: "dropped_out",
                        reason: "厌学，随奶奶在家"
                    ),
                    token: world.teacher
                )
                #expect(dropped.status == .created, "\(dropped.text)")
                let result = try dropped.decode(Answer.StatusChangeResult.self)
                #expect(result.alerts == 2)
                let opened = try #require(result.dropoutCase)
                #expect(opened.status == "open")
                #expect(opened.id.lowercased() == dropID.uuidString.lowercased())
                // Still on the school's roll, and the file says 辍学 while naming the school.
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: world.teacher).status == .ok)
                let person = try await database.pool.query("select school_id, school_stage from person where id = \(UUID(uuidString: world.child)!)")
                    .first!
                #expect(try person.decode("school_stage", as: String.self) == "dropped_out")
                #expect(try person.decode("school_id", as: UUID.self) == world.fixture.school1.id)
                // The open case is listed for the school, the village and the town; not for the other town.
                for token in [world.teacher, world.cadre, world.town] {
                    let list = try SchoolWorld.items(try await client.send(.get, "/v1/dropout-cases", token: token), as: Answer.DropoutCase.self)
                    #expect(list.map { $0.id.lowercased() } == [dropID.uuidString.lowercased()])
                }
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/dropout-cases", token: try await client.login("town2.admin")),
                        as: Answer.DropoutCase.self
                    ).isEmpty
                )
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/dropout-cases?unitId=\(world.fixture.village1b.idString)", token: world.town),
                        as: Answer.DropoutCase.self
                    )
                    .isEmpty
                )
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/dropout-cases?unitId=\(world.fixture.village1a.idString)", token: world.town),
                        as: Answer.DropoutCase.self
                    )
                    .count == 1
                )
                #expect(try await client.send(.get, "/v1/dropout-cases?status=lost", token: world.town).status == .badRequest)
                #expect(try await client.send(.get, "/v1/dropout-cases?unitId=x", token: world.town).status == .badRequest)

                let back = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(to: "enrolled", on: "2026-04-01", reason: nil),
                    token: world.teacher,
                    version: 2
                )
                #expect(back.status == .created, "\(back.text)")
                let returned = try back.decode(Answer.StatusChangeResult.self)
                let closed = try #require(returned.dropoutCase)
                #expect(closed.status == "closed")
                #expect(closed.closedHow == "returned")
                #expect(returned.alerts == 0)
                #expect(
                    try SchoolWorld.items(try await client.send(.get, "/v1/dropout-cases", token: world.town), as: Answer.DropoutCase.self).isEmpty
                )
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/dropout-cases?status=closed", token: world.town),
                        as: Answer.DropoutCase.self
                    )
                    .count == 1
                )
                let stage = try await database.pool.query("select school_stage from person where id = \(UUID(uuidString: world.child)!)").first!
                #expect(try stage.decode("school_stage", as: String.self) == "primary")
            }
        }
    }

    @Test("the town where the child dropped out closes the case after the file moved to another town; the closing reaches the timeline")
    func townClosesAfterMove() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let caseID = UUID()
                let dropped = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(id: caseID, to: "dropped_out"),
                    token: world.teacher
                )
                #expect(dropped.status == .created, "\(dropped.text)")
                let county = try await client.login("county.admin")
                let current = try await client.send(.get, "/v1/persons/\(world.child)", token: county)
                var file = People.child(name: "甲一", sequence: 101, village: world.fixture.village2a)
                file["currentAddress"] = "丙村 8 号"
                let moved = try await client.send(
                    .put,
                    "/v1/persons/\(world.child)",
                    json: file,
                    token: county,
                    headers: [.ifMatch: current.etag ?? "\"1\""]
                )
                #expect(moved.status == .ok, "\(moved.text)")
                let supervisor = try await client.login("town1.supervisor")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: supervisor).status == .notFound)
                let closed = try await client.post(
                    "/v1/dropout-cases/\(caseID.uuidString)/close",
                    json: ["reason": "已随家人迁往二乡"],
                    token: supervisor,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(closed.status == .ok, "\(closed.text)")
                let entries = try await database.pool.query(
                    "select count(*)::int as n from person_event where record_id = \(caseID.uuidString.lowercased()) and kind = 'school.dropout_closed'"
                ).first?.decode("n", as: Int.self)
                #expect(entries == 1)
            }
        }
    }

    @Test("the town closes a case with a reason, once, with If-Match; schools and villages cannot; other towns see no case")
    func townCloses() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let caseID = UUID()
                #expect(
                    try await SchoolWorld.changeStatus(
                        client,
                        enrolment: row,
                        body: SchoolWorld.change(id: caseID, to: "dropped_out"),
                        token: world.teacher
                    ).status == .created
                )
                let uri = "/v1/dropout-cases/\(caseID.uuidString)/close"
                let body: [String: Any] = ["reason": "随父母迁往外省，已在当地入学"]
                let supervisor = try await client.login("town1.supervisor")
                #expect(try await client.post(uri, json: body, token: world.teacher, headers: [.ifMatch: "\"1\""]).status == .forbidden)
                #expect(try await client.post(uri, json: body, token: world.cadre, headers: [.ifMatch: "\"1\""]).status == .forbidden)
                #expect(
                    try await client.post(uri, json: body, token: try await client.login("town2.supervisor"), headers: [.ifMatch: "\"1\""]).status
                        == .notFound
                )
                #expect(
                    try await client.post("/v1/dropout-cases/\(UUID().uuidString)/close", json: body, token: supervisor, headers: [.ifMatch: "\"1\""])
                        .status == .notFound
                )
                #expect(try await client.post(uri, json: body, token: supervisor).status == .preconditionRequired)
                #expect(try await client.post(uri, json: body, token: supervisor, headers: [.ifMatch: "\"2\""]).status == .preconditionFailed)
                let blank = try await client.post(uri, json: ["reason": "  "], token: supervisor, headers: [.ifMatch: "\"1\""])
                #expect(try SchoolWorld.fields(blank) == ["reason"])
                #expect(try await client.post(uri, json: [:], token: supervisor, headers: [.ifMatch: "\"1\""]).status == .badRequest)
                let raw = try JSONSerialization.data(withJSONObject: body)
                async let one = client.send(.post, uri, body: raw, contentType: "application/json", token: supervisor, headers: [.ifMatch: "\"1\""])
                async let two = client.send(.post, uri, body: raw, contentType: "application/json", token: world.town, headers: [.ifMatch: "\"1\""])
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                let again = try await client.post(uri, json: body, token: supervisor, headers: [.ifMatch: "\"2\""])
                #expect(again.status == .conflict)
                let stored = try await database.pool.query("select status, closed_how, close_reason from dropout_case where id = \(caseID)").first!
                #expect(try stored.decode("closed_how", as: String.self) == "closed_by_town")
                #expect(try stored.decode("close_reason", as: String.self) == "随父母迁往外省，已在当地入学")
                // A new dropout after the case closed opens a new one.
                #expect(
                    try await SchoolWorld.changeStatus(
                        client,
                        enrolment: row,
                        body: SchoolWorld.change(to: "enrolled", on: "2026-04-01", reason: nil),
                        token: world.teacher,
                        version: 2
                    ).status == .created
                )
                let second = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(to: "dropped_out", on: "2026-05-01"),
                    token: world.teacher,
                    version: 3
                )
                #expect(try second.decode(Answer.StatusChangeResult.self).dropoutCase?.status == "open")
                #expect(try await database.pool.query("select count(*)::int as n from dropout_case").first!.decode("n", as: Int.self) == 2)
            }
        }
    }

    @Test("the registry files a dropped-out child with the school that keeps the child on its roll; other stages outside school name none")
    func registryStage() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                var dropped = People.child(
                    name: "甲五",
                    born: "2012-02-02",
                    sequence: 121,
                    village: world.fixture.village1a,
                    school: world.fixture.school1
                )
                var child = dropped["child"] as? [String: Any] ?? [:]
                child["schoolStage"] = "dropped_out"
                dropped["child"] = child
                let filed = try await client.post("/v1/persons", json: dropped, token: world.cadre)
                #expect(filed.status == .created, "\(filed.text)")
                var outside = People.child(
                    name: "甲六",
                    born: "2012-03-03",
                    sequence: 123,
                    village: world.fixture.village1a,
                    school: world.fixture.school1
                )
                child["schoolStage"] = "not_in_school"
                child["schoolId"] = world.fixture.school1.idString
                outside["child"] = child
                #expect(try SchoolWorld.fields(try await client.post("/v1/persons", json: outside, token: world.cadre)) == ["child.schoolId"])
            }
        }
    }

    @Test("a change cannot be back-dated before the last one; a roll row cannot be re-pointed at another child")
    func historyStaysConsistent() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let dropped = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(
                        to: "dropped_out",
                        on: "2026-03-01",
                        reason: "厌学"
                    ),
                    token: world.teacher
                )
                #expect(dropped.status == .created, "\(dropped.text)")
                let backDated = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(
                        to: "enrolled",
                        on: "2026-02-15",
                        reason: nil
                    ),
                    token: world.teacher,
                    version: 2
                )
                #expect(try SchoolWorld.fields(backDated) == ["effectiveOn"], "\(backDated.status) \(backDated.text)")
                // Even with the school's own scope, the database keeps a roll row's child.
                let teacher = try await database.pool.query("select id from account where username = 'school1.teacher'").first!.decode(
                    "id",
                    as: UUID.self
                )
                let school = world.fixture.school1.path
                await #expect(throws: DatabaseError.self) {
                    try await database.appPool.withTransaction(settings: [
                        (name: "liushou.account_id", value: teacher.uuidString.lowercased()),
                        (name: "liushou.scope_paths", value: "{\(school)}"),
                        (name: "liushou.scope.school", value: "{\(school)}"),
                    ]) { transaction in
                        try await transaction.query(
                            """
                            update school_enrolment set person_id = \(UUID(uuidString: world.other)!) where id = \(UUID(uuidString: row)!)
                            """
                        )
                    }
                }
                let person = try await database.pool.query("select person_id from school_enrolment where id = \(UUID(uuidString: row)!)").first!
                #expect(try person.decode("person_id", as: UUID.self).uuidString.lowercased() == world.child)
            }
        }
    }
}
