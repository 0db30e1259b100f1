import LiushouHTTP
import LiushouPlatform

/// The dashboard module's routes: the joint meeting's indicators, their definitions, weekly trends
/// and CSV. Weekly snapshots are taken by `SnapshotService`.
public enum DashboardModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase) {
        DashboardController(database: database).addRoutes(to: routes)
    }
}
