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

@Suite("Person files over the API")
struct PersonAPITests {
    @Test("create, read masked, reveal with a reason, idempotent retry, and 409 on a duplicate ID number")
    func createAndRead() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let id = UUID().uuidString.lowercased()
                var body = People.child(village: fixture.village1a, grid: fixture.grid1a, school: fixture.school1)
                body["id"] = id
                let created = try await client.post("/v1/persons", json: body, token: cadre)
                #expect(created.status == .created, "\(created.text)")
                #expect(created.etag == "\"1\"")
                let record = try created.decode(PersonRecord.self)
                #expect(
                    record.file.idNumber
                        == "341122********1236".replacingOccurrences(
                            of: "1236",
                            with: String(People.idNumber(born: "2015-03-04", sequence: 123).suffix(4))
                        )
                )
                #expect(record.file.phone == nil)
                #expect(record.file.sex == .male)
                #expect(record.file.birthDate == nil, "with the masked ID number the full date would give the number back")
                #expect(record.birthYear == 2015)
                #expect(record.complete, "\(record.missingFields)")
                #expect(!record.noCapableGuardian)
                #expect(record.file.child?.guardian?.phone == "138****8000")

                let retry = try await client.post("/v1/persons", json: body, token: cadre)
                #expect(retry.status == .ok)
                #expect(try retry.json()["id"] as? String == id.uppercased() || (try retry.json()["id"] as? String)?.lowercased() == id)

                var duplicate = People.child(name: "王小明二", village: fixture.village1a)
                duplicate["id"] = UUID().uuidString
                let conflict = try await client.post("/v1/persons", json: duplicate, token: cadre)
                #expect(conflict.status == .conflict)
                #expect(try conflict.json()["code"] as? String == "duplicate_id_number")
                #expect(conflict.text.contains(id))

                let read = try await client.send(.get, "/v1/persons/\(id)", token: cadre)
                #expect(read.status == .ok)
                #expect(!read.text.contains(People.idNumber(born: "2015-03-04", sequence: 123)))
                let revealed = try await client.send(
                    .get,
                    "/v1/persons/\(id)?reveal=identifiers&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD",
                    token: cadre
                )
                #expect(revealed.status == .ok)
                #expect(revealed.text.contains(People.idNumber(born: "2015-03-04", sequence: 123)))
                #expect(revealed.text.contains("13800138000"))
                #expect(try revealed.decode(PersonRecord.self).file.birthDate == LocalDate(year: 2015, month: 3, day: 4))

                let stored = try await database.pool.query("select file::text as f from person where id = \(UUID(uuidString: id)!)").first!
                let storedFile = try stored.decode("f", as: String.self)
                #expect(!storedFile.contains(People.idNumber(born: "1950-01-01", sequence: 11)), "guardian ID sealed in the JSON")
                #expect(!storedFile.contains(People.idNumber(born: "2015-03-04", sequence: 123)))
            }
        }
    }

    @Test("the web clients ask for Chinese (Accept-Language: zh-CN): refusals name the same fields, in Chinese; API clients keep English")
    func refusalsInChinese() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                var wrongCheck = People.idNumber(born: "2015-03-04", sequence: 123)
                wrongCheck = String(wrongCheck.dropLast()) + (wrongCheck.last == "1" ? "2" : "1")
                var body = People.child(village: fixture.village1a)
                body["phone"] = "12345"
                body["idNumber"] = wrongCheck
                let chinese = try await client.post("/v1/persons", json: body, token: cadre, headers: [.acceptLanguage: "zh-CN,zh;q=0.9"])
                #expect(chinese.status == .unprocessableContent)
                let errors = try chinese.decode(Answer.Problem.self).errors ?? []
                #expect(Set(errors.map(\.field)) == ["phone", "idNumber"])
                #expect(errors.map(\.message).contains("应为手机号（11 位，1 开头）或带区号的固定电话（如 0564-4552466）"), "\(errors)")
                #expect(errors.map(\.message).contains("校验位不正确，号码可能输错了"), "\(errors)")
                #expect(chinese.text.contains("部分内容有误"))
                let detail = try chinese.json()["detail"] as? String ?? ""
                #expect(detail.hasPrefix("有内容需要改正：") && !detail.contains("idNumber"), "\(detail)")
                let english = try await client.post("/v1/persons", json: body, token: cadre)
                #expect(english.text.contains("has a wrong check character"), "\(english.text)")
            }
        }
    }

    @Test("bad input names the field: check character, impossible date, sex and birth-date mismatch, phone, unit")
    func badInput() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                func refused(_ change: (inout [String: Any]) -> Void) async throws -> [String] {
                    var body = People.child(village: fixture.village1a)
                    change(&body)
                    let response = try await client.post("/v1/persons", json: body, token: cadre)
                    #expect(response.status == .unprocessableContent, "\(response.text)")
                    return ((try response.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
                }
                var wrongCheck = People.idNumber(born: "2015-03-04", sequence: 123)
                wrongCheck = String(wrongCheck.dropLast()) + (wrongCheck.last == "1" ? "2" : "1")
                #expect(try await refused { $0["idNumber"] = wrongCheck } == ["idNumber"])
                #expect(try await refused { $0["idNumber"] = "34112220150231123X" } == ["idNumber"])
                #expect(try await refused { $0["sex"] = "female" } == ["sex"])
                #expect(try await refused { $0["birthDate"] = "2015-03-05" } == ["birthDate"])
                #expect(try await refused { $0["phone"] = "12345" } == ["phone"])
                #expect(try await refused { $0["villageId"] = fixture.village2a.idString } == ["villageId"])
                // Another town's village, with or without a grid named, reads as a village that does not exist.
                func refusal(_ change: (inout [String: Any]) -> Void) async throws -> [Answer.FieldError]? {
                    var body = People.child(village: fixture.village1a)
                    change(&body)
                    return try await client.post("/v1/persons", json: body, token: cadre).decode(Answer.Problem.self).errors
                }
                let missing = try await refusal { $0["villageId"] = UUID().uuidString }
                #expect(try await refusal { $0["villageId"] = fixture.village2a.idString } == missing)
                #expect(
                    try await refusal {
                        $0["villageId"] = fixture.village2a.idString
                        $0["gridId"] = fixture.grid1a.idString
                    } == missing
                )
                #expect(try await refused { $0["categories"] = [] as [Any] } == ["categories"])
                // A relative's ID number must hold a birth date that has happened; dates outside 1900–2100 cannot be read.
                #expect(
                    try await refused { body in
                        var child = body["child"] as! [String: Any]
                        var guardian = child["guardian"] as! [String: Any]
                        guardian["idNumber"] = People.idNumber(born: "2090-01-01", sequence: 11)
                        child["guardian"] = guardian
                        body["child"] = child
                    } == ["child.guardian.idNumber"]
                )
                var ancient = People.child(village: fixture.village1a)
                ancient["categories"] = [["category": "left_behind_child", "startedOn": "0001-01-01"]]
                let unreadableDate = try await client.post("/v1/persons", json: ancient, token: cadre)
                #expect(unreadableDate.status == .badRequest)
                #expect(((try unreadableDate.json()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "categories[0].startedOn")
                let unreadable = try await client.post("/v1/persons", json: ["name": 5], token: cadre)
                #expect(unreadable.status == .badRequest)
                let anonymous = try await client.post("/v1/persons", json: People.child(village: fixture.village1a))
                #expect(anonymous.status == .unauthorized)
                let none = try await database.pool.query("select count(*) as n from person").first!.decode("n", as: Int.self)
                #expect(none == 0)
            }
        }
    }

    @Test("update with If-Match records a field-level history; a stale version answers 412 and changes nothing")
    func updateAndHistory() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let created = try await client.post("/v1/persons", json: People.child(village: fixture.village1a), token: cadre)
                let id = try #require(try created.json()["id"] as? String).lowercased()
                var file = try #require(try created.json()["file"] as? [String: Any])
                file["currentAddress"] = "甲村 99 号"
                file["riskLevel"] = "attention"
                let noIfMatch = try await client.send(.put, "/v1/persons/\(id)", json: file, token: cadre)
                #expect(noIfMatch.status == .preconditionRequired)
                let updated = try await client.send(.put, "/v1/persons/\(id)", json: file, token: cadre, headers: [.ifMatch: "\"1\""])
                #expect(updated.status == .ok, "\(updated.text)")
                #expect(updated.etag == "\"2\"")
                let echoed = try updated.decode(PersonRecord.self).file
                #expect(echoed.idNumber == file["idNumber"] as? String, "the masked echo kept the stored number")
                let kept = try await database.pool.query("select id_number_sealed is not null as sealed from person").first!.decode(
                    "sealed",
                    as: Bool.self
                )
                #expect(kept)

                file["currentAddress"] = "甲村 100 号"
                let stale = try await client.send(.put, "/v1/persons/\(id)", json: file, token: cadre, headers: [.ifMatch: "\"1\""])
                #expect(stale.status == .preconditionFailed)
                let after = try await client.send(.get, "/v1/persons/\(id)", token: cadre)
                #expect(try after.decode(PersonRecord.self).file.currentAddress == "甲村 99 号")

                let history = try await client.send(.get, "/v1/persons/\(id)/history", token: cadre)
                let items = try #require(try history.json()["items"] as? [[String: Any]])
                let address = items.first { $0["field"] as? String == "currentAddress" }
                #expect(address?["oldValue"] as? String == "甲村 12 号")
                #expect(address?["newValue"] as? String == "甲村 99 号")
                #expect(address?["accountName"] as? String == "village1a.cadre")
                #expect(items.contains { $0["field"] as? String == "riskLevel" && $0["newValue"] as? String == "attention" })
                #expect(items.contains { $0["action"] as? String == "create" })

                let timeline = try await client.send(.get, "/v1/persons/\(id)/timeline", token: cadre)
                let events = try #require(try timeline.json()["items"] as? [[String: Any]])
                #expect(events.map { $0["kind"] as? String } == ["person.update", "person.created"])
            }
        }
    }

    @Test("exit and re-activate keep the file; a re-activation clashing with a newer active file answers 409")
    func exitAndReactivate() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let created = try await client.post("/v1/persons", json: People.child(village: fixture.village1a), token: cadre)
                let id = try #require(try created.json()["id"] as? String).lowercased()
                let exited = try await client.send(
                    .post,
                    "/v1/persons/\(id)/exit",
                    json: ["reason": "parents_returned", "exitedOn": "2026-01-10"],
                    token: cadre,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect(exited.status == .ok, "\(exited.text)")
                #expect(try exited.json()["status"] as? String == "exited")
                let badReason = try await client.send(
                    .post,
                    "/v1/persons/\(id)/exit",
                    json: ["reason": "bored", "exitedOn": "2026-01-10"],
                    token: cadre,
                    headers: [.ifMatch: "\"2\""]
                )
                #expect(badReason.status == .badRequest)
                // The list shows files in the register unless asked for exited ones or all.
                func listed(_ query: String) async throws -> [String] {
                    let page = try await client.send(.get, "/v1/persons\(query)", token: cadre)
                    #expect(page.status == .ok, "\(page.text)")
                    return ((try page.json()["items"] as? [[String: Any]]) ?? []).compactMap { ($0["id"] as? String)?.lowercased() }
                }
                #expect(try await listed("").isEmpty)
                #expect(try await listed("?status=exited") == [id])
                #expect(try await listed("?status=all") == [id])
                #expect(try await client.send(.get, "/v1/persons?status=gone", token: cadre).status == .badRequest)
                let again = try await client.post("/v1/persons", json: People.child(village: fixture.village1a), token: cadre)
                #expect(again.status == .created, "an exited file does not block a new one")
                let clash = try await client.send(.post, "/v1/persons/\(id)/reactivate", token: cadre, headers: [.ifMatch: "\"2\""])
                #expect(clash.status == .conflict)
                let newID = try #require(try again.json()["id"] as? String).lowercased()
                _ = try await client.send(
                    .post,
                    "/v1/persons/\(newID)/exit",
                    json: ["reason": "moved_away", "exitedOn": "2026-02-01"],
                    token: cadre,
                    headers: [.ifMatch: "\"1\""]
                )
                let back = try await client.send(.post, "/v1/persons/\(id)/reactivate", token: cadre, headers: [.ifMatch: "\"2\""])
                #expect(back.status == .ok, "\(back.text)")
                #expect(try back.json()["status"] as? String == "active")
                let count = try await database.pool.query("select count(*) as n from person").first!.decode("n", as: Int.self)
                #expect(count == 2)
            }
        }
    }

    @Test("a grid worker files a person into a micro-grid of their grid, not into another village's grid")
    func microGrid() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let micro = try await seeder.unit(.grid, name: "甲村一组一格", parent: fixture.grid1a)
            let foreign = try await seeder.unit(.grid, name: "乙村一组", parent: fixture.village1b)
            try await PlatformApp.make(database).test(.router) { client in
                let worker = try await client.login("grid1a.worker")
                let filed = try await client.post("/v1/persons", json: People.child(village: fixture.village1a, grid: micro), token: worker)
                #expect(filed.status == .created, "\(filed.text)")
                let cadre = try await client.login("town1.admin")
                let wrong = try await client.post(
                    "/v1/persons",
                    json: People.child(sequence: 125, village: fixture.village1a, grid: foreign),
                    token: cadre
                )
                #expect(wrong.status == .unprocessableContent)
                #expect(((try wrong.json()["errors"] as? [[String: Any]]) ?? []).contains { $0["field"] as? String == "gridId" })
            }
        }
    }
}
