import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/counselling-sessions`, `/v1/persons/:id/counselling`: counselling records (心理辅导). Details
/// only for the school's designated counsellors and the town's child-welfare supervisor (each read
/// audited); everyone else who sees the child sees only that sessions happened.
public struct CounsellingController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    static let columns: SQLQuery = """
        s.id, s.person_id, s.school_id, s.held_on, s.issue, s.notes, s.plan, s.risk_level, s.counsellor_name, s.content_hash,
        liushou_is_counsellor(s.school_id) as mine, (select b.path from liushou_unit_brief(s.school_id) b) as school_path
        """

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/counselling-sessions", .permission(.schoolsCounsel)) { request, context, caller in
            let input = try await request.decodeJSON(as: CounsellingInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (session, created) = try await DuplicateRetry.once(primaryKey: "counselling_session_pkey", uniqueProblems: SchoolConstraints.problems) {
                try await self.database.transaction(for: caller) { transaction in
                    if let row = try await transaction.query("select \(Self.columns) from counselling_session s where s.id = \(input.id)").first {
                        guard try row.decode("content_hash", as: Data.self) == ContentHash.of(input) else { throw Problem.idConflict("counselling session") }
                        return (try Self.session(row), false)
                    }
                    var errors = SchoolRules.problems(input, today: today)
                    let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                    guard let membership else {
                        errors.append(.init(field: "personId", message: "is not on your school's roll"))
                        throw Problem.validation(errors)
                    }
                    guard try await transaction.query("select liushou_is_counsellor(\(membership.schoolId)) as ok").first?.decode("ok", as: Bool.self) == true
                    else {
                        throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                      detail: "Only a counsellor the town designated at the child's school records counselling.")
                    }
                    if !errors.isEmpty { throw Problem.validation(errors) }
                    try await transaction.query("""
                        insert into counselling_session (id, person_id, school_id, held_on, issue, notes, plan, risk_level, counsellor_account_id,
                            counsellor_name, content_hash)
                        values (\(input.id), \(input.personId), \(membership.schoolId), \(input.heldOn), \(input.issue.trimmingCharacters(in: .whitespacesAndNewlines)),
                            \(input.notes), \(input.plan), \(input.riskLevel.rawValue), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
                        """)
                    // The timeline says only that a session happened.
                    try await Timeline.add(input.personId, kind: "school.counselling", summary: "心理辅导（\(input.heldOn)，内容保密）", caller: caller,
                                           record: input.id, in: transaction)
                    try await AuditEntry(caller: caller, context: context, action: "counselling.create", resource: "person",
                                         recordID: input.personId.uuidString.lowercased(), unitID: membership.schoolId,
                                         unitPath: membership.schoolPath).append(in: transaction)
                    guard let row = try await transaction.query("select \(Self.columns) from counselling_session s where s.id = \(input.id)").first else {
                        throw Problem.internalError
                    }
                    return (try Self.session(row), true)
                }
            }
            return try JSONResponse(session, status: created ? .created : .ok)
        }
        routes.on(.get, "/v1/persons/:id/counselling", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let view = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else { throw Problem.notFound("No such person.") }
                let held = try await transaction.query("select held_on, school_id, school_name from counselling_summary(\(id))").map { row in
                    CounsellingView.Held(heldOn: try row.decode("held_on"), schoolId: try row.decode("school_id"), schoolName: try row.decode("school_name"))
                }
                // Row-level security already limits the rows; the same rule is checked here again.
                let details = try await transaction.query("""
                    select \(Self.columns) from counselling_session s where s.person_id = \(id) order by s.held_on desc, s.recorded_at desc
                    """).filter { row in
                    try row.decode("mine", as: Bool.self) || caller.covers(try row.decode("school_path", as: String.self), in: .counselling)
                }.map(Self.session)
                guard !details.isEmpty else { return CounsellingView(personId: id, sessions: held, details: nil) }
                // Filed under each school whose sessions were read, so the auditors of that school's town find it.
                for school in Set(details.map(\.schoolId)) {
                    try await AuditEntry(caller: caller, context: context, action: "counselling.read", resource: "person",
                                         recordID: id.uuidString.lowercased(), unitID: school,
                                         detail: ["sessions": String(details.filter { $0.schoolId == school }.count)]).append(in: transaction)
                }
                return CounsellingView(personId: id, sessions: held, details: details)
            }
            return try JSONResponse(view)
        }
    }

    static func session(_ row: PostgresRow) throws -> CounsellingSession {
        CounsellingSession(id: try row.decode("id"), personId: try row.decode("person_id"), schoolId: try row.decode("school_id"),
                           heldOn: try row.decode("held_on"), issue: try row.decode("issue"), notes: try row.decode("notes"), plan: try row.decode("plan"),
                           riskLevel: CounsellingRisk(rawValue: try row.decode("risk_level")) ?? .low, counsellorName: try row.decode("counsellor_name"))
    }
}
