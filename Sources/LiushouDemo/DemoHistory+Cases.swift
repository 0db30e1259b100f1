import Foundation
import HTTPTypes
import LiushouPlatform
import LiushouPostgres

extension DemoHistory {
    /// Relief cases in every stage (one past its deadline, one decided late) and legal-aid cases of
    /// the first town, each step taken by the role that takes it.
    mutating func cases() async throws {
        let town = self.people.filter { self.run.county.villages[$0.village].town == 0 }
        let stages: [(state: String, steps: [String], type: String)] = [
            ("submitted", [], "temporary"), ("submitted", [], "medical"), ("village_reviewed", ["review"], "minimum_living"),
            ("village_reviewed", ["review"], "education"), ("village_reviewed", ["review"], "temporary"),
            ("approved", ["review", "approve"], "medical"),
            ("approved", ["review", "approve"], "temporary"), ("rejected", ["review", "reject"], "minimum_living"),
            ("paid", ["review", "approve", "pay"], "temporary"), ("paid", ["review", "approve", "pay"], "education"),
            ("paid", ["review", "approve", "pay"], "medical"), ("closed", ["review", "approve", "pay", "close"], "emergency_help"),
            ("closed", ["review", "approve", "pay", "close"], "temporary"), ("withdrawn", ["withdraw"], "temporary"),
        ]
        let needs = ["房屋漏雨，生活困难", "老人住院，医药费负担重", "孩子上学费用困难", "家中主要劳动力受伤，收入中断", "冬季取暖困难"]
        var candidates = town.filter { $0.group != .child || $0.noCapableGuardian }.makeIterator()
        var index = 0
        for stage in stages + [("overdue", [], "temporary"), ("late", ["review", "approve"], "medical")] {
            guard let person = candidates.next() else { break }
            let cadre = self.run.county.villages[person.village].cadre
            let amount = Int64(self.random.int(5...40)) * 10_000
            let filed = try await self.run.api.expect(
                .post,
                "/v1/relief/cases",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(), "typeKey": stage.type,
                    "urgency": "normal", "need": needs[index % needs.count], "amountRequestedFen": amount, "documents": ["户口本", "困难情况说明"],
                    "source": "cadre",
                ],
                token: self.run.token(cadre)
            )
            index += 1
            guard let id = filed["id"] as? String else { continue }
            if stage.state == "overdue" || stage.state == "late" {
                try await self.run.owner.query(
                    "select demo_backdate_relief_case(\(UUID(uuidString: id)), \(stage.state == "overdue" ? 30 : 25)::int)"
                )
            }
            var version = 1
            for action in stage.steps {
                let actor = ["review", "withdraw"].contains(action) ? cadre : (action == "reject" ? "demo.town" : "demo.relief")
                var body: [String: Any] = ["action": action, "comment": "情况属实"]
                switch action {
                case "approve": body = ["action": action, "amountFen": amount, "comment": "经审核符合条件"]
                case "reject": body = ["action": action, "comment": "家庭收入超过标准"]
                case "pay": body = ["action": action, "amountFen": amount, "paidOn": self.run.today.today.description, "channel": "bank_transfer"]
                case "withdraw": body = ["action": action, "comment": "家属已解决"]
                default: break
                }
                try await self.run.api.expect(
                    .post,
                    "/v1/relief/cases/\(id)/transitions",
                    json: body,
                    token: self.run.token(actor),
                    headers: [
                        .ifMatch: "\"\(version)\"", HTTPField.Name("Idempotency-Key")!: self.random.uuid().uuidString,
                    ]
                )
                version += 1
            }
            self.counts["relief", default: 0] += 1
        }
        try await self.legal(town)
    }

    private mutating func legal(_ town: [DemoPerson]) async throws {
        let officer = try await self.run.owner.query("select id from account where username = 'demo.legal'").first?.decode("id", as: UUID.self)
        let officerID = officer?.uuidString.lowercased() ?? ""
        let children = town.filter { $0.group == .child && $0.age >= 8 }
        let elders = town.filter { $0.group == .elder }
        let plans: [(person: DemoPerson?, matter: String, facts: String, steps: [String])] = [
            (children.dropFirst(3).first, "custody_guardianship", "父母外出务工，祖父无力监护，叔叔争夺抚养权", ["decision", "assignment", "first-contact"]),
            (children.dropFirst(7).first, "child_victim_or_offender", "孩子在校外被他人殴打受伤，家长在外地", ["decision", "assignment"]),
            (children.dropFirst(11).first, "custody_guardianship", "母亲改嫁后孩子无人抚养，需确定监护人", ["decision"]),
            (elders.dropFirst(2).first, "elder_support", "老人子女均在外地，长期不支付赡养费", []),
            (elders.dropFirst(5).first, "inheritance", "老伴去世后房产继承发生纠纷", []),
            (town.first { $0.group == .woman }, "migrant_wages", "丈夫在外务工被拖欠工资八个月", ["decision", "assignment", "first-contact", "close"]),
        ]
        for (index, plan) in plans.enumerated() {
            guard let person = plan.person else { continue }
            let opened = try await self.run.api.expect(
                .post,
                "/v1/legal-cases",
                json: [
                    "id": self.random.uuid().uuidString.lowercased(), "personId": person.id.uuidString.lowercased(), "matter": plan.matter,
                    "parties": ["对方当事人"], "facts": plan.facts, "urgency": index < 2 ? "urgent" : "normal", "channel": "walk_in",
                ],
                token: self.run.token("demo.legal")
            )
            guard let id = opened["id"] as? String else { continue }
            var version = 1
            for step in plan.steps {
                let body: [String: Any]
                switch step {
                case "decision": body = ["eligible": true, "basis": person.group == .child ? "minor" : "matter"]
                case "assignment": body = ["officerAccountId": officerID]
                case "first-contact": body = ["mode": "mediation"]
                default: body = ["outcome": "mediated", "closedOn": self.run.today.today.description]
                }
                try await self.run.api.expect(
                    .post,
                    "/v1/legal-cases/\(id)/\(step)",
                    json: body,
                    token: self.run.token("demo.legal"),
                    headers: [.ifMatch: "\"\(version)\""]
                )
                version += 1
            }
            if index == 1 { try await self.run.owner.query("select demo_backdate_legal_assignment(\(UUID(uuidString: id)), 5::int)") }
            self.counts["legal", default: 0] += 1
        }
    }
}
