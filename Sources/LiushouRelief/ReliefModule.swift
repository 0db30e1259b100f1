import LiushouHTTP
import LiushouPlatform

/// The relief module's routes: cases and their workflow, the county's case types and working-day
/// calendar, and the town's lists, indicators and payment book.
public enum ReliefModule {
    /// `clock` gives the default year of the calendar and the default day of the indicators; the
    /// workflow's own dates come from the database (`now() at time zone 'Asia/Shanghai'`).
    /// `reads` may send the town's lists and indicators to a replica; without it they run on `database`.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, reads: ReadDatabase? = nil, clock: ChinaClock = .system) {
        let store = ReliefCaseStore()
        ReliefCaseController(database: database, store: store, filing: ReliefCaseFiling(store: store)).addRoutes(to: routes)
        ReliefTransitionController(database: database, transitioner: ReliefTransitioner(store: store)).addRoutes(to: routes)
        ReliefReportController(database: database, reads: reads ?? ReadDatabase(primary: database), store: store, clock: clock).addRoutes(to: routes)
        ReliefCaseTypeController(database: database, store: store).addRoutes(to: routes)
        ReliefCalendarController(database: database, store: store, clock: clock).addRoutes(to: routes)
    }
}
