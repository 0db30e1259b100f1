import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import NIOCore
import Testing

/// Who sees and changes which person files: every role against a child in its own scope (village
/// 甲村, grid 甲村一组, enrolled at the town school, paired with the volunteer, in the clinic's service
/// area) and a child in the other town.
@Suite("Person access by role and tenant")
struct PersonAccessTests {
    struct World {
        var fixture: PlatformFixture
        /// In grid1a, enrolled at school1, paired with the volunteer.
        var own: String
        /// In village1a without grid, school or pairing.
        var neighbour: String
        /// In the other town.
        var other: String
    }

    static func world(_ database: TestDatabase, client: some TestClientProtocol) async throws -> World {
        let fixture = try await PlatformFixture.seed(database)
        let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
        try await seeder.user(
            "village2a.cadre",
            password: PlatformFixture.password,
            home: fixture.village2a,
            grants: [(.villageCadre, fixture.village2a)]
        )
        let cadre = try await client.login("village1a.cadre")
        let own = try await client.post(
            "/v1/persons",
            json: People.child(
                name: "甲一",
                sequence: 101,
                village: fixture.village1a,
                grid: fixture.grid1a,
                school: fixture.school1
            ),
            token: cadre
        )
        let neighbour = try await client.post("/v1/persons", json: People.child(name: "甲二", sequence: 103, village: fixture.village1a), token: cadre)
        let otherCadre = try await client.login("village2a.cadre")
        let other = try await client.post("/v1/persons", json: People.child(name: "丙一", sequence: 105, village: fixture.village2a), token: otherCadre)
        let ids = try [own, neighbour, other].map { response in
            guard response.status == .created, let id = try response.json()["id"] as? String else { throw FixtureError.loginFailed(response.text, 0) }
            return id.lowercased()
        }
        let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
            "id",
            as: UUID.self
        )
        try await database.pool.query(
            """
            insert into person_assignment (id, person_id, account_id, unit_id, source)
            values (\(UUID()), \(UUID(uuidString: ids[0])!), \(volunteer), \(fixture.village1a.id), 'pairing')
            """
        )
        try await database.pool.query(
            "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
        )
        return World(fixture: fixture, own: ids[0], neighbour: ids[1], other: ids[2])
    }

    static let writers: Set<Role> = [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker]
    static let checkers: Set<Role> = [.countyAdmin, .townAdmin, .childWelfareSupervisor]

    @Test("each role × own and other-town files × every person route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await Self.world(database, client: client)
                let token = try await client.login(world.fixture.username(for: role))
                let reads = role != .auditor
                let county = role == .countyAdmin
                // Volunteers, school and clinic staff see a reduced file and no field history.
                let unitStaff = reads && ![.volunteer, .schoolStaff, .clinicStaff].contains(role)
                for route in ["", "/history", "/timeline", "/contact-card"] {
                    let own = try await client.send(.get, "/v1/persons/\(world.own)\(route)", token: token)
                    let expectedOwn = !reads ? 403 : (route == "/history" && !unitStaff) ? 403 : 200
                    #expect(own.status.code == expectedOwn, "\(role) GET own\(route): \(own.text)")
                    let other = try await client.send(.get, "/v1/persons/\(world.other)\(route)", token: token)
                    #expect(other.status.code == (!reads ? 403 : county ? 200 : 404), "\(role) GET other\(route): \(other.text)")
                }
                let missing = try await client.send(.get, "/v1/persons/\(UUID().uuidString)", token: token)
                #expect(missing.status.code == (reads ? 404 : 403))

                func version(_ id: String) async throws -> String {
                    "\"\(try await database.pool.query("select version from person where id = \(UUID(uuidString: id)!)").first!.decode("version", as: Int.self))\""
                }
                let canWrite = Self.writers.contains(role)
                for (id, inside) in [(world.own, true), (world.other, county)] {
                    var file = People.child(
                        name: "改名",
                        sequence: id == world.own ? 101 : 105,
                        village: id == world.own ? world.fixture.village1a : world.fixture.village2a
                    )
                    if id == world.own {
                        file["gridId"] = world.fixture.grid1a.idString
                        (file["child"] as? [String: Any]).map { child in
                            var child = child
                            child["schoolStage"] = "primary"
                            child["schoolId"] = world.fixture.school1.idString
                            file["child"] = child
                        }
                    }
                    let put = try await client.send(.put, "/v1/persons/\(id)", json: file, token: token, headers: [.ifMatch: try await version(id)])
                    #expect(
                        put.status.code == (!canWrite ? 403 : inside ? 200 : 404),
                        "\(role) PUT \(id == world.own ? "own" : "other"): \(put.text)"
                    )
                    let check = try await client.send(.post, "/v1/persons/\(id)/check", token: token, headers: [.ifMatch: try await version(id)])
                    let expectedCheck = !Self.checkers.contains(role) ? 403 : inside ? 200 : 404
                    #expect(check.status.code == expectedCheck, "\(role) check: \(check.text)")
                    let exit = try await client.send(
                        .post,
                        "/v1/persons/\(id)/exit",
                        json: ["reason": "moved_away", "exitedOn": "2026-03-01"],
                        token: token,
                        headers: [.ifMatch: try await version(id)]
                    )
                    #expect(exit.status.code == (!canWrite ? 403 : inside ? 200 : 404), "\(role) exit: \(exit.text)")
                }
                let createOwn = try await client.post(
                    "/v1/persons",
                    json: People.child(
                        name: "新生",
                        sequence: 107,
                        village: world.fixture.village1a,
                        grid: world.fixture.grid1a
                    ),
                    token: token
                )
                #expect(createOwn.status.code == (canWrite ? 201 : 403), "\(role) create in own scope: \(createOwn.text)")
                let createOther = try await client.post(
                    "/v1/persons",
                    json: People.child(name: "外乡", sequence: 109, village: world.fixture.village2a),
                    token: token
                )
                #expect(createOther.status.code == (!canWrite ? 403 : county ? 201 : 422), "\(role) create in the other town: \(createOther.text)")
                let anonymous = try await client.send(.get, "/v1/persons/\(world.own)")
                #expect(anonymous.status == .unauthorized)
            }
        }
    }

    @Test("lists show each role its own people: area, enrolment, service area, pairing")
    func lists() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await Self.world(database, client: client)
                let expected: [Role: Set<String>] = [
                    .countyAdmin: [world.own, world.neighbour, world.other], .townAdmin: [world.own, world.neighbour],
                    .childWelfareSupervisor: [world.own, world.neighbour], .villageCadre: [world.own, world.neighbour],
                    .gridWorker: [world.own], .volunteer: [world.own], .schoolStaff: [world.own],
                    .clinicStaff: [world.own, world.neighbour], .reliefOfficer: [world.own, world.neighbour],
                    .legalAidOfficer: [world.own, world.neighbour],
                ]
                for role in Role.allCases {
                    let token = try await client.login(world.fixture.username(for: role))
                    let response = try await client.send(.get, "/v1/persons", token: token)
                    guard let visible = expected[role] else {
                        #expect(response.status == .forbidden, "\(role)")
                        continue
                    }
                    let ids = Set(((try response.json()["items"] as? [[String: Any]]) ?? []).compactMap { ($0["id"] as? String)?.lowercased() })
                    #expect(ids == visible, "\(role) sees \(ids)")
                    #expect(!response.text.contains(People.idNumber(born: "2015-03-04", sequence: 101)), "lists mask ID numbers")
                }
                let volunteer = try await client.login("village1a.volunteer")
                let limited = try await client.send(.get, "/v1/persons/\(world.own)", token: volunteer)
                let file = try limited.decode(PersonRecord.self).file
                #expect(file.idNumber == nil, "volunteers see no ID number at all")
                #expect(file.child?.guardian?.phone == "138****8000")
                let reveal = try await client.send(.get, "/v1/persons/\(world.own)?reveal=identifiers&reason=checking", token: volunteer)
                #expect(reveal.status == .forbidden)
                let teacher = try await client.login("school1.teacher")
                let filtered = try await client.send(.get, "/v1/persons?category=left_behind_child&schoolStage=primary", token: teacher)
                #expect(((try filtered.json()["items"] as? [[String: Any]]) ?? []).count == 1)
            }
        }
    }

    @Test("filters, Chinese name search and keyset pages")
    func filtersAndPages() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                for (index, name) in ["欧阳明月", "王明", "李小明", "张三", "赵四"].enumerated() {
                    let created = try await client.post(
                        "/v1/persons",
                        json: People.child(name: name, sequence: 201 + 2 * index, village: fixture.village1a),
                        token: cadre
                    )
                    #expect(created.status == .created)
                }
                _ = try await client.post("/v1/persons", json: People.elder(village: fixture.village1a), token: cadre)
                func names(_ query: String) async throws -> [String] {
                    let response = try await client.send(.get, "/v1/persons?\(query)", token: cadre)
                    #expect(response.status == .ok, "\(response.text)")
                    return ((try response.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                }
                let q = "q=" + "明".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                #expect(Set(try await names(q)) == ["欧阳明月", "王明", "李小明"])
                let q2 = "q=" + "小明".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                #expect(try await names(q2) == ["李小明"])
                #expect(try await names("category=left_behind_elder") == ["李奶奶"])
                var seen: [String] = []
                var cursor: String? = nil
                repeat {
                    let response = try await client.send(.get, "/v1/persons?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: cadre)
                    let json = try response.json()
                    seen += ((json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                    cursor = json["nextCursor"] as? String
                } while cursor != nil
                #expect(seen.count == 6)
                #expect(Set(seen).count == 6)
                let bad = try await client.send(.get, "/v1/persons?riskLevel=extreme&limit=0", token: cadre)
                #expect(bad.status == .badRequest)
                let fields = ((try bad.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
                #expect(Set(fields) == ["riskLevel", "limit"])
            }
        }
    }

    @Test("a name holding a quote or a backslash with a combining mark is filed and found by its characters")
    func namesWithMarkedQuotes() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                // Each is one Character but two scalars: the name's grams are bound as a text array.
                let names = ["\"\u{301}王", "李\\\u{301}明"]
                for (index, name) in names.enumerated() {
                    let created = try await client.post(
                        "/v1/persons",
                        json: People.child(name: name, sequence: 231 + 2 * index, village: fixture.village1a),
                        token: cadre
                    )
                    #expect(created.status == .created, "\(created.text)")
                }
                for (query, name) in [("王", names[0]), ("李\\\u{301}", names[1])] {
                    let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                    let response = try await client.send(.get, "/v1/persons?q=\(q)", token: cadre)
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(((try response.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == [name])
                }
            }
        }
    }

    @Test("lengths are counted as the database counts them: a name of 26 characters with combining marks is 52 and refused")
    func lengthsInCodePoints() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let marked = String(repeating: "王\u{301}", count: 26)
                var body = People.child(name: marked, sequence: 241, village: fixture.village1a)
                let refused = try await client.post("/v1/persons", json: body, token: cadre)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(((try refused.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } == ["name"])
                body = People.child(name: String(repeating: "王\u{301}", count: 25), sequence: 241, village: fixture.village1a)
                let filed = try await client.post("/v1/persons", json: body, token: cadre)
                #expect(filed.status == .created, "\(filed.text)")
            }
        }
    }

    @Test("the same create sent twice at once (a phone's retry): one file, one 201, the other answers it; never 409 or 500")
    func concurrentSameCreate() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                for round in 0..<5 {
                    let id = UUID().uuidString.lowercased()
                    var person = People.child(sequence: 200 + round, village: fixture.village1a)
                    person["id"] = id
                    let household: [String: Any] = [
                        "id": UUID().uuidString.lowercased(), "villageId": fixture.village1a.idString, "address": "甲村 9 号",
                    ]
                    let personBody = try JSONSerialization.data(withJSONObject: person)
                    let householdBody = try JSONSerialization.data(withJSONObject: household)
                    async let one = client.send(.post, "/v1/persons", body: personBody, contentType: "application/json", token: cadre)
                    async let two = client.send(.post, "/v1/persons", body: personBody, contentType: "application/json", token: cadre)
                    async let three = client.send(.post, "/v1/households", body: householdBody, contentType: "application/json", token: cadre)
                    async let four = client.send(.post, "/v1/households", body: householdBody, contentType: "application/json", token: cadre)
                    let answers = [try await one, try await two]
                    for answer in answers where answer.status.code >= 300 {
                        Issue.record("answered \(answer.status.code): \(String(buffer: answer.body))")
                    }
                    let persons = answers.map(\.status.code).sorted()
                    let households = [try await three.status.code, try await four.status.code].sorted()
                    #expect(persons == [200, 201])
                    #expect(households == [200, 201])
                    let files = try await database.pool.query("select count(*) as n from person where id = \(UUID(uuidString: id)!)").first!
                        .decode("n", as: Int.self)
                    #expect(files == 1)
                }
            }
        }
    }

    @Test("two writers with the same version: one wins, the other gets 412 and nothing is lost")
    func concurrentUpdates() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let supervisor = try await client.login("town1.supervisor")
                let created = try await client.post("/v1/persons", json: People.child(village: fixture.village1a), token: cadre)
                let id = try #require(try created.json()["id"] as? String)
                let base = try #require(try created.json()["file"] as? [String: Any])
                func body(_ address: String) throws -> Data {
                    var file = base
                    file["currentAddress"] = address
                    return try JSONSerialization.data(withJSONObject: file)
                }
                let first = try body("甲村 1 号")
                let second = try body("甲村 2 号")
                async let one = client.send(
                    .put,
                    "/v1/persons/\(id)",
                    body: first,
                    contentType: "application/json",
                    token: cadre,
                    headers: [.ifMatch: "\"1\""]
                )
                async let two = client.send(
                    .put,
                    "/v1/persons/\(id)",
                    body: second,
                    contentType: "application/json",
                    token: supervisor,
                    headers: [.ifMatch: "\"1\""]
                )
                let statuses = [try await one.status.code, try await two.status.code]
                #expect(statuses.sorted() == [200, 412])
                let version = try await database.pool.query("select version from person").first!.decode("version", as: Int.self)
                #expect(version == 2)
                let changes = try await database.pool.query("select count(*) as n from person_change where field = 'currentAddress'").first!
                    .decode("n", as: Int.self)
                #expect(changes == 1)
            }
        }
    }
}

@Suite("Row-level security of the registry on its own")
struct RegistryRowSecurityTests {
    @Test("the application role cannot assign itself a person of another unit, nor file one into another county's school")
    func assignmentsAndReferences() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await PersonAccessTests.world(database, client: client)
                let fixture = world.fixture
                let worker = try await database.pool.query("select id from account where username = 'grid1a.worker'").first!.decode(
                    "id",
                    as: UUID.self
                )
                let path = fixture.grid1a.path
                let settings: [(name: String, value: String)] = [
                    (name: "liushou.scope_paths", value: "{\(path)}"), (name: "liushou.account_id", value: worker.uuidString.lowercased()),
                    (name: "liushou.scope.person_area", value: "{\(path)}"), (name: "liushou.scope.person_write", value: "{\(path)}"),
                ]
                let other = UUID(uuidString: world.other)!
                await #expect(throws: (any Error).self) {
                    try await database.appPool.withTransaction(settings: settings) { transaction in
                        try await transaction.query(
                            """
                            insert into person_assignment (id, person_id, account_id, unit_id, source)
                            values (\(UUID()), \(other), \(worker), \(fixture.grid1a.id), 'pairing')
                            """
                        )
                    }
                }
                let visible = try await database.appPool.withTransaction(settings: settings) { transaction in
                    try await transaction.query("select count(*) as n from person where id = \(other)").first!.decode("n", as: Int.self)
                }
                #expect(visible == 0)
                await #expect(throws: (any Error).self) {
                    try await database.appPool.withTransaction(settings: settings) { transaction in
                        try await transaction.query(
                            """
                            update person set school_id = \(fixture.school1.id), village_id = \(fixture.village2a.id)
                            where id = \(UUID(uuidString: world.own)!)
                            """
                        )
                    }
                }
            }
        }
    }
}
