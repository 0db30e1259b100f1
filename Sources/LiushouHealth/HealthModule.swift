import LiushouHTTP
import LiushouPlatform

/// The health module's routes: clinics' checkup uploads (one, or a batch as JSON or CSV), a person's
/// health file and summary, and the dashboard's checkup coverage. `vault` finds people by ID number;
/// `clock` gives today (checkups in the future are refused, due dates are judged on it).
public enum HealthModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, vault: IdentifierVault, clock: ChinaClock = .system) {
        let store = HealthStore()
        CheckupController(database: database, recorder: CheckupRecorder(vault: vault, clock: clock)).addRoutes(to: routes)
        HealthFileController(database: database, store: store, clock: clock).addRoutes(to: routes)
        HealthCoverageController(database: database, store: store).addRoutes(to: routes)
    }
}
