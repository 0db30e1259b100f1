import LiushouHTTP
import LiushouPlatform

/// The grid's routes: door checks and the visit obligations they satisfy, the visit rules behind
/// them, the follow-ups visits and checkups open, mandatory safeguarding reports, and households
/// moved between the grids of their village.
public enum GridModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase) {
        DoorCheckController(database: database, recorder: DoorCheckRecorder(), store: DoorCheckStore()).addRoutes(to: routes)
        ObligationController(database: database, store: ObligationStore()).addRoutes(to: routes)
        VisitRuleController(database: database, store: VisitRuleStore()).addRoutes(to: routes)
        FollowUpController(database: database, store: FollowUpStore()).addRoutes(to: routes)
        SafeguardingController(database: database, store: SafeguardingStore()).addRoutes(to: routes)
        HouseholdMoveController(database: database, store: HouseholdMoveStore()).addRoutes(to: routes)
    }
}
