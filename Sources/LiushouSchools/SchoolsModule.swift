import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The schools module's routes: the roll of each school and its status changes and placements,
/// dropout-control cases, school rates, and the care records (talks, counselling, family contacts,
/// learning plans). Queries and writes live in the stores under `Service/`.
public enum SchoolsModule {
    /// `clock`: the day that dates must not lie after, the default month and the day a town closes a case.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, clock: ChinaClock = .system) {
        let enrolment = EnrolmentController(database: database, clock: clock)
        let statusChange = StatusChangeController(database: database, clock: clock)
        let placement = PlacementController(database: database)
        let dropoutCase = DropoutCaseController(database: database, clock: clock)
        let schoolRates = SchoolRatesController(database: database, clock: clock)
        let talk = TalkController(database: database, clock: clock)
        let counsellor = CounsellorController(database: database)
        let counselling = CounsellingController(database: database, clock: clock)
        let familyContact = FamilyContactController(database: database, clock: clock)
        let learningPlan = LearningPlanController(database: database, clock: clock)

        routes.on(.post, "/v1/enrolments", .permission(.schoolsManage), handler: enrolment.create)
        routes.on(.get, "/v1/schools/:id/roll", .permission(.schoolsRead), handler: enrolment.roll)
        routes.on(.get, "/v1/persons/:id/enrolments", .permission(.schoolsRead), handler: enrolment.history)

        routes.on(.post, "/v1/enrolments/:id/status-changes", .permission(.schoolsManage), handler: statusChange.create)

        routes.on(.put, "/v1/enrolments/:id", .permission(.schoolsManage), handler: placement.place)

        routes.on(.get, "/v1/dropout-cases", .permission(.schoolsRead), handler: dropoutCase.list)
        routes.on(.post, "/v1/dropout-cases/:id/close", .permission(.schoolsDropoutClose), handler: dropoutCase.close)

        routes.on(.get, "/v1/school-rates", .permission(.schoolsRead), handler: schoolRates.rates)

        routes.on(.post, "/v1/talks", .permission(.schoolsCare), handler: talk.create)
        routes.on(.get, "/v1/schools/:id/talks-due", .permission(.schoolsRead), handler: talk.due)

        routes.on(.post, "/v1/schools/:id/counsellors", .permission(.schoolsCounsellors), handler: counsellor.designate)
        routes.on(.post, "/v1/schools/:id/counsellors/:accountId/revoke", .permission(.schoolsCounsellors), handler: counsellor.revoke)

        routes.on(.post, "/v1/counselling-sessions", .permission(.schoolsCounsel), handler: counselling.create)
        routes.on(.get, "/v1/persons/:id/counselling", .permission(.personsRead), handler: counselling.view)

        routes.on(.post, "/v1/family-contacts", .permission(.schoolsCare), handler: familyContact.create)
        routes.on(.get, "/v1/schools/:id/five-ones", .permission(.schoolsRead), handler: familyContact.fiveOnes)

        routes.on(.post, "/v1/learning-plans", .permission(.schoolsCare), handler: learningPlan.create)
        routes.on(.post, "/v1/learning-plans/:id/checks", .permission(.schoolsCare), handler: learningPlan.addCheck)
        routes.on(.get, "/v1/persons/:id/learning-plans", .permission(.schoolsRead), handler: learningPlan.list)
    }
}
