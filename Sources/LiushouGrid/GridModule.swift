import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The grid's routes: door checks and the visit obligations they satisfy, the visit rules behind
/// them, the follow-ups visits and checkups open, mandatory safeguarding reports, and households
/// moved between the grids of their village.
public enum GridModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase) {
        let doorCheck = DoorCheckController(database: database, recorder: DoorCheckRecorder(), store: DoorCheckStore())
        let obligation = ObligationController(database: database, store: ObligationStore())
        let visitRule = VisitRuleController(database: database, store: VisitRuleStore())
        let followUp = FollowUpController(database: database, store: FollowUpStore())
        let safeguarding = SafeguardingController(database: database, store: SafeguardingStore())
        let householdMove = HouseholdMoveController(database: database, store: HouseholdMoveStore())

        routes.on(.post, "/v1/door-checks", .permission(.checksRecord), handler: doorCheck.record)
        routes.on(.post, "/v1/door-checks/batch", .permission(.checksRecord), bodyLimit: 16 * 1024 * 1024, handler: doorCheck.recordBatch)
        routes.on(.get, "/v1/persons/:id/door-checks", .permission(.personsRead), handler: doorCheck.list)

        routes.on(.get, "/v1/persons/:id/obligations", .permission(.personsRead), handler: obligation.obligations)
        routes.on(.get, "/v1/tasks", .permission(.checksRecord), handler: obligation.tasks)
        routes.on(.get, "/v1/overdue", .permission(.visitsRead), handler: obligation.overdue)

        routes.on(.get, "/v1/units/:id/visit-rules", .permission(.visitsRead), handler: visitRule.list)
        routes.on(.put, "/v1/units/:id/visit-rules/:key", .permission(.visitRulesManage), handler: visitRule.set)

        routes.on(.get, "/v1/follow-ups", .permission(.followUpsHandle), handler: followUp.list)
        routes.on(.post, "/v1/follow-ups/:id/resolve", .permission(.followUpsHandle), handler: followUp.resolve)

        routes.on(.post, "/v1/safeguarding-reports", .permission(.safeguardingReport), handler: safeguarding.create)
        routes.on(.get, "/v1/safeguarding-reports", .permission(.safeguardingRead), handler: safeguarding.list)
        routes.on(.get, "/v1/safeguarding-reports/:id", .permission(.safeguardingReport), handler: safeguarding.read)
        routes.on(.post, "/v1/safeguarding-reports/:id/police", .permission(.safeguardingRead), handler: safeguarding.recordPolice)
        routes.on(.post, "/v1/safeguarding-reports/:id/acknowledge", .permission(.safeguardingRead), handler: safeguarding.acknowledge)

        routes.on(.post, "/v1/households/:id/move", .permission(.personsWrite), handler: householdMove.move)
        routes.on(.get, "/v1/households/:id/moves", .permission(.personsRead), handler: householdMove.moves)
    }
}
