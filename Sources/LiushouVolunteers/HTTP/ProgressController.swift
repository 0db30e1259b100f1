import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/pairings/:id/progress`: the periodic effect checks of a pairing (进步档案), by the village
/// cadre, the town, or a teacher of the child's school.
public struct ProgressController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [ProgressCheck]
    }

    static let columns: SQLQuery = """
        c.id, c.pairing_id, c.person_id, c.assessed_on, c.study, c.mood, c.living, c.notes, c.assessor_name, c.content_hash
        """

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/pairings/:id/progress", .permission(.pairingsAssess)) { request, context, caller in
            let pairingID = try context.uuidParameter("id")
            let input = try await request.decodeJSON(as: ProgressCheckInput.self, context: context)
            let (check, created) = try await DuplicateRetry.once(primaryKey: "pairing_progress_pkey") {
                try await self.database.transaction(for: caller) { transaction in
                    guard try await transaction.query("select 1 from pairing where id = \(pairingID)").first != nil else {
                        throw Problem.notFound("No such pairing.")
                    }
                    if let row = try await transaction.query("select \(Self.columns) from pairing_progress c where c.id = \(input.id)").first {
                        guard try row.decode("content_hash", as: Data.self) == ContentHash.of(input), try row.decode("pairing_id", as: UUID.self) == pairingID else {
                            throw Problem.idConflict("effect check")
                        }
                        return (try Self.check(row), false)
                    }
                    var errors = VolunteerRules.problems(input, today: PersonValidator.chinaToday())
                    let person = try await transaction.query("""
                        select (select b.path from liushou_unit_brief(p.unit_id) b) as path, (select b.path from liushou_unit_brief(p.school_id) b) as school_path
                        from person p join pairing_person pp on pp.person_id = p.id where pp.pairing_id = \(pairingID) and p.id = \(input.personId)
                        """).first
                    if let person {
                        let path = try person.decode("path", as: String.self)
                        let school = try person.decode("school_path", as: String?.self)
                        guard caller.holds(.pairingsAssess, at: path) || school.map({ caller.covers($0, in: .school) }) == true else {
                            throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                          detail: "Effect checks are made by the person's village cadre, the town or a teacher of the child's school.")
                        }
                    } else {
                        errors.append(.init(field: "personId", message: "is not a person of this pairing you can see"))
                    }
                    if !errors.isEmpty { throw Problem.validation(errors) }
                    try await transaction.query("""
                        insert into pairing_progress (id, pairing_id, person_id, assessed_on, study, mood, living, notes, assessor_account_id, assessor_name,
                            content_hash)
                        values (\(input.id), \(pairingID), \(input.personId), \(input.assessedOn), \(input.study?.rawValue), \(input.mood.rawValue),
                            \(input.living.rawValue), \(input.notes), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
                        """)
                    try await transaction.query("""
                        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
                        values (\(UUID()), \(input.personId), 'volunteers', 'pairing.progress', \("结对帮扶成效评估（\(input.assessedOn)）"), \(caller.name),
                            \(input.id.uuidString.lowercased()))
                        """)
                    guard let row = try await transaction.query("select \(Self.columns) from pairing_progress c where c.id = \(input.id)").first else {
                        throw Problem.internalError
                    }
                    return (try Self.check(row), true)
                }
            }
            return try JSONResponse(check, status: created ? .created : .ok)
        }
        routes.on(.get, "/v1/pairings/:id/progress", .permission(.pairingsRead)) { _, context, caller in
            let pairingID = try context.uuidParameter("id")
            let items = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from pairing where id = \(pairingID)").first != nil else {
                    throw Problem.notFound("No such pairing.")
                }
                return try await transaction.query("""
                    select \(Self.columns) from pairing_progress c where c.pairing_id = \(pairingID) order by c.assessed_on desc, c.created_at desc
                    """).map(Self.check)
            }
            return try JSONResponse(Items(items: items))
        }
    }

    static func check(_ row: PostgresRow) throws -> ProgressCheck {
        ProgressCheck(
            id: try row.decode("id"), pairingId: try row.decode("pairing_id"), personId: try row.decode("person_id"),
            assessedOn: try row.decode("assessed_on"), study: try row.decode("study", as: String?.self).flatMap(Trend.init(rawValue:)),
            mood: Trend(rawValue: try row.decode("mood")) ?? .steady, living: Trend(rawValue: try row.decode("living")) ?? .steady,
            notes: try row.decode("notes"), assessorName: try row.decode("assessor_name")
        )
    }
}
