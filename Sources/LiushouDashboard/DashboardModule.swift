import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The dashboard module's routes: the joint meeting's indicators, their definitions, weekly trends
/// and CSV. Weekly snapshots are taken by `DashboardSnapshots`.
public enum DashboardModule {
    /// `reads` may send the routes' reads to a replica; without it they run on `database`.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, reads: ReadDatabase? = nil) {
        let dashboard = DashboardController(reads: reads ?? ReadDatabase(primary: database))

        routes.on(.get, "/v1/dashboard", .permission(.indicatorsRead), handler: dashboard.dashboard)
        routes.on(.get, "/v1/dashboard/definitions", .permission(.indicatorsRead), handler: dashboard.definitions)
        routes.on(.get, "/v1/dashboard/trend", .permission(.indicatorsRead), handler: dashboard.trend)
        routes.on(.get, "/v1/dashboard.csv", .permission(.indicatorsRead), handler: dashboard.csv)
    }
}
