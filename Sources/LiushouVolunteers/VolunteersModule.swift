import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The volunteers module's routes: the volunteer register, pairings (结对帮扶) with their effect
/// checks, volunteers' visits, service hours and the pairing rate.
public enum VolunteersModule {
    /// `vault` seals volunteers' ID numbers; `clock` gives the day dates are judged on.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, vault: IdentifierVault, clock: ChinaClock = .system) {
        let store = VolunteerStore(vault: vault)
        let volunteer = VolunteerController(database: database, store: store, clock: clock)
        let pairing = PairingController(database: database, clock: clock)
        let progress = ProgressController(database: database, clock: clock)
        let volunteerVisit = VolunteerVisitController(database: database)
        let serviceHours = ServiceHoursController(database: database, store: store, clock: clock)

        routes.on(.post, "/v1/volunteers", .permission(.volunteersManage), handler: volunteer.register)
        routes.on(.get, "/v1/volunteers", .permission(.volunteersRead), handler: volunteer.list)
        routes.on(.get, "/v1/volunteers/:id", .permission(.volunteersRead), handler: volunteer.show)
        routes.on(.put, "/v1/volunteers/:id", .permission(.volunteersManage), handler: volunteer.change)

        routes.on(.post, "/v1/pairings", .permission(.pairingsManage), handler: pairing.create)
        routes.on(.get, "/v1/pairings", .permission(.pairingsRead), handler: pairing.list)
        routes.on(.get, "/v1/pairings/:id", .permission(.pairingsRead), handler: pairing.show)
        routes.on(.post, "/v1/pairings/:id/end", .permission(.pairingsManage), handler: pairing.end)

        routes.on(.post, "/v1/pairings/:id/progress", .permission(.pairingsAssess), handler: progress.create)
        routes.on(.get, "/v1/pairings/:id/progress", .permission(.pairingsRead), handler: progress.list)

        routes.on(.post, "/v1/volunteer-visits", .permission(.volunteerVisitsRecord), handler: volunteerVisit.record)
        routes.on(
            .post,
            "/v1/volunteer-visits/batch",
            .permission(.volunteerVisitsRecord),
            bodyLimit: 16 * 1024 * 1024,
            handler: volunteerVisit.recordBatch
        )

        routes.on(.get, "/v1/volunteers/:id/hours", .permission(.volunteersRead), handler: serviceHours.volunteerHours)
        routes.on(.get, "/v1/volunteer-hours", .permission(.volunteersRead), handler: serviceHours.unitHours)
        routes.on(.get, "/v1/me/volunteer", .permission(.volunteerVisitsRecord), handler: serviceHours.ownRecord)
        routes.on(.get, "/v1/pairing-rate", .permission(.volunteersRead), handler: serviceHours.pairingRate)
    }
}
