import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouTestSupport
import Testing

@Suite("Contact cards and households")
struct ContactCardAndHouseholdTests {
    @Test("the contact card is an A6 HTML page in Chinese with guardian, parents, cadres, volunteer, clinic and hotlines")
    func contactCard() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                var body = People.child(name: "<b>王小明</b>", village: fixture.village1a, grid: fixture.grid1a)
                // `<` followed by a combining mark is one Character: escaped all the same.
                body["responsibleCadre"] = ["name": "包保干部<\u{301}i>", "phone": "13600136000"]
                let created = try await client.post("/v1/persons", json: body, token: cadre)
                let id = try #require(try created.json()["id"] as? String)
                try await database.pool.query(
                    "insert into clinic_service_area (clinic_id, village_id) values (\(fixture.clinic1.id), \(fixture.village1a.id))"
                )
                let volunteer = try await database.pool.query("select id from account where username = 'village1a.volunteer'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.query(
                    """
                    insert into person_assignment (id, person_id, account_id, unit_id, source)
                    values (\(UUID()), \(UUID(uuidString: id)!), \(volunteer), \(fixture.village1a.id), 'pairing')
                    """
                )
                let card = try await client.send(
                    .get,
                    "/v1/persons/\(id)/contact-card?reveal=identifiers&reason=%E6%89%93%E5%8D%B0%E8%81%94%E7%B3%BB%E5%8D%A1",
                    token: cadre
                )
                #expect(card.status == .ok)
                #expect(card.headers[.contentType] == "text/html; charset=utf-8")
                let html = card.text
                #expect(html.hasPrefix("<!DOCTYPE html>"))
                #expect(html.contains("<html lang=\"zh-CN\">"))
                #expect(html.contains("size: A6"))
                #expect(html.contains("&lt;b&gt;王小明&lt;/b&gt;"), "names are escaped")
                #expect(!html.contains("<b>王小明</b>"))
                #expect(html.contains("包保干部&lt;\u{301}i&gt;"), "marked brackets are escaped")
                #expect(!html.contains("<\u{301}i>"))
                for expected in [
                    "便民服务联系卡", "甲村", "监护人（祖父）", "王大爷", "13800138000", "父亲（外出）", "浙江省 宁波市 某电子厂", "13900139000",
                    "包保责任人", "13600136000", "网格员", "grid1a.worker", "结对志愿者", "village1a.volunteer", "一乡卫生院", "<b>110</b>",
                    "<b>120</b>", "12355",
                ] {
                    #expect(html.contains(expected), "card shows \(expected)")
                }
                #expect(html.components(separatedBy: "<tr>").count == html.components(separatedBy: "</tr>").count)
                let masked = try await client.send(.get, "/v1/persons/\(id)/contact-card", token: cadre)
                #expect(masked.text.contains("138****8000"))
                // A page of personal data runs no script and cannot be framed; its one style sheet is allowed by digest.
                let policy = try #require(masked.headers[HTTPField.Name("Content-Security-Policy")!])
                let styleText = try #require(masked.text.components(separatedBy: "<style>").last?.components(separatedBy: "</style>").first)
                #expect(policy.contains("'sha256-\(Data(SHA256.hash(data: Data(styleText.utf8))).base64EncodedString())'"), "\(policy)")
                #expect(policy.hasPrefix("default-src 'none'") && policy.contains("frame-ancestors 'none'"))
                #expect(!masked.text.contains("13800138000"))
                // The volunteer's phone from the register, masked as the file's phones are; none is printed
                // masked without the card saying so.
                let town = try await client.login("town1.admin")
                let registered = try await client.post(
                    "/v1/volunteers",
                    json: [
                        "id": UUID().uuidString, "unitId": fixture.town1.idString, "name": "张志愿", "phone": "13600136001",
                        "organisation": "party_member", "screening": "passed", "screenedOn": "2026-01-10", "accountId": volunteer.uuidString,
                    ],
                    token: town
                )
                #expect(registered.status == .created, "\(registered.text)")
                let withPhone = try await client.send(
                    .get,
                    "/v1/persons/\(id)/contact-card?reveal=identifiers&reason=%E6%89%93%E5%8D%B0%E8%81%94%E7%B3%BB%E5%8D%A1",
                    token: cadre
                )
                #expect(withPhone.text.contains("13600136001"))
                #expect(!withPhone.text.contains("已掩码"))
                let maskedPhone = try await client.send(.get, "/v1/persons/\(id)/contact-card", token: cadre).text
                #expect(maskedPhone.contains("136****6001"))
                #expect(!maskedPhone.contains("13600136001"))
                #expect(maskedPhone.contains("本卡号码已掩码"))
                // A person in a micro-grid under 甲村一组 gets the worker who holds 甲村一组.
                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                let micro = try await seeder.unit(.grid, name: "甲村一组东片", parent: fixture.grid1a)
                var microBody = People.child(name: "李小红", sequence: 125, village: fixture.village1a)
                microBody["gridId"] = micro.idString
                let inMicro = try await client.post("/v1/persons", json: microBody, token: cadre)
                #expect(inMicro.status == .created, "\(inMicro.text)")
                let microID = try #require(try inMicro.json()["id"] as? String)
                let microCard = try await client.send(.get, "/v1/persons/\(microID)/contact-card", token: cadre).text
                #expect(microCard.contains("grid1a.worker"), "\(microCard)")
                let other = try await client.login("town1.admin")
                #expect(try await client.send(.get, "/v1/persons/\(UUID().uuidString)/contact-card", token: other).status == .notFound)
            }
        }
    }

    @Test("households: create with a client id (retry-safe), unique number per village, members listed, scope enforced")
    func households() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let id = UUID().uuidString.lowercased()
                let body: [String: Any] = ["id": id, "villageId": fixture.village1a.idString, "code": "H009", "address": "甲村 9 号"]
                let created = try await client.post("/v1/households", json: body, token: cadre)
                #expect(created.status == .created, "\(created.text)")
                #expect(try await client.post("/v1/households", json: body, token: cadre).status == .ok)
                let clash = try await client.post(
                    "/v1/households",
                    json: ["villageId": fixture.village1a.idString, "code": "H009", "address": "别处"],
                    token: cadre
                )
                #expect(clash.status == .conflict)
                // Without an id, an Idempotency-Key makes the retry safe: the same household, answered 200;
                // the same key with another address is 409; another user's same key is their own household.
                let keyed: [String: Any] = ["villageId": fixture.village1a.idString, "address": "甲村 10 号"]
                let first = try await client.post("/v1/households", json: keyed, token: cadre, headers: [.idempotencyKey: "add-h10"])
                #expect(first.status == .created, "\(first.text)")
                let retry = try await client.post("/v1/households", json: keyed, token: cadre, headers: [.idempotencyKey: "add-h10"])
                #expect(retry.status == .ok, "\(retry.text)")
                #expect(try retry.json()["id"] as? String == (try first.json()["id"] as? String))
                var changed = keyed
                changed["address"] = "甲村 11 号"
                #expect(
                    try await client.post("/v1/households", json: changed, token: cadre, headers: [.idempotencyKey: "add-h10"]).status == .conflict
                )
                let other = try await client.post(
                    "/v1/households",
                    json: keyed,
                    token: client.login("town1.admin"),
                    headers: [.idempotencyKey: "add-h10"]
                )
                #expect(other.status == .created, "\(other.text)")
                #expect(try await client.post("/v1/households", json: keyed, token: cadre, headers: [.idempotencyKey: ""]).status == .badRequest)
                // A derived id cannot be taken by sending it as one's own: that would block the keyed create for good.
                var squatting = keyed
                squatting["id"] = try #require(try first.json()["id"] as? String)
                let squatted = try await client.post("/v1/households", json: squatting, token: client.login("town1.admin"))
                #expect(squatted.status == .unprocessableContent && squatted.text.contains("\"id\""), "\(squatted.text)")
                let blank = try await client.post("/v1/households", json: ["villageId": fixture.village1a.idString, "address": " "], token: cadre)
                #expect(blank.status == .unprocessableContent)
                #expect(try blank.json()["errors"].map { "\($0)" }?.contains("address") == true)
                // 101 characters with combining marks are 202 code points, which the table's check counts.
                let long = try await client.post(
                    "/v1/households",
                    json: ["villageId": fixture.village1a.idString, "address": String(repeating: "村\u{301}", count: 101)],
                    token: cadre
                )
                #expect(long.status == .unprocessableContent, "\(long.text)")
                #expect(try long.json()["errors"].map { "\($0)" }?.contains("address") == true)
                let foreign = try await client.post("/v1/households", json: ["villageId": fixture.village2a.idString, "address": "丙村"], token: cadre)
                #expect(foreign.status == .unprocessableContent)
                // With a grid named, another town's village still reads as one that does not exist.
                let grid = fixture.grid1a.idString
                let foreignWithGrid = try await client.post(
                    "/v1/households",
                    json: ["villageId": fixture.village2a.idString, "gridId": grid, "address": "丙村"],
                    token: cadre
                )
                let missingWithGrid = try await client.post(
                    "/v1/households",
                    json: ["villageId": UUID().uuidString, "gridId": grid, "address": "丙村"],
                    token: cadre
                )
                #expect(foreignWithGrid.status == .unprocessableContent)
                let foreignErrors = try foreignWithGrid.decode(Answer.Problem.self).errors
                #expect(foreignErrors == (try missingWithGrid.decode(Answer.Problem.self).errors), "\(foreignWithGrid.text)")
                var person = People.child(village: fixture.village1a)
                person["householdId"] = id
                #expect(try await client.post("/v1/persons", json: person, token: cadre).status == .created)
                let read = try await client.send(.get, "/v1/households/\(id)", token: cadre)
                #expect(read.status == .ok)
                #expect(((try read.json()["members"] as? [[String: Any]]) ?? []).count == 1)
                let auditor = try await client.login("county.auditor")
                #expect(try await client.send(.get, "/v1/households/\(id)", token: auditor).status == .forbidden)
                let otherTown = try await client.login("town1.admin")
                #expect(try await client.send(.get, "/v1/households/\(id)", token: otherTown).status == .ok)
                let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
                try await seeder.user(
                    "village2a.cadre",
                    password: PlatformFixture.password,
                    home: fixture.village2a,
                    grants: [(.villageCadre, fixture.village2a)]
                )
                let stranger = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, "/v1/households/\(id)", token: stranger).status == .notFound)
                #expect(try await client.send(.get, "/v1/households/\(id)").status == .unauthorized)
            }
        }
    }
}
