import Foundation
import HTTPTypes
import LiushouPlatform
import LiushouPostgres

/// The weeks of work behind the county's numbers, written in date order so each past week's
/// snapshot counts what had been recorded by then.
struct DemoHistory {
    let run: DemoRun
    let people: [DemoPerson]
    var random: SplitMix64
    var counts: [String: Int] = [:]
    /// Children who left their school's roll (transferred, dropped out): their old school no longer talks with them.
    var leftRoll: Set<UUID> = []
    /// Weeks of history before the current one (door checks reach back at most 60 days).
    let pastWeeks = 11

    init(run: DemoRun, people: [DemoPerson], random: SplitMix64) {
        self.run = run
        self.people = people
        self.random = random
    }

    private func id(_ value: UUID) -> String { value.uuidString.lowercased() }

    private func check(_ person: DemoPerson, kind: String, at date: Date, needs: [String] = []) -> [String: Any] {
        [
            "id": self.id(UUID(uuid: self.checkID(person, kind: kind, at: date))), "personId": self.id(person.id),
            "occurredAt": DemoCalendar.timestamp(date), "channel": "in_person", "kind": kind,
            "outcome": needs.isEmpty ? "all_well" : "needs_follow_up", "needs": needs,
        ]
    }

    /// A check's id from its content, so the same seed gives the same ids.
    private func checkID(_ person: DemoPerson, kind: String, at date: Date) -> uuid_t {
        let bytes = person.id.uuid
        let high = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5, bytes.6, bytes.7].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var mixer = SplitMix64(seed: high ^ UInt64(date.timeIntervalSince1970) &* 0x9E37 ^ (kind == "cadre_visit" ? 1 : 2))
        return mixer.uuid().uuid
    }

    /// The filing campaign: each week's files registered, then that week's snapshot, until every
    /// file is in (door checks reach back only 60 days, so the visits start after it).
    mutating func filing(progress: (String) -> Void) async throws {
        for week in stride(from: self.pastWeeks, through: 8, by: -1) {
            try await self.run.register(people: self.people.filter { $0.filedWeek == week })
            if week > 8 {
                try await self.run.owner.query("select dashboard_snapshot_record_past_week(\(self.weekEnd(week)))")
            }
            progress("week -\(week): \(self.people.filter { $0.filedWeek >= week }.count) people filed")
        }
    }

    private func weekEnd(_ week: Int) -> Date {
        week == 0
            ? self.run.today.now.addingTimeInterval(-300)
            : self.run.today.weekStart.addingTimeInterval(Double(-7 * week + 7) * 86_400 - 60)
    }

    /// Guardianship confirmations signed during `week`, added to the files by the village cadre.
    private func confirmations(in week: Int) async throws {
        let run = self.run
        try await run.each(self.people.filter { $0.confirmedWeek == week }) { person in
            let path = "/v1/persons/\(person.id.uuidString.lowercased())"
            let token = run.token(run.county.villages[person.village].cadre)
            let version = try await run.api.expect(.get, path, token: token)["version"] as? Int ?? 1
            let response = try await run.api.send(.put, path, body: person.confirmedBody, token: token, headers: [.ifMatch: "\"\(version)\""])
            guard response.status == .ok else {
                throw DemoError.refused(
                    "update \(person.name) answered \(response.status.code): \(String(decoding: response.body.prefix(400), as: UTF8.self))"
                )
            }
        }
    }

    /// Door checks, needs and follow-ups week by week, a snapshot after each past week.
    mutating func weeks(progress: (String) -> Void) async throws {
        let now = self.run.today.now
        let oldest = now.addingTimeInterval(-59 * 86_400)
        var total = 0
        for week in stride(from: 8, through: 0, by: -1) {
            let start = self.run.today.weekStart.addingTimeInterval(Double(-7 * week) * 86_400)
            let end = self.weekEnd(week)
            try await self.confirmations(in: week)
            var batches: [String: [[String: Any]]] = [:]
            if end > oldest {
                for person in self.people {
                    let village = self.run.county.villages[person.village]
                    // The weekly cadre visit: kept for most, missed now and then, some overdue this week.
                    let cadreShare = week == 0 ? 0.93 : 0.85
                    if self.random.chance(cadreShare) {
                        let latest =
                            week == 0
                            ? now.addingTimeInterval(-Double(self.random.int(1...140)) * 3_600)
                            : end.addingTimeInterval(-Double(self.random.int(1...160)) * 3_600)
                        let at = max(latest, max(start, oldest).addingTimeInterval(600))
                        var needs: [String] = []
                        if self.random.chance(week == 0 ? 0.05 : 0.03) {
                            needs = [self.random.pick(["daily_life", "health", "study", "psychological", "safety", "legal", "daily_life", "health"])]
                        }
                        batches[village.cadre, default: []].append(self.check(person, kind: "cadre_visit", at: at, needs: needs))
                    }
                    // The daily knock on the week's last day (today for the current week).
                    let knockShare = week == 0 ? 0.95 : 0.8
                    if self.random.chance(knockShare) {
                        let at = end.addingTimeInterval(-Double(self.random.int(1...18)) * 3_600)
                        if at > oldest { batches[village.gridWorker, default: []].append(self.check(person, kind: "grid_knock", at: at)) }
                    } else if week == 0 {
                        let at = now.addingTimeInterval(-Double(self.random.int(50...90)) * 3_600)
                        batches[village.gridWorker, default: []].append(self.check(person, kind: "grid_knock", at: at))
                    }
                }
            }
            var jobs: [(String, Data)] = []
            for username in batches.keys.sorted() {
                let items = batches[username] ?? []
                total += items.count
                for chunk in stride(from: 0, to: items.count, by: 1000) {
                    jobs.append(
                        (username, try JSONSerialization.data(withJSONObject: ["items": Array(items[chunk..<min(chunk + 1000, items.count)])]))
                    )
                }
            }
            let run = self.run
            try await run.each(jobs, width: 4) { job in
                let response = try await run.api.send(.post, "/v1/door-checks/batch", body: job.1, token: run.token(job.0))
                let answer = response.object
                guard response.status.code < 300, answer["rejected"] as? Int == 0, answer["conflict"] as? Int == 0 else {
                    throw DemoError.refused(
                        "door checks answered \(response.status.code): \(String(decoding: response.body.prefix(800), as: UTF8.self))"
                    )
                }
            }
            if week == 2 { try await self.resolveFollowUps() }
            if week > 0 {
                try await self.run.owner.query("select dashboard_snapshot_record_past_week(\(end))")
                progress("week -\(week): \(total) door checks so far, snapshot taken")
            }
        }
        self.counts["checks"] = total
        try await self.safeguarding()
        progress("door checks \(total), follow-ups open and resolved, safeguarding reports filed")
    }

    /// Most follow-ups found so far are resolved by the town's office.
    private mutating func resolveFollowUps() async throws {
        for town in ["demo.town", "demo.shuanghe.town"] {
            let list = try await self.run.api.expect(.get, "/v1/follow-ups", token: self.run.token(town))
            // The list is in opening order, which is commit order for concurrent batches: sort it by what the seed
            // chose (two follow-ups of one person and need may swap; they count alike).
            let key = { (item: [String: Any]) in ["personId", "need"].map { item[$0] as? String ?? "" }.joined(separator: "|") }
            // Clinical follow-ups are listed to the town read-only; the clinic resolves those.
            let items = ((list["items"] as? [[String: Any]]) ?? []).filter { $0["canResolve"] as? Bool != false }.sorted { key($0) < key($1) }
            for item in items where self.random.chance(0.75) {
                guard let id = item["id"] as? String else { continue }
                let version = item["version"] as? Int ?? 1
                try await self.run.api.expect(
                    .post,
                    "/v1/follow-ups/\(id)/resolve",
                    json: ["resolution": "已上门处理，情况已解决"],
                    token: self.run.token(town),
                    headers: [.ifMatch: "\"\(version)\""]
                )
                self.counts["resolved", default: 0] += 1
            }
        }
    }

    /// A child found home alone, reported by the grid worker and awaiting the supervisor; an older
    /// report the supervisor acknowledged after notifying the police.
    private mutating func safeguarding() async throws {
        let alone = self.people.filter { $0.noCapableGuardian && $0.village == 0 }
        let unattended = alone.first ?? self.people.first { $0.group == .child && $0.village == 0 }
        guard let first = unattended else { return }
        try await self.run.api.expect(
            .post,
            "/v1/safeguarding-reports",
            json: [
                "personId": self.id(first.id), "kind": "living_alone", "details": "敲门时发现孩子独自在家两天，祖母住院，家中无成年人照看",
            ],
            token: self.run.token("demo.grid")
        )
        if let second = self.people.first(where: { $0.group == .child && $0.village == 1 }) {
            let filed = try await self.run.api.expect(
                .post,
                "/v1/safeguarding-reports",
                json: [
                    "personId": self.id(second.id), "kind": "neglect", "details": "孩子连续多日未按时吃饭，监护人长期饮酒",
                ],
                token: self.run.token(self.run.county.villages[1].cadre)
            )
            guard let id = filed["id"] as? String else { return }
            let supervisor = self.run.token("demo.supervisor")
            try await self.run.api.expect(
                .post,
                "/v1/safeguarding-reports/\(id)/police",
                json: [
                    "notifiedAt": DemoCalendar.timestamp(self.run.today.now.addingTimeInterval(-600)), "reference": "110 接警登记",
                ],
                token: supervisor,
                headers: [.ifMatch: "\"1\""]
            )
            try await self.run.api.expect(.post, "/v1/safeguarding-reports/\(id)/acknowledge", token: supervisor, headers: [.ifMatch: "\"2\""])
        }
        self.counts["safeguarding"] = 2
    }
}
