import Foundation
import HTTPTypes
import LiushouPlatform
import LiushouPostgres

extension DemoHistory {
    /// Every child at school is on the school's roll since the September they started; one child
    /// transfers between the demo schools and one drops out (a dropout case opens).
    mutating func enrol() async throws {
        let today = self.run.today.today
        let yearStart = today.month >= 9 ? today.year : today.year - 1
        let pupils = self.people.filter { $0.school != nil }
        let run = self.run
        try await run.each(pupils) { person in
            guard let school = person.school, let stage = person.stage else { return }
            let grade =
                stage == "kindergarten"
                ? max(1, min(3, person.age - 2)) : (stage == "primary" ? max(1, min(6, person.age - 5)) : max(1, min(3, person.age - 11)))
            let bytes = person.id.uuid
            let rowID = UUID(
                uuid: (
                    bytes.0 ^ 0x5A, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5, bytes.6, bytes.7, bytes.8, bytes.9, bytes.10, bytes.11, bytes.12,
                    bytes.13, bytes.14, bytes.15
                )
            )
            try await run.api.expect(
                .post,
                "/v1/enrolments",
                json: [
                    "id": rowID.uuidString.lowercased(), "personId": person.id.uuidString.lowercased(),
                    "schoolId": run.id(run.county.schools[school].id),
                    "stage": stage, "grade": grade, "boarding": false, "className": "\(grade)（\(1 + (person.village % 2))）班",
                    "enrolledOn": "\(yearStart - grade + 1)-09-01",
                ],
                token: run.token(run.county.teachers[school])
            )
        }
        self.counts["enrolments"] = pupils.count
        let rolls = pupils.filter { $0.school == 0 && $0.stage == "primary" }
        if let moving = rolls.dropFirst(5).first {
            self.leftRoll.insert(moving.id)
            let row = try await self.row(of: moving, token: run.token(run.county.teachers[0]))
            try await run.api.expect(
                .post,
                "/v1/enrolments/\(row)/status-changes",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(), "toStatus": "transferred_out",
                    "effectiveOn": run.today.date(daysAgo: 12).description,
                    "reason": "随祖父母搬到双河乡居住", "toSchoolId": run.id(run.county.schools[2].id),
                ],
                token: run.token(run.county.teachers[0]),
                headers: [.ifMatch: "\"1\""]
            )
        }
        if let leaving = pupils.first(where: { $0.school == 1 && $0.age == 15 }) ?? pupils.first(where: { $0.school == 1 }) {
            self.leftRoll.insert(leaving.id)
            let row = try await self.row(of: leaving, token: run.token(run.county.teachers[1]))
            try await run.api.expect(
                .post,
                "/v1/enrolments/\(row)/status-changes",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(), "toStatus": "dropped_out",
                    "effectiveOn": run.today.date(daysAgo: 9).description,
                    "reason": "厌学，想随父母外出打工",
                ],
                token: run.token(run.county.teachers[1]),
                headers: [.ifMatch: "\"1\""]
            )
        }
    }

    private func row(of person: DemoPerson, token: String) async throws -> String {
        let rows = try await self.run.api.expect(.get, "/v1/persons/\(person.id.uuidString.lowercased())/enrolments", token: token)
        guard let row = ((rows["items"] as? [[String: Any]]) ?? []).first?["id"] as? String else {
            throw DemoError.refused("no roll row for \(person.name)")
        }
        return row
    }

    /// Monthly talks by class teachers, family contacts, and counselling by the designated counsellor.
    mutating func schoolCare() async throws {
        let run = self.run
        let pupils = self.people.filter { $0.school != nil && $0.stage != "kindergarten" && $0.group == .child && !self.leftRoll.contains($0.id) }
        var talks: [(String, [String: Any])] = []
        var contacts: [(String, [String: Any])] = []
        for person in pupils where self.random.chance(0.35) {
            let teacher = run.county.teachers[person.school ?? 0]
            talks.append(
                (
                    teacher,
                    [
                        "id": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(),
                        "talkedOn": run.today.date(daysAgo: self.random.int(0...max(0, run.today.today.day - 1))).description,
                        "topics": [self.random.pick(["study", "family", "safety", "health"])], "mood": self.random.pick(["good", "ordinary", "low"]),
                        "concerns": self.random.pick(["想念在外打工的妈妈", "数学成绩下降", "和同学相处融洽", "周末帮奶奶干农活"]),
                    ]
                )
            )
            if self.random.chance(0.5) {
                contacts.append(
                    (
                        teacher,
                        [
                            "id": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(),
                            "occurredOn": run.today.date(daysAgo: self.random.int(0...20)).description,
                            "kind": self.random.pick(["phone", "video", "letter"]), "withWhom": self.random.pick(["mother", "father"]),
                            "notes": "学校亲情电话",
                        ]
                    )
                )
            }
        }
        let talkBodies = talks.map { ($0.0, try? JSONSerialization.data(withJSONObject: $0.1)) }
        let contactBodies = contacts.map { ($0.0, try? JSONSerialization.data(withJSONObject: $0.1)) }
        try await run.each(talkBodies) { job in
            let response = try await run.api.send(.post, "/v1/talks", body: job.1, token: run.token(job.0))
            guard response.status.code < 300 else {
                throw DemoError.refused("talk answered \(response.status.code): \(String(decoding: response.body.prefix(400), as: UTF8.self))")
            }
        }
        try await run.each(contactBodies) { job in
            let response = try await run.api.send(.post, "/v1/family-contacts", body: job.1, token: run.token(job.0))
            guard response.status.code < 300 else {
                throw DemoError.refused("contact answered \(response.status.code): \(String(decoding: response.body.prefix(400), as: UTF8.self))")
            }
        }
        self.counts["talks"] = talks.count
        self.counts["contacts"] = contacts.count
        let counsellor = try await run.owner.query("select id from account where username = 'demo.counsellor'").first?.decode("id", as: UUID.self)
        try await run.api.expect(
            .post,
            "/v1/schools/\(run.id(run.county.schools[0].id))/counsellors",
            json: ["accountId": counsellor?.uuidString.lowercased() ?? ""],
            token: run.token("demo.town")
        )
        for person in pupils.filter({ $0.school == 0 && $0.age >= 9 }).prefix(8) {
            try await run.api.expect(
                .post,
                "/v1/counselling-sessions",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(),
                    "heldOn": run.today.date(daysAgo: self.random.int(1...40)).description,
                    "issue": self.random.pick(["夜里常哭，担心父母不回来", "和同学发生冲突后不愿上学", "考试焦虑"]),
                    "notes": "沙盘游戏", "plan": "每两周一次", "riskLevel": self.random.pick(["low", "medium"]),
                ],
                token: run.token("demo.counsellor")
            )
            self.counts["counselling", default: 0] += 1
        }
    }
}
