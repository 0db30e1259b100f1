import LiushouHTTP
import LiushouPlatform

/// The dashboard module's routes: the joint meeting's indicators, their definitions, weekly trends
/// and CSV. Weekly snapshots are taken by `DashboardSnapshots`.
public enum DashboardModule {
    /// `reads` may send the routes' reads to a replica; without it they run on `database`.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, reads: ReadDatabase? = nil) {
        DashboardController(reads: reads ?? ReadDatabase(primary: database)).addRoutes(to: routes)
    }
}
