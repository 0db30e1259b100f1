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

@Suite("School roll: enrolment, scoping, transfers")
struct RollTests {
    @Test("a school enrols only children it can see; retries answer the stored row; one open row per child")
    func enrolment() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let id = UUID()
                let body = SchoolWorld.enrolment(id: id, person: world.child, school: world.fixture.school1)
                let created = try await client.post("/v1/enrolments", json: body, token: world.teacher)
                #expect(created.status == .created, "\(created.text)")
                #expect(created.etag == "\"1\"")
                #expect(try created.json()["personName"] as? String == "甲一")
                #expect(try await client.post("/v1/enrolments", json: body, token: world.teacher).status == .ok)
                var changed = body
                changed["grade"] = 4
                #expect(try await client.post("/v1/enrolments", json: changed, token: world.teacher).status == .conflict)
                // A second row for a child already on a roll: 409, also when two arrive at once.
                let again = try await client.post(
                    "/v1/enrolments",
                    json: SchoolWorld.enrolment(person: world.child, school: world.fixture.school1),
                    token: world.teacher
                )
                #expect(again.status == .conflict)
                #expect(try again.json()["code"] as? String == "already_enrolled")

                let bad = try await client.post(
                    "/v1/enrolments",
                    json: SchoolWorld.enrolment(
                        person: world.other,
                        school: world.school2,
                        grade: 7,
                        className: " ",
                        enrolledOn: "2099-01-01"
                    ),
                    token: world.teacher
                )
                #expect(Set(try SchoolWorld.fields(bad)) == ["grade", "className", "enrolledOn", "schoolId", "personId"])
                // Enrolled before the child was born (2015-03-04): refused naming the date.
                let unborn = try await client.post(
                    "/v1/enrolments",
                    json: SchoolWorld.enrolment(person: world.child, school: world.fixture.school1, enrolledOn: "2014-09-01"),
                    token: world.teacher
                )
                #expect(try SchoolWorld.fields(unborn).contains("enrolledOn"), "\(unborn.text)")
                // A class teacher is not looked up at a school the caller may not write to (it would tell who works there).
                var foreignTeacher = SchoolWorld.enrolment(person: world.child, school: world.school2)
                foreignTeacher["classTeacherId"] = UUID().uuidString
                let foreign = try await client.post("/v1/enrolments", json: foreignTeacher, token: world.teacher)
                #expect(!(try SchoolWorld.fields(foreign)).contains("classTeacherId"), "\(foreign.text)")
                var unknownStage = SchoolWorld.enrolment(person: world.child, school: world.fixture.school1)
                unknownStage["stage"] = "university"
                #expect(try await client.post("/v1/enrolments", json: unknownStage, token: world.teacher).status == .badRequest)
                var teacherElsewhere = SchoolWorld.enrolment(person: world.child, school: world.fixture.school1)
                teacherElsewhere["classTeacherId"] = UUID().uuidString
                #expect(
                    try SchoolWorld.fields(try await client.post("/v1/enrolments", json: teacherElsewhere, token: world.teacher))
                        .contains("classTeacherId")
                )
                // Roles without schools.manage.
                let cadreTry = try await client.post(
                    "/v1/enrolments",
                    json: SchoolWorld.enrolment(person: world.child, school: world.fixture.school1),
                    token: world.cadre
                )
                #expect(cadreTry.status == .forbidden)
                #expect(try await client.post("/v1/enrolments", json: body, token: nil).status == .unauthorized)
                #expect(try await database.pool.query("select count(*)::int as n from school_enrolment").first!.decode("n", as: Int.self) == 1)
            }
        }
    }

    @Test("concurrent first enrolments: the same id once created and once returned; two ids for one child, one wins")
    func concurrentEnrolment() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let same = try JSONSerialization.data(withJSONObject: SchoolWorld.enrolment(person: world.child, school: world.fixture.school1))
                async let first = client.send(.post, "/v1/enrolments", body: same, contentType: "application/json", token: world.teacher)
                async let second = client.send(.post, "/v1/enrolments", body: same, contentType: "application/json", token: world.teacher)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])

                let town2 = try await client.login("town2.admin")
                let one = try JSONSerialization.data(withJSONObject: SchoolWorld.enrolment(person: world.other, school: world.school3))
                let two = try JSONSerialization.data(withJSONObject: SchoolWorld.enrolment(person: world.other, school: world.school3))
                async let a = client.send(.post, "/v1/enrolments", body: one, contentType: "application/json", token: town2)
                async let b = client.send(.post, "/v1/enrolments", body: two, contentType: "application/json", token: world.teacher3)
                #expect([try await a.status.code, try await b.status.code].sorted() == [201, 409])
                #expect(try await database.pool.query("select count(*)::int as n from school_enrolment").first!.decode("n", as: Int.self) == 2)
            }
        }
    }

    @Test("school staff read only their own roll; the child's village and town read the child's rows; other towns see nothing")
    func scoping() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                _ = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                _ = try await SchoolWorld.enrol(client, person: world.other, school: world.school3, token: world.teacher3)
                let roll = try await client.send(.get, "/v1/schools/\(world.fixture.school1.idString)/roll", token: world.teacher)
                #expect(roll.status == .ok)
                #expect(try SchoolWorld.items(roll, as: Answer.Enrolment.self).map { $0.personId.lowercased() } == [world.child])
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/schools/\(world.fixture.school1.idString)/roll", token: world.town),
                        as: Answer.Enrolment.self
                    ).count == 1
                )
                for (token, uri) in [
                    (world.teacher2, "/v1/schools/\(world.fixture.school1.idString)/roll"),
                    (world.teacher3, "/v1/schools/\(world.fixture.school1.idString)/roll"),
                    (world.cadre, "/v1/schools/\(world.fixture.school1.idString)/roll"),
                    (world.teacher, "/v1/schools/\(world.school3.idString)/roll"),
                    (world.teacher, "/v1/schools/\(UUID().uuidString)/roll"),
                    (world.teacher, "/v1/persons/\(world.other)/enrolments"),
                    (try await client.login("village2a.cadre"), "/v1/persons/\(world.child)/enrolments"),
                ] {
                    #expect(try await client.send(.get, uri, token: token).status == .notFound, "\(uri)")
                }
                let history = try await client.send(.get, "/v1/persons/\(world.child)/enrolments", token: world.cadre)
                #expect(history.status == .ok)
                #expect(try history.decode(Answer.History.self).items.count == 1)
                #expect(
                    try await client.send(.get, "/v1/schools/\(world.fixture.school1.idString)/roll?status=gone", token: world.teacher).status
                        == .badRequest
                )
                let grid = try await client.login("grid1a.worker")
                #expect(try await client.send(.get, "/v1/persons/\(world.child)/enrolments", token: grid).status == .forbidden)
            }
        }
    }

    @Test("a transfer closes the row, opens the receiving school's, moves the child's school and alerts cadre and supervisor")
    func transfers() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let uri = "/v1/enrolments/\(row)/status-changes"
                let changeID = UUID()
                let transfer = SchoolWorld.change(id: changeID, to: "transferred_out", on: "2026-01-10", toSchoolId: world.school2.idString)
                #expect(try await client.post(uri, json: transfer, token: world.teacher).status == .preconditionRequired)
                #expect(
                    try await SchoolWorld.changeStatus(client, enrolment: row, body: transfer, token: world.teacher, version: 5).status
                        == .preconditionFailed
                )
                let both = SchoolWorld.change(to: "transferred_out", toSchoolId: world.school2.idString, toSchoolName: "宁波市某小学")
                #expect(
                    Set(try SchoolWorld.fields(try await SchoolWorld.changeStatus(client, enrolment: row, body: both, token: world.teacher)))
                        == ["toSchoolId"]
                )
                let village = SchoolWorld.change(to: "transferred_out", toSchoolId: world.fixture.village1a.idString)
                #expect(
                    try SchoolWorld.fields(try await SchoolWorld.changeStatus(client, enrolment: row, body: village, token: world.teacher))
                        == ["toSchoolId"]
                )
                let early = SchoolWorld.change(to: "transferred_out", on: "2020-01-01", toSchoolId: world.school2.idString)
                #expect(
                    try SchoolWorld.fields(try await SchoolWorld.changeStatus(client, enrolment: row, body: early, token: world.teacher))
                        == ["effectiveOn"]
                )
                #expect(try await SchoolWorld.changeStatus(client, enrolment: row, body: transfer, token: world.teacher2).status == .notFound)
                #expect(try await SchoolWorld.changeStatus(client, enrolment: row, body: transfer, token: world.cadre).status == .forbidden)
                // A change id already naming an enrolment (the one the receiving school's row would take) is taken.
                let reused = SchoolWorld.change(
                    id: UUID(uuidString: row)!,
                    to: "transferred_out",
                    on: "2026-01-10",
                    toSchoolId: world.school2.idString
                )
                let clash = try await SchoolWorld.changeStatus(client, enrolment: row, body: reused, token: world.teacher)
                #expect(clash.status == .conflict, "\(clash.text)")

                let done = try await SchoolWorld.changeStatus(client, enrolment: row, body: transfer, token: world.teacher)
                #expect(done.status == .created, "\(done.text)")
                let result = try done.decode(Answer.StatusChangeResult.self)
                #expect(result.enrolment.status == "transferred_out")
                #expect(result.enrolment.endedOn == "2026-01-10")
                #expect(result.receivingEnrolmentId?.lowercased() == changeID.uuidString.lowercased())
                #expect(result.alerts == 2)
                // A retry answers the stored change.
                #expect(try await SchoolWorld.changeStatus(client, enrolment: row, body: transfer, token: world.teacher).status == .ok)
                // The child now belongs to the receiving school: its staff see the file, the sending school no longer does.
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: world.teacher2).status == .ok)
                #expect(try await client.send(.get, "/v1/persons/\(world.child)", token: world.teacher).status == .notFound)
                let stored = try await database.pool.query(
                    "select school_id, school_stage, file -> 'child' ->> 'schoolId' as file_school from person where id = \(UUID(uuidString: world.child)!)"
                ).first!
                #expect(try stored.decode("school_id", as: UUID.self) == world.school2.id)
                #expect(try stored.decode("file_school", as: String.self).lowercased() == world.school2.idString)
                // Each school keeps its own part of the history; the village sees both.
                let sending = try SchoolWorld.items(
                    try await client.send(.get, "/v1/schools/\(world.fixture.school1.idString)/roll?status=all", token: world.teacher),
                    as: Answer.Enrolment.self
                )
                #expect(sending.map(\.status) == ["transferred_out"])
                #expect(
                    try SchoolWorld.items(
                        try await client.send(.get, "/v1/schools/\(world.fixture.school1.idString)/roll", token: world.teacher),
                        as: Answer.Enrolment.self
                    ).isEmpty
                )
                let receiving = try SchoolWorld.items(
                    try await client.send(.get, "/v1/schools/\(world.school2.idString)/roll", token: world.teacher2),
                    as: Answer.Enrolment.self
                )
                #expect(receiving.count == 1)
                #expect(receiving.first?.transferredFrom?.lowercased() == row)
                #expect(receiving.first?.enrolledOn == "2026-01-10")
                let mine = try await client.send(.get, "/v1/persons/\(world.child)/enrolments", token: world.teacher2).decode(Answer.History.self)
                #expect(mine.items.count == 1)
                let history = try await client.send(.get, "/v1/persons/\(world.child)/enrolments", token: world.cadre).decode(Answer.History.self)
                #expect(history.items.count == 2)
                #expect(history.changes.first?.toStatus == "transferred_out")
                // The closed row takes no more changes.
                let closed = try await SchoolWorld.changeStatus(
                    client,
                    enrolment: row,
                    body: SchoolWorld.change(to: "enrolled"),
                    token: world.town,
                    version: 2
                )
                #expect(closed.status == .conflict)
                // Alerts: one follow-up for the village cadre, one for the town's supervisor.
                let routed = try await database.pool.query(
                    """
                    select routed_role from follow_up where school_status_change_id = \(changeID) and need = 'schooling' order by routed_role
                    """
                ).map { try $0.decode("routed_role", as: String.self) }
                #expect(routed == ["child_welfare_supervisor", "village_cadre"])
                let cadreList = try SchoolWorld.items(try await client.send(.get, "/v1/follow-ups", token: world.cadre), as: Answer.FollowUp.self)
                // The cadre's list holds the alert routed to village cadres; the supervisor, an overseer, sees both.
                #expect(cadreList.filter { $0.need == "schooling" }.map(\.routedRole) == ["village_cadre"])
                let supervisor = try await client.login("town1.supervisor")
                #expect(
                    try SchoolWorld.items(try await client.send(.get, "/v1/follow-ups", token: supervisor), as: Answer.FollowUp.self).filter {
                        $0.need == "schooling"
                    }
                    .count == 2
                )
            }
        }
    }

    @Test("the roll keeps the file's completeness: an enrolment completes a file without a stage, leaving every roll of the county empties it")
    func rollCompleteness() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                // Filed at 一乡中心小学 without a school stage: incomplete on child.schoolStage only.
                var body = People.child(name: "甲二", sequence: 131, village: world.fixture.village1a, school: world.fixture.school1)
                var child = body["child"] as! [String: Any]
                child.removeValue(forKey: "schoolStage")
                body["child"] = child
                let person = try await SchoolWorld.created(try await client.post("/v1/persons", json: body, token: world.cadre))
                func completeness() async throws -> (complete: Bool, missing: [String], swift: [String]) {
                    let read = try await client.send(.get, "/v1/persons/\(person)", token: world.cadre).json()
                    let file = try JSONSerialization.data(withJSONObject: try #require(read["file"]))
                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = Date.requestDecodingStrategy
                    let swift = FileCompleteness.missingFields(try decoder.decode(PersonFile.self, from: file))
                    return (try #require(read["complete"] as? Bool), try #require(read["missingFields"] as? [String]), swift)
                }
                let filed = try await completeness()
                #expect(!filed.complete)
                #expect(filed.missing == ["child.schoolStage"])
                #expect(filed.missing == filed.swift)
                // The school enrols the child at 小学: the roll names the stage, and the file is complete.
                let row = try await SchoolWorld.enrol(client, person: person, school: world.fixture.school1, token: world.teacher)
                let enrolled = try await completeness()
                #expect(enrolled.complete)
                #expect(enrolled.missing.isEmpty)
                #expect(enrolled.missing == enrolled.swift)
                // Transferred to a school outside the county: the file keeps 小学 but names no school, so it is incomplete.
                let away = SchoolWorld.change(to: "transferred_out", on: "2026-01-10", toSchoolName: "宁波市某小学")
                let moved = try await SchoolWorld.changeStatus(client, enrolment: row, body: away, token: world.teacher)
                #expect(moved.status == .created, "\(moved.text)")
                let left = try await completeness()
                #expect(!left.complete)
                #expect(left.missing == ["child.schoolId"])
                #expect(left.missing == left.swift)
            }
        }
    }

    @Test("concurrent status changes at one version: exactly one wins")
    func concurrentChanges() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let uri = "/v1/enrolments/\(row)/status-changes"
                let one = try JSONSerialization.data(withJSONObject: SchoolWorld.change(to: "long_absence"))
                let two = try JSONSerialization.data(withJSONObject: SchoolWorld.change(to: "suspended"))
                async let a = client.send(.post, uri, body: one, contentType: "application/json", token: world.teacher, headers: [.ifMatch: "\"1\""])
                async let b = client.send(.post, uri, body: two, contentType: "application/json", token: world.town, headers: [.ifMatch: "\"1\""])
                #expect([try await a.status.code, try await b.status.code].sorted() == [201, 412])
                #expect(try await database.pool.query("select count(*)::int as n from school_status_change").first!.decode("n", as: Int.self) == 1)
                #expect(try await database.pool.query("select count(*)::int as n from follow_up").first!.decode("n", as: Int.self) == 2)
            }
        }
    }

    @Test("the receiving school places a transferred child in a class (If-Match); closed rows and other schools refuse")
    func placement() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await SchoolWorld.make(database, client: client)
                let row = try await SchoolWorld.enrol(client, person: world.child, school: world.fixture.school1, token: world.teacher)
                let changeID = UUID()
                #expect(
                    try await SchoolWorld.changeStatus(
                        client,
                        enrolment: row,
                        body: SchoolWorld.change(
                            id: changeID,
                            to: "transferred_out",
                            on: "2026-01-10",
                            toSchoolId: world.school2.idString
                        ),
                        token: world.teacher
                    ).status == .created
                )
                let uri = "/v1/enrolments/\(changeID.uuidString)"
                let teacherID = try await database.pool.query("select id from account where username = 'school2.teacher'").first!.decode(
                    "id",
                    as: UUID.self
                )
                let body: [String: Any] = [
                    "stage": "junior_secondary", "grade": 1, "className": "初一（3）班", "classTeacherId": teacherID.uuidString,
                    "boarding": true,
                ]
                #expect(try await client.send(.put, uri, json: body, token: world.teacher2).status == .preconditionRequired)
                #expect(
                    try await client.send(.put, uri, json: body, token: world.teacher2, headers: [.ifMatch: "\"4\""]).status == .preconditionFailed
                )
                var bad = body
                bad["grade"] = 5
                bad["classTeacherId"] = UUID().uuidString
                #expect(
                    Set(try SchoolWorld.fields(try await client.send(.put, uri, json: bad, token: world.teacher2, headers: [.ifMatch: "\"1\""])))
                        == ["grade", "classTeacherId"]
                )
                #expect(try await client.send(.put, uri, json: body, token: world.teacher, headers: [.ifMatch: "\"1\""]).status == .notFound)
                #expect(try await client.send(.put, uri, json: body, token: world.cadre, headers: [.ifMatch: "\"1\""]).status == .forbidden)
                let raw = try JSONSerialization.data(withJSONObject: body)
                async let one = client.send(
                    .put,
                    uri,
                    body: raw,
                    contentType: "application/json",
                    token: world.teacher2,
                    headers: [.ifMatch: "\"1\""]
                )
                async let two = client.send(.put, uri, body: raw, contentType: "application/json", token: world.town, headers: [.ifMatch: "\"1\""])
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                let placed = try await client.send(.get, "/v1/schools/\(world.school2.idString)/roll", token: world.teacher2)
                let item = try SchoolWorld.items(placed, as: Answer.Enrolment.self).first
                #expect(item?.className == "初一（3）班")
                #expect(item?.boarding == true)
                #expect(item?.version == 2)
                let file = try await database.pool.query(
                    """
                    select school_stage, (file -> 'child' ->> 'boarding')::boolean as boarding from person where id = \(UUID(uuidString: world.child)!)
                    """
                ).first!
                #expect(try file.decode("school_stage", as: String.self) == "junior_secondary")
                #expect(try file.decode("boarding", as: Bool.self))
                // The sending school's closed row takes no placement.
                var again = body
                again.removeValue(forKey: "classTeacherId")
                #expect(
                    try await client.send(.put, "/v1/enrolments/\(row)", json: again, token: world.town, headers: [.ifMatch: "\"2\""]).status
                        == .conflict
                )
            }
        }
    }
}
