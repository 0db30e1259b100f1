import LiushouHTTP
import LiushouPlatform

/// The volunteers module's routes: the volunteer register, pairings (结对帮扶) with their effect
/// checks, volunteers' visits, service hours and the pairing rate.
public enum VolunteersModule {
    /// `vault` seals volunteers' ID numbers; `clock` gives the day dates are judged on.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, vault: IdentifierVault, clock: ChinaClock = .system) {
        let store = VolunteerStore(vault: vault)
        VolunteerController(database: database, store: store, clock: clock).addRoutes(to: routes)
        PairingController(database: database, clock: clock).addRoutes(to: routes)
        ProgressController(database: database, clock: clock).addRoutes(to: routes)
        VolunteerVisitController(database: database).addRoutes(to: routes)
        ServiceHoursController(database: database, store: store, clock: clock).addRoutes(to: routes)
    }
}
