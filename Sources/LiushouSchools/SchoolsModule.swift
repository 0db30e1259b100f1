import LiushouHTTP
import LiushouPlatform

/// The schools module's routes: the roll of each school and its status changes and placements,
/// dropout-control cases, school rates, and the care records (talks, counselling, family contacts,
/// learning plans). Queries and writes live in the stores under `Service/`.
public enum SchoolsModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase) {
        EnrolmentController(database: database).addRoutes(to: routes)
        StatusChangeController(database: database).addRoutes(to: routes)
        PlacementController(database: database).addRoutes(to: routes)
        DropoutCaseController(database: database).addRoutes(to: routes)
        SchoolRatesController(database: database).addRoutes(to: routes)
        TalkController(database: database).addRoutes(to: routes)
        CounsellorController(database: database).addRoutes(to: routes)
        CounsellingController(database: database).addRoutes(to: routes)
        FamilyContactController(database: database).addRoutes(to: routes)
        LearningPlanController(database: database).addRoutes(to: routes)
    }
}
