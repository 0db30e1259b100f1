import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/talks`, `/v1/schools/:id/talks-due`: the class teacher's monthly heart-to-heart talks (谈心)
/// and the children on a roll with none in a month.
public struct TalkController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Due: Encodable {
        var schoolId: UUID
        var month: String
        var items: [TalkDue]
    }

    static let columns: SQLQuery = "t.id, t.person_id, t.enrolment_id, t.school_id, t.talked_on, t.topics, t.mood, t.concerns, t.teacher_name, t.content_hash"

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/talks", .permission(.schoolsCare)) { request, context, caller in
            let input = try await request.decodeJSON(as: TalkInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (talk, created) = try await DuplicateRetry.once(primaryKey: "school_talk_pkey", uniqueProblems: SchoolConstraints.problems) {
                try await self.database.transaction(for: caller) { transaction in
                    if let row = try await transaction.query("select \(Self.columns) from school_talk t where t.id = \(input.id)").first {
                        guard try row.decode("content_hash", as: Data.self) == ContentHash.of(input) else { throw Problem.idConflict("talk") }
                        return (try Self.talk(row), false)
                    }
                    var errors = SchoolRules.problems(input, today: today)
                    let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                    if membership == nil { errors.append(.init(field: "personId", message: "is not on your school's roll")) }
                    guard errors.isEmpty, let membership else { throw Problem.validation(errors) }
                    try await transaction.query("""
                        insert into school_talk (id, person_id, enrolment_id, school_id, talked_on, topics, mood, concerns, teacher_account_id, teacher_name,
                            content_hash)
                        values (\(input.id), \(input.personId), \(membership.enrolmentId), \(membership.schoolId), \(input.talkedOn),
                            \(input.topics.map(\.rawValue)), \(input.mood.rawValue), \(input.concerns), \(caller.accountID), \(caller.name),
                            \(ContentHash.of(input)))
                        """)
                    try await Timeline.add(input.personId, kind: "school.talk", summary: "班主任谈心（\(input.talkedOn)）", caller: caller,
                                           record: input.id, in: transaction)
                    guard let row = try await transaction.query("select \(Self.columns) from school_talk t where t.id = \(input.id)").first else {
                        throw Problem.internalError
                    }
                    return (try Self.talk(row), true)
                }
            }
            return try JSONResponse(talk, status: created ? .created : .ok)
        }
        routes.on(.get, "/v1/schools/:id/talks-due", .permission(.schoolsRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let month = try MonthParameter.parse(request.uri.queryParameters["month"])
            let (start, next) = (month.start, month.next)
            let items = try await self.database.transaction(for: caller) { transaction in
                _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
                // Children now attending (enrolled or often absent), on the roll before the month ends, with no talk in it.
                return try await transaction.query("""
                    select e.id, e.person_id, p.name, e.grade, e.class_name, e.class_teacher_id, e.status,
                        (select max(t.talked_on) from school_talk t where t.person_id = e.person_id and t.talked_on < \(start)) as last_talk_on
                    from school_enrolment e left join person p on p.id = e.person_id
                    where e.school_id = \(id) and e.ended_on is null and p.status = 'active' and e.status in ('enrolled', 'long_absence') and e.enrolled_on < \(next)
                      and not exists (select from school_talk t where t.person_id = e.person_id and t.talked_on >= \(start) and t.talked_on < \(next))
                    order by e.grade, e.class_name nulls last, p.name, e.id
                    """).map { row in
                    TalkDue(personId: try row.decode("person_id"), personName: try row.decode("name"), enrolmentId: try row.decode("id"),
                            grade: try row.decode("grade"), className: try row.decode("class_name"), classTeacherId: try row.decode("class_teacher_id"),
                            status: RollStatus(rawValue: try row.decode("status")) ?? .enrolled, lastTalkOn: try row.decode("last_talk_on"))
                }
            }
            return try JSONResponse(Due(schoolId: id, month: month.text, items: items))
        }
    }

    static func talk(_ row: PostgresRow) throws -> Talk {
        Talk(id: try row.decode("id"), personId: try row.decode("person_id"), enrolmentId: try row.decode("enrolment_id"),
             schoolId: try row.decode("school_id"), talkedOn: try row.decode("talked_on"),
             topics: try row.decode("topics", as: [String].self).compactMap(TalkTopic.init(rawValue:)),
             mood: TalkMood(rawValue: try row.decode("mood")) ?? .ordinary, concerns: try row.decode("concerns"), teacherName: try row.decode("teacher_name"))
    }
}
