import LiushouHTTP
import LiushouPlatform

/// The legal-aid module's routes: cases (confidential, every read audited), their workflow and
/// notes, the matters and each county's rules, the office's lists and indicators, and what every
/// reader of a person sees (that a case exists, and its stage).
public enum LegalAidModule {
    /// `clock` gives "today" for closing dates, the indicators' default period and intake checks.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, clock: ChinaClock = .system) {
        LegalCaseController(database: database, clock: clock).addRoutes(to: routes)
        LegalTransitionController(database: database, transitioner: LegalTransitioner(clock: clock)).addRoutes(to: routes)
        LegalNoteController(database: database).addRoutes(to: routes)
        PersonLegalCaseController(database: database).addRoutes(to: routes)
        LegalMatterController(database: database).addRoutes(to: routes)
        LegalSettingsController(database: database).addRoutes(to: routes)
        LegalReportController(database: database, clock: clock).addRoutes(to: routes)
    }
}
