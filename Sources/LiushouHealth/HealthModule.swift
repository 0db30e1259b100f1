import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The health module's routes: clinics' checkup uploads (one, or a batch as JSON or CSV), a person's
/// health file and summary, and the dashboard's checkup coverage. `vault` finds people by ID number;
/// `clock` gives today (checkups in the future are refused, due dates are judged on it).
public enum HealthModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, vault: IdentifierVault, clock: ChinaClock = .system) {
        let store = HealthStore()
        let checkup = CheckupController(database: database, recorder: CheckupRecorder(vault: vault, clock: clock))
        let healthFile = HealthFileController(database: database, store: store, clock: clock)
        let healthCoverage = HealthCoverageController(database: database, store: store)

        routes.on(.post, "/v1/checkups", .permission(.healthRecord), handler: checkup.record)
        routes.on(.post, "/v1/checkups/batch", .permission(.healthRecord), bodyLimit: 16 * 1024 * 1024, handler: checkup.recordBatch)

        routes.on(.get, "/v1/persons/:id/health", .permission(.personsRead), handler: healthFile.read)
        routes.on(.put, "/v1/persons/:id/health-file", .permission(.healthRecord), handler: healthFile.change)

        routes.on(.get, "/v1/health-coverage", .permission(.indicatorsRead), handler: healthCoverage.coverage)
    }
}
