import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Opens a case after the gates: an active person of the caller's legal-aid units, a matter of the
/// person's county, a guardian's own file visible, a follow-up of that person with a legal need.
/// A follow-up the case comes from is resolved by it; the timeline shows only that a case exists.
enum LegalIntake {
    struct Checked {
        var unitId: UUID
        var matterId: UUID
        var leftBehindChild: Bool
        var followUpOpen: Bool
    }

    static func check(_ input: LegalCaseInput, caller: Caller, in transaction: PostgresTransaction) async throws -> Checked {
        var errors = LegalRules.problems(input)
        let person = try await transaction.query(
            """
            select p.unit_id, p.categories, (select b.path from liushou_unit_brief(p.unit_id) b) as path
            from person p where p.id = \(input.personId) and p.status = 'active'
            """
        ).first
        var unit: UUID? = nil
        var child = false
        if let person, caller.holds(.legalAidManage, at: try person.decode("path", as: String.self)) {
            unit = try person.decode("unit_id", as: UUID.self)
            child = try person.decode("categories", as: [String].self).contains("left_behind_child")
        } else {
            errors.append(.init(field: "personId", message: "no such active person in your scope"))
        }
        var matter: UUID? = nil
        if let unit {
            matter = try await transaction.query(
                """
                select id from legal_matter where code = \(input.matter) and (county_id is null or county_id = liushou_county_of(\(unit)))
                """
            ).first?.decode("id", as: UUID.self)
            if matter == nil { errors.append(.init(field: "matter", message: "no such matter in this county")) }
        }
        if let guardian = input.guardian?.personId {
            let seen = try await transaction.query("select exists (select from person where id = \(guardian)) as seen").first?.decode(
                "seen",
                as: Bool.self
            )
            if seen != true { errors.append(.init(field: "guardian.personId", message: "no such person in your scope")) }
        }
        var followUpOpen = false
        if let followUp = input.followUpId {
            let row = try await transaction.query(
                """
                select status from follow_up where id = \(followUp) and person_id = \(input.personId) and need = 'legal'
                """
            ).first
            if let row {
                followUpOpen = try row.decode("status", as: String.self) == "open"
            } else {
                errors.append(.init(field: "followUpId", message: "no follow-up of this person with a legal need"))
            }
        }
        guard errors.isEmpty, let unit, let matter else { throw ServiceError.invalid(errors) }
        return Checked(unitId: unit, matterId: matter, leftBehindChild: child, followUpOpen: followUpOpen)
    }

    static func insert(_ input: LegalCaseInput, checked: Checked, caller: Caller, in transaction: PostgresTransaction) async throws {
        let parties = input.parties.map(LegalRules.trimmed)
        try await transaction.query(
            """
            insert into legal_case (id, person_id, unit_id, stage) values (\(input.id), \(input.personId), \(checked.unitId), 'intake')
            """
        )
        try await transaction.query(
            """
            insert into legal_case_detail (case_id, unit_id, matter_id, applicant, guardian_name, guardian_relationship, guardian_person_id,
                parties, facts, urgency, channel, follow_up_id, involves_left_behind_child, opened_by, opened_by_name, content_hash)
            values (\(input.id), \(checked.unitId), \(checked.matterId), \(input.guardian == nil ? "self" : "guardian"),
                \(input.guardian.map { LegalRules.trimmed($0.name) }), \(input.guardian.map { LegalRules.trimmed($0.relationship) }),
                \(input.guardian?.personId), \(parties), \(LegalRules.trimmed(input.facts)), \(input.urgency.rawValue), \(input.channel.rawValue),
                \(input.followUpId), \(checked.leftBehindChild), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
        if let followUp = input.followUpId, checked.followUpOpen {
            try await transaction.query(
                """
                update follow_up set status = 'resolved', resolved_at = now(), resolved_by = \(caller.accountID),
                    resolution = '已受理法律援助申请', version = version + 1
                where id = \(followUp) and status = 'open'
                """
            )
        }
        try await LegalTimeline.append(case: input.id, person: input.personId, stage: .intake, in: transaction)
    }
}
