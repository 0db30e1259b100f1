import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Volunteer register")
struct VolunteerRegisterTests {
    @Test("register, retry, masked ID number, bad input, change with If-Match, other town")
    func register() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await VolunteerWorld.make(database, client: client)
                let id = UUID()
                let body = VolunteerWorld.volunteer(
                    id: id,
                    name: "孙老师",
                    unit: world.fixture.village1a,
                    organisation: "teacher",
                    screening: "passed",
                    sequence: 311
                )
                // A line break after the phone is not part of a phone (the table's pattern refuses it too).
                var trailing = body
                trailing["phone"] = "13600136000\n"
                let refused = try await client.post("/v1/volunteers", json: trailing, token: world.cadre)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                #expect(try refused.decode(Answer.Problem.self).fields == ["phone"])
                let created = try await client.post("/v1/volunteers", json: body, token: world.cadre)
                #expect(created.status == .created, "\(created.text)")
                let json = try created.json()
                let number = People.idNumber(born: "1980-06-06", sequence: 311)
                #expect(json["idNumber"] as? String == "341122********" + String(number.suffix(4)))
                #expect(!created.text.contains(People.idNumber(born: "1980-06-06", sequence: 311)))
                // Phones are answered masked like every other phone.
                #expect(json["phone"] as? String == "136****6000")
                #expect(!created.text.contains("13600136000"))
                let sealed = try await database.pool.query("select id_number_sealed::text as s from volunteer where id = \(id)").first!.decode(
                    "s",
                    as: String.self
                )
                #expect(!sealed.contains("341122"))
                let racing = try JSONSerialization.data(
                    withJSONObject: VolunteerWorld.volunteer(
                        name: "周",
                        unit: world.fixture.village1a,
                        screening: "pending",
                        sequence: 319
                    )
                )
                async let first = client.send(.post, "/v1/volunteers", body: racing, contentType: "application/json", token: world.cadre)
                async let second = client.send(.post, "/v1/volunteers", body: racing, contentType: "application/json", token: world.cadre)
                #expect([try await first.status.code, try await second.status.code].sorted() == [200, 201])
                let retried = try await client.post("/v1/volunteers", json: body, token: world.cadre)
                #expect(retried.status == .ok)
                var changed = body
                changed["name"] = "孙老师二"
                #expect(try await client.post("/v1/volunteers", json: changed, token: world.cadre).status == .conflict)
                #expect(try await database.pool.query("select count(*) as n from volunteer").first!.decode("n", as: Int.self) == 5)

                var bad = VolunteerWorld.volunteer(name: " ", unit: world.fixture.school1, screening: "passed", sequence: 312)
                bad["idNumber"] = "341122198006063120"
                bad.removeValue(forKey: "screenedOn")
                let rejected = try await client.post("/v1/volunteers", json: bad, token: world.cadre)
                #expect(rejected.status == .unprocessableContent)
                #expect(Set(try VolunteerWorld.fields(rejected)) == ["name", "unitId", "idNumber", "screenedOn"])
                let unknown = try await client.post("/v1/volunteers", json: ["id": UUID().uuidString, "name": "x"], token: world.cadre)
                #expect(unknown.status == .badRequest)
                let duplicateID = VolunteerWorld.volunteer(name: "又一个", unit: world.fixture.town1, screening: "pending", sequence: 301)
                let taken = try await client.post("/v1/volunteers", json: duplicateID, token: world.townAdmin)
                #expect(try VolunteerWorld.fields(taken) == ["idNumber"])
                // A village cadre registers only in their own village, and reads the town's register.
                let aboveMe = try await client.post(
                    "/v1/volunteers",
                    json: VolunteerWorld.volunteer(
                        name: "钱",
                        unit: world.fixture.town1,
                        screening: "pending",
                        sequence: 313
                    ),
                    token: world.cadre
                )
                #expect(try VolunteerWorld.fields(aboveMe) == ["unitId"])
                let list = try await client.send(.get, "/v1/volunteers?screening=passed", token: world.cadre)
                let names = try list.decode(ItemsBody<NamedBody>.self).items.map(\.name)
                #expect(names.sorted() == ["孙老师", "张志愿"])

                // Change: screening passes, with If-Match.
                let uri = "/v1/volunteers/\(world.pending)"
                var update = VolunteerWorld.volunteer(
                    name: "李学生",
                    unit: world.fixture.town1,
                    organisation: "student",
                    screening: "passed",
                    sequence: 302
                )
                update.removeValue(forKey: "id")
                update.removeValue(forKey: "idNumber")
                #expect(try await client.send(.put, uri, json: update, token: world.townAdmin).status == .preconditionRequired)
                #expect(
                    try await client.send(.put, uri, json: update, token: world.townAdmin, headers: [.ifMatch: "\"9\""]).status == .preconditionFailed
                )
                let notMine = try await client.send(.put, uri, json: update, token: world.cadre, headers: [.ifMatch: "\"1\""])
                #expect(notMine.status == .forbidden, "\(notMine.text)")
                let raw = try JSONSerialization.data(withJSONObject: update)
                async let one = client.send(
                    .put,
                    uri,
                    body: raw,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                async let two = client.send(
                    .put,
                    uri,
                    body: raw,
                    contentType: "application/json",
                    token: world.townAdmin,
                    headers: [.ifMatch: "\"1\""]
                )
                #expect([try await one.status.code, try await two.status.code].sorted() == [200, 412])
                let read = try await client.send(.get, uri, token: world.townAdmin)
                #expect(read.etag == "\"2\"")
                #expect(try read.json()["screening"] as? String == "passed")
                // Omitted on change: the stored number stays.
                #expect(
                    try read.json()["idNumber"] as? String == "341122********" + String(People.idNumber(born: "1980-06-06", sequence: 302).suffix(4))
                )
                let audit = try await database.pool.query("select count(*) as n from audit_log where action = 'volunteer.change'").first!
                #expect(try audit.decode("n", as: Int.self) == 1)
                // The list masks phones; a reveal with a reason shows the number and is audited; without a reason 422.
                let listed = try await client.send(.get, "/v1/volunteers", token: world.townAdmin)
                #expect(!listed.text.contains("13600136000"))
                #expect(listed.text.contains("136****6000"))
                #expect(try await client.send(.get, uri + "?reveal=identifiers", token: world.townAdmin).status == .unprocessableContent)
                let revealed = try await client.send(
                    .get,
                    uri + "?reveal=identifiers&reason=%E7%94%B5%E8%AF%9D%E5%AE%89%E6%8E%92%E8%B5%B0%E8%AE%BF",
                    token: world.townAdmin
                )
                #expect(revealed.status == .ok)
                #expect(try revealed.json()["phone"] as? String == "13600136000")
                let reveals = try await database.pool.query(
                    "select count(*) as n from audit_log where action = 'identifiers.reveal' and resource = 'volunteer'"
                ).first!
                #expect(try reveals.decode("n", as: Int.self) == 1)
                // Sending back the masked phone as answered keeps the stored number.
                var roundTrip = update
                roundTrip["phone"] = "136****6000"
                roundTrip["availability"] = "工作日晚上"
                let kept = try await client.send(.put, uri, json: roundTrip, token: world.townAdmin, headers: [.ifMatch: "\"2\""])
                #expect(kept.status == .ok, "\(kept.text)")
                let stored = try await database.pool.query("select phone from volunteer where id = \(UUID(uuidString: world.pending)!)").first!
                #expect(try stored.decode("phone", as: String.self) == "13600136000")

                // The other town's cadre sees none of it.
                let otherCadre = try await client.login("village2a.cadre")
                #expect(try await client.send(.get, uri, token: otherCadre).status == .notFound)
                #expect(try await client.send(.put, uri, json: update, token: otherCadre, headers: [.ifMatch: "\"3\""]).status == .notFound)
                let theirs = try await client.send(.get, "/v1/volunteers", token: otherCadre)
                #expect(((try theirs.json()["items"] as? [Any]) ?? [1]).isEmpty)
                #expect(try await client.send(.get, "/v1/volunteers", token: nil).status == .unauthorized)
            }
        }
    }
}
