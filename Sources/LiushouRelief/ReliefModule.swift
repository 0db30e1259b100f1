import HTTPTypes
import LiushouAccess
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
        let reliefCase = ReliefCaseController(database: database, store: store, filing: ReliefCaseFiling(store: store))
        let reliefTransition = ReliefTransitionController(database: database, transitioner: ReliefTransitioner(store: store))
        let reliefReport = ReliefReportController(database: database, reads: reads ?? ReadDatabase(primary: database), store: store, clock: clock)
        let reliefCaseType = ReliefCaseTypeController(database: database, store: store)
        let reliefCalendar = ReliefCalendarController(database: database, store: store, clock: clock)

        routes.on(.post, "/v1/relief/cases", .permission(.reliefRaise), handler: reliefCase.create)
        routes.on(.get, "/v1/relief/cases/:id", .permission(.reliefRead), handler: reliefCase.read)
        routes.on(.get, "/v1/relief/cases", .permission(.reliefRead), handler: reliefCase.list)

        routes.on(.post, "/v1/relief/cases/:id/transitions", .permission(.reliefRead), handler: reliefTransition.transition)

        routes.on(.get, "/v1/relief/overdue", .permission(.reliefReports), handler: reliefReport.overdue)
        routes.on(.get, "/v1/relief/indicators", .permission(.reliefReports), handler: reliefReport.indicators)
        routes.on(.get, "/v1/relief/payments.csv", .permission(.reliefReports), handler: reliefReport.payments)

        routes.on(.get, "/v1/relief/case-types", .permission(.reliefRead), handler: reliefCaseType.list)
        routes.on(.post, "/v1/relief/case-types", .permission(.reliefRules), handler: reliefCaseType.add)

        routes.on(.get, "/v1/relief/calendar", .permission(.reliefRead), handler: reliefCalendar.read)
        routes.on(.put, "/v1/relief/calendar", .permission(.reliefRules), handler: reliefCalendar.set)
    }
}
