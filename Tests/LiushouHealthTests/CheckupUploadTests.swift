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

@Suite("Checkup uploads")
struct CheckupUploadTests {
    @Test("plausibility: each implausible value is rejected with its field and the allowed range")
    func plausibility() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let high = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(measurements: [
                        ["name": "systolic", "value": 400, "unit": "mmHg"], ["name": "weight_kg", "value": 60, "unit": "斤"],
                        ["name": "iq", "value": 100, "unit": "points"], ["name": "hemoglobin", "value": 12, "unit": "g/L"],
                    ]),
                    token: world.clinic
                )
                #expect(high.status == .unprocessableContent)
                let errors = try high.decode(Answer.Problem.self).errors ?? []
                #expect(errors.map(\.field) == ["measurements[0].value", "measurements[1].unit", "measurements[2].name", "measurements[3].value"])
                // A clinic's staff read these: in Chinese, unless the request asks for English.
                #expect(errors.first?.message == "应在 50–260 mmHg 之间")
                #expect(errors.last?.message == "应在 30–250 g/L 之间")
                let english = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(measurements: [
                        ["name": "systolic", "value": 400, "unit": "mmHg"]
                    ]),
                    token: world.clinic,
                    headers: [.acceptLanguage: "en"]
                )
                #expect(try english.decode(Answer.Problem.self).errors?.first?.message == "must be within 50–260 mmHg")
                let inverted = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(measurements: [
                        ["name": "systolic", "value": 90, "unit": "mmHg"], ["name": "diastolic", "value": 95, "unit": "mmHg"],
                    ]),
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(inverted) == ["measurements[1].value"])
                let reversed = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(measurements: [
                        ["name": "diastolic", "value": 95, "unit": "mmHg"], ["name": "systolic", "value": 90, "unit": "mmHg"],
                    ]),
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(reversed) == ["measurements[0].value"])
                var future = HealthWorld.checkup(daysAgo: -2)
                future["clinician"] = ""
                future.removeValue(forKey: "idNumber")
                #expect(
                    Set(try HealthWorld.fields(try await client.post("/v1/checkups", json: future, token: world.clinic)))
                        == ["checkedOn", "clinician", "personId"]
                )
                let badID = try await client.post("/v1/checkups", json: HealthWorld.checkup(idNumber: "341122194802022240"), token: world.clinic)
                #expect(try HealthWorld.fields(badID) == ["idNumber"])
                let male = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(person: world.child, kind: "women_screening"),
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(male) == ["kind"])
                #expect(try await client.post("/v1/checkups", json: ["recordId": "x"], token: world.clinic).status == .badRequest)
                #expect(try await database.pool.query("select count(*) as n from checkup").first!.decode("n", as: Int.self) == 0)
            }
        }
    }

    @Test("a checkup dated before the person's birth is refused naming checkedOn")
    func beforeBirth() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let born = LocalDate(daysSince1970: HealthWorld.today.daysSince1970 - 400).description
                let baby = try await client.post(
                    "/v1/persons",
                    json: People.child(name: "小宝", born: born, sequence: 131, village: world.fixture.village1a),
                    token: world.cadre
                )
                #expect(baby.status == .created, "\(baby.text)")
                let id = try #require(try baby.json()["id"] as? String)
                let items = [
                    HealthWorld.checkup(record: "B1", person: id, kind: "child_health", daysAgo: 500, measurements: []),
                    HealthWorld.checkup(record: "B2", person: id, kind: "child_health", daysAgo: 300, measurements: []),
                ]
                let answer = try await client.post("/v1/checkups/batch", json: ["items": items], token: world.clinic).decode(Answer.Batch.self)
                #expect(answer.results.map(\.status) == ["rejected", "created"])
                #expect(answer.results.first?.fields == ["checkedOn"])
            }
        }
    }

    @Test("a JSON batch with mixed rows answers each; re-upload is idempotent; changed content conflicts")
    func mixedBatch() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let items: [[String: Any]] = [
                    HealthWorld.checkup(record: "R1"),
                    HealthWorld.checkup(record: "R2", idNumber: HealthWorld.womanID, kind: "women_screening", measurements: []),
                    HealthWorld.checkup(record: "R3", measurements: [["name": "glucose", "value": 80, "unit": "mmol/L"]]),
                    HealthWorld.checkup(record: "R4", idNumber: HealthWorld.otherID, kind: "child_health"),
                    ["recordId": "R5", "kind": "x-ray"],
                    HealthWorld.checkup(record: "R1", person: world.woman),
                ]
                let first = try await client.post("/v1/checkups/batch", json: ["items": items], token: world.clinic)
                #expect(first.status == .ok, "\(first.text)")
                let answer = try first.decode(Answer.Batch.self)
                #expect(answer.created == 2)
                #expect(answer.rejected == 4)
                let results = answer.results
                try #require(results.count == 6)
                #expect(results.map(\.status) == ["created", "created", "rejected", "rejected", "rejected", "rejected"])
                let fields = results.map(\.fields)
                #expect(fields[2] == ["measurements[0].value"])
                #expect(fields[3] == ["idNumber"])
                #expect(fields[4] == ["items[4]"])
                #expect(fields[5] == ["recordId"])
                // The same batch again (a retry after a timeout): duplicates, nothing new.
                let again = try await client.post("/v1/checkups/batch", json: ["items": Array(items.prefix(2))], token: world.clinic)
                #expect(try again.decode(Answer.Batch.self).duplicate == 2)
                var changed = HealthWorld.checkup(record: "R1")
                changed["findings"] = "正常"
                let conflict = try await client.post("/v1/checkups/batch", json: ["items": [changed]], token: world.clinic)
                #expect(try conflict.decode(Answer.Batch.self).conflict == 1)
                #expect(try await client.post("/v1/checkups", json: changed, token: world.clinic).status == .conflict)
                // Naming the person by id instead of ID number is the same record.
                #expect(
                    try await client.post(
                        "/v1/checkups",
                        json: HealthWorld.checkup(record: "R1", idNumber: nil, person: world.elder),
                        token: world.clinic
                    ).status == .ok
                )
                #expect(try await database.pool.query("select count(*) as n from checkup").first!.decode("n", as: Int.self) == 2)
                let tooMany = try await client.post(
                    "/v1/checkups/batch",
                    json: ["items": Array(repeating: items[0], count: 5001)],
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(tooMany) == ["items"])
            }
        }
    }

    @Test("CSV uploads from a clinic system, in UTF-8 or GBK, with per-row answers")
    func csv() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let day = LocalDateText.daysAgo(5)
                let text = """
                    recordId,idNumber,checkedOn,kind,clinician,followUpNeeded,diagnoses,systolic,diastolic,glucose
                    C1,\(HealthWorld.elderID),\(day),elder_annual,王医生,否,高血压；糖尿病,150,95,7.2
                    C2,\(HealthWorld.womanID),\(day),women_screening,李医生,是,,,,
                    C3,\(HealthWorld.elderID),\(day),elder_annual,王医生,maybe,,,,
                    C4,\(HealthWorld.elderID),\(day),elder_annual,王医生,否,,300,,

                    """
                let response = try await client.send(.post, "/v1/checkups/batch", body: Data(text.utf8), contentType: "text/csv", token: world.clinic)
                #expect(response.status == .ok, "\(response.text)")
                let results = try response.decode(Answer.Batch.self).results
                try #require(results.count == 4)
                #expect(results.map(\.status) == ["created", "created", "rejected", "rejected"])
                let third = results[2].fields
                #expect(third == ["line 4: followUpNeeded"])
                let stored = try await database.pool.query(
                    "select diagnoses, measurements->'glucose'->>'value' as glucose from checkup where record_id = 'C1'"
                ).first!
                #expect(try stored.decode("diagnoses", as: [String].self) == ["高血压", "糖尿病"])
                #expect(try stored.decode("glucose", as: String.self) == "7.2")
                let gbk = try TextDecodingFixture.gbk(text.replacingOccurrences(of: "C1", with: "G1"))
                let again = try await client.send(.post, "/v1/checkups/batch", body: gbk, contentType: "text/csv", token: world.clinic)
                    .decode(Answer.Batch.self)
                #expect(again.created == 1)
                #expect(again.duplicate == 1)
                let unknown = try await client.send(
                    .post,
                    "/v1/checkups/batch",
                    body: Data("recordId,bloodType\nX,A\n".utf8),
                    contentType: "text/csv",
                    token: world.clinic
                )
                #expect(unknown.status == .badRequest)
                #expect(try HealthWorld.fields(unknown) == ["bloodType"])
                // A header ending in a comma and rows of empty cells, as Excel saves them: the empty column and rows are ignored.
                let excel = try await client.send(
                    .post,
                    "/v1/checkups/batch",
                    body: Data(
                        "recordId,idNumber,checkedOn,kind,clinician,followUpNeeded,\nE1,\(HealthWorld.elderID),\(day),elder_annual,王医生,否,\n,,,,,,\n"
                            .utf8
                    ),
                    contentType: "text/csv",
                    token: world.clinic
                )
                #expect(excel.status == .ok, "\(excel.text)")
                #expect(try excel.decode(Answer.Batch.self).results.map(\.status) == ["created"])
                // A NUL in a cell refuses its row; the others are stored.
                let nul = try await client.send(
                    .post,
                    "/v1/checkups/batch",
                    body: Data(
                        """
                        recordId,idNumber,checkedOn,kind,clinician,followUpNeeded,findings
                        N1,\(HealthWorld.elderID),\(day),elder_annual,王医生,否,正常\u{0}
                        N2,\(HealthWorld.elderID),\(day),elder_annual,王医生,否,正常

                        """.utf8
                    ),
                    contentType: "text/csv",
                    token: world.clinic
                )
                #expect(nul.status == .ok, "\(nul.text)")
                let answers = try nul.decode(Answer.Batch.self).results
                #expect(answers.map(\.status) == ["rejected", "created"])
                #expect(answers.first?.fields == ["line 2: findings"])
            }
        }
    }

    @Test("a clinic uploads only for people of the villages it serves, also through its service account")
    func serviceArea() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let notServed = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(idNumber: nil, person: world.elderInB),
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(notServed) == ["personId"])
                let otherTown = try await client.post(
                    "/v1/checkups",
                    json: HealthWorld.checkup(idNumber: HealthWorld.otherID, kind: "child_health"),
                    token: world.clinic
                )
                #expect(try HealthWorld.fields(otherTown) == ["idNumber"])
                var elsewhere = HealthWorld.checkup()
                elsewhere["clinicId"] = world.fixture.school1.idString
                #expect(try HealthWorld.fields(try await client.post("/v1/checkups", json: elsewhere, token: world.clinic)) == ["clinicId"])
                let admin = try await client.login("town1.admin")
                let service = try await client.post(
                    "/v1/service-accounts",
                    json: [
                        "username": "clinic1.his", "displayName": "卫生院HIS", "homeUnitId": world.fixture.clinic1.idString,
                        "grants": [["role": "clinic_staff", "unitId": world.fixture.clinic1.idString]], "tokenLabel": "HIS upload",
                    ],
                    token: admin
                )
                let token = try #require(try service.json()["token"] as? String)
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(), token: token).status == .created)
                let stranger = try await client.post("/v1/checkups", json: HealthWorld.checkup(idNumber: nil, person: world.elderInB), token: token)
                #expect(try HealthWorld.fields(stranger) == ["personId"])
                // Only clinics upload.
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(), token: world.cadre).status == .forbidden)
                #expect(try await client.post("/v1/checkups/batch", json: ["items": []], token: world.cadre).status == .forbidden)
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(), token: nil).status == .unauthorized)
            }
        }
    }

    @Test("a finding that needs follow-up opens one for the clinic and one for the village cadre, without clinical details")
    func followUps() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await HealthWorld.make(database, client: client)
                let before = Int64(Date().timeIntervalSince1970 * 1000) - 1000
                #expect(try await client.post("/v1/checkups", json: HealthWorld.checkup(followUp: true), token: world.clinic).status == .created)
                // Its follow-ups and timeline event get time-ordered ids (migration 0053), made during the call.
                let after = Int64(Date().timeIntervalSince1970 * 1000) + 1000
                let made = try await database.pool.query(
                    """
                    select id::text as id from follow_up where checkup_id is not null
                    union all
                    select e.id::text from person_event e join checkup c on e.record_id = c.id::text
                    """
                ).map { try $0.decode("id", as: String.self) }
                #expect(made.count == 3)
                for id in made {
                    let ms = try #require(Int64(id.replacingOccurrences(of: "-", with: "").prefix(12), radix: 16))
                    #expect(Array(id)[14] == "7" && (before...after).contains(ms), "version 7, made during the call: \(id)")
                }
                #expect(
                    try await client.post("/v1/checkups", json: HealthWorld.checkup(record: "N1", followUp: false), token: world.clinic).status
                        == .created
                )
                let routed = try await database.pool.query("select routed_role from follow_up where need = 'health' order by routed_role").map {
                    try $0.decode("routed_role", as: String.self)
                }
                #expect(routed == ["clinic_staff", "village_cadre"])
                let cadreView = try await client.send(.get, "/v1/follow-ups", token: world.cadre)
                let items = try cadreView.decode(Answer.Items<Answer.FollowUp>.self).items
                #expect(items.count == 1)
                #expect(items.first?.need == "health")
                #expect(items.first?.checkupId != nil)
                #expect(!cadreView.text.contains("高血压") && !cadreView.text.contains("血压偏高"))
                // The town lists both, as the dashboard counts both: the clinic's read only (it cannot resolve it, nor read
                // the clinic's resolution), the cadre's to resolve.
                let town = try await client.login("town1.admin")
                let townView = try await client.send(.get, "/v1/follow-ups", token: town)
                let townItems = try townView.decode(Answer.Items<Answer.FollowUp>.self).items.sorted { $0.routedRole < $1.routedRole }
                #expect(townItems.map(\.routedRole) == ["clinic_staff", "village_cadre"])
                #expect(townItems.map(\.canResolve) == [false, true])
                let open = try await database.pool.query("select count(*)::int as n from follow_up where status = 'open'").first!.decode(
                    "n",
                    as: Int.self
                )
                #expect(townItems.count == open)
                let clinical = try #require(townItems.first)
                let clinicalID = clinical.id
                let refused = try await client.post(
                    "/v1/follow-ups/\(clinicalID)/resolve",
                    json: ["resolution": "已电话随访"],
                    token: town,
                    headers: [.ifMatch: "\"\(clinical.version)\""]
                )
                #expect(refused.status == .forbidden)
                let clinicView = try await client.send(.get, "/v1/follow-ups", token: world.clinic)
                let clinicItems = try clinicView.decode(Answer.Items<Answer.FollowUp>.self).items
                #expect(clinicItems.count == 1)
                #expect(clinicItems.first?.canResolve == true)
                let resolved = try await client.post(
                    "/v1/follow-ups/\(clinicalID)/resolve",
                    json: ["resolution": "血压复查 150/95，调整用药"],
                    token: world.clinic,
                    headers: [.ifMatch: "\"\(clinical.version)\""]
                )
                #expect(resolved.status == .ok, "\(resolved.text)")
                let townResolved = try await client.send(.get, "/v1/follow-ups?status=resolved", token: town)
                #expect(try townResolved.decode(Answer.Items<Answer.FollowUp>.self).items.count == 1)
                #expect(!townResolved.text.contains("调整用药"))
                let timeline = try await client.send(.get, "/v1/persons/\(world.elder)/timeline", token: world.cadre)
                #expect(timeline.text.contains("需要随访"))
                #expect(!timeline.text.contains("高血压"))
            }
        }
    }
}

enum LocalDateText {
    static func daysAgo(_ days: Int) -> String {
        LocalDate(daysSince1970: HealthWorld.today.daysSince1970 - days).description
    }
}

enum TextDecodingFixture {
    static func gbk(_ text: String) throws -> Data {
        try TextDecoding.encodeGB18030(text)
    }
}
