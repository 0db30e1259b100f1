import Foundation
import HTTPTypes
import LiushouPlatform
import LiushouPostgres

extension DemoHistory {
    /// The first town's volunteer register (screened, pending, failed), pairings with children and
    /// elders, weekly visits by the volunteer who logs in, and the clinics' checkups.
    mutating func volunteers() async throws {
        let run = self.run
        let volunteerAccount = try await run.owner.query("select id from account where username = 'demo.volunteer'").first?.decode(
            "id",
            as: UUID.self
        )
        let register: [(name: String, organisation: String, screening: String)] = [
            ("张志愿", "party_member", "passed"), ("李红梅", "womens_federation", "passed"), ("王建国", "five_elders", "passed"),
            ("赵老师", "teacher", "passed"), ("陈晓燕", "party_member", "passed"), ("刘大勇", "company", "passed"), ("孙丽", "womens_federation", "passed"),
            ("周文博", "student", "pending"), ("吴佳怡", "student", "pending"), ("郑强", "company", "failed"),
        ]
        var passed: [String] = []
        for (index, person) in register.enumerated() {
            var body: [String: Any] = [
                "id": self.random.uuid().uuidString.lowercased(), "unitId": run.id(run.county.towns[0].id), "name": person.name,
                "phone": DemoNames.phone(&self.random),
                "idNumber": DemoNames.idNumber(born: LocalDate(daysSince1970: 3_000 + index * 900), male: index % 2 == 0, sequence: 400 + index),
                "organisation": person.organisation, "skills": ["tutoring", "daily_care"], "availability": "周末", "screening": person.screening,
            ]
            if person.screening != "pending" { body["screenedOn"] = run.today.date(daysAgo: 90 + index).description }
            if index == 0, let volunteerAccount { body["accountId"] = volunteerAccount.uuidString.lowercased() }
            let created = try await run.api.expect(.post, "/v1/volunteers", json: body, token: run.token("demo.town"))
            if person.screening == "passed", let id = created["id"] as? String { passed.append(id) }
            self.counts["volunteers", default: 0] += 1
        }
        let town = self.people.filter { run.county.villages[$0.village].town == 0 && ($0.group == .child || $0.risk == "high") }
        var pairings: [(id: String, person: String, startedDaysAgo: Int)] = []
        for (index, person) in town.enumerated() where index % 4 == 0 {
            let helper = index < 40 ? passed[0] : passed[index % passed.count]
            let startedDaysAgo = 70 - index % 40
            var entry: [String: Any] = ["personId": person.id.uuidString.lowercased()]
            if person.group == .child {
                entry["consentBy"] = "监护人"
                entry["consentOn"] = run.today.date(daysAgo: 75).description
            }
            let created = try await run.api.expect(
                .post,
                "/v1/pairings",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(),
                    "kind": person.group == .child ? self.random.pick(["proxy_parent", "caring_mother", "learning_buddy"]) : "elder_companion",
                    "helpers": [helper], "goals": person.group == .child ? "每周陪伴一次，辅导作业" : "每周看望，帮助就医购物",
                    "people": [entry], "startOn": run.today.date(daysAgo: startedDaysAgo).description,
                ],
                token: run.token("demo.town")
            )
            if helper == passed[0], let id = created["id"] as? String, person.village == 0 {
                pairings.append((id, person.id.uuidString.lowercased(), startedDaysAgo))
            }
            self.counts["pairings", default: 0] += 1
        }
        var visits: [[String: Any]] = []
        for (pairing, person, startedDaysAgo) in pairings {
            for week in 0..<8 where week * 7 + 3 < startedDaysAgo {
                visits.append([
                    "id": self.random.uuid().uuidString.lowercased(), "pairingId": pairing, "personId": person,
                    "occurredAt": DemoCalendar.timestamp(
                        run.today.now.addingTimeInterval(-Double(week * 7 + 1) * 86_400 - Double(self.random.int(1...20)) * 3_600)
                    ),
                    "channel": "in_person", "outcome": "all_well", "needs": [], "activities": ["tutoring"], "durationMinutes": 60 + 30 * (week % 3),
                ])
            }
        }
        if !visits.isEmpty {
            try await run.api.expect(.post, "/v1/volunteer-visits/batch", json: ["items": visits], token: run.token("demo.volunteer"))
        }
        self.counts["volunteer_visits"] = visits.count
        try await self.checkups()
    }

    /// Elders' annual checkups and women's screenings by each town's clinic, in batches as a clinic
    /// system exports them, plus single entries; some need follow-up.
    private mutating func checkups() async throws {
        let run = self.run
        let clinicians = ["demo.clinic", "demo.shuanghe.clinic"]
        for town in 0..<2 {
            var items: [[String: Any]] = []
            for person in self.people where run.county.villages[person.village].town == town {
                let kind: String
                switch person.group {
                case .elder where self.random.chance(0.72): kind = "elder_annual"
                case .woman where self.random.chance(0.6): kind = "women_screening"
                default: continue
                }
                let followUp = kind == "elder_annual" && self.random.chance(0.08)
                items.append([
                    "recordId": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(),
                    "checkedOn": run.today.date(daysAgo: self.random.int(3...330)).description, "kind": kind,
                    "measurements": kind == "elder_annual"
                        ? [
                            ["name": "systolic", "value": followUp ? 168 : 128, "unit": "mmHg"],
                            ["name": "diastolic", "value": followUp ? 102 : 80, "unit": "mmHg"],
                        ] : [],
                    "diagnoses": followUp ? ["高血压"] : [], "findings": followUp ? "血压偏高，建议复查" : "未见明显异常", "followUpNeeded": followUp,
                    "clinician": town == 0 ? "王医生" : "李医生",
                ])
            }
            let single = items.suffix(3)
            try await run.api.expect(.post, "/v1/checkups/batch", json: ["items": Array(items.dropLast(3))], token: run.token(clinicians[town]))
            for item in single { try await run.api.expect(.post, "/v1/checkups", json: item, token: run.token(clinicians[town])) }
            self.counts["checkups", default: 0] += items.count
        }
    }
}
