import LiushouHTTP
import LiushouPlatform

/// The schools module's routes: the roll of each school and its status changes and placements,
/// dropout-control cases, school rates, and the care records (talks, counselling, family contacts,
/// learning plans). Queries and writes live in the stores under `Service/`.
public enum SchoolsModule {
    /// `clock`: the day that dates must not lie after, the default month and the day a town closes a case.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, clock: ChinaClock = .system) {
        EnrolmentController(database: database, clock: clock).addRoutes(to: routes)
        StatusChangeController(database: database, clock: clock).addRoutes(to: routes)
        PlacementController(database: database).addRoutes(to: routes)
        DropoutCaseController(database: database, clock: clock).addRoutes(to: routes)
        SchoolRatesController(database: database, clock: clock).addRoutes(to: routes)
        TalkController(database: database, clock: clock).addRoutes(to: routes)
        CounsellorController(database: database).addRoutes(to: routes)
        CounsellingController(database: database, clock: clock).addRoutes(to: routes)
        FamilyContactController(database: database, clock: clock).addRoutes(to: routes)
        LearningPlanController(database: database, clock: clock).addRoutes(to: routes)
    }
}
