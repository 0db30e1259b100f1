import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The legal-aid module's routes: cases (confidential, every read audited), their workflow and
/// notes, the matters and each county's rules, the office's lists and indicators, and what every
/// reader of a person sees (that a case exists, and its stage).
public enum LegalAidModule {
    /// `clock` gives "today" for closing dates, the indicators' default period and intake checks.
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, clock: ChinaClock = .system) {
        let legalCase = LegalCaseController(database: database, clock: clock)
        let legalTransition = LegalTransitionController(database: database, transitioner: LegalTransitioner(clock: clock))
        let legalNote = LegalNoteController(database: database)
        let personLegalCase = PersonLegalCaseController(database: database)
        let legalMatter = LegalMatterController(database: database)
        let legalSettings = LegalSettingsController(database: database)
        let legalReport = LegalReportController(database: database, clock: clock)

        routes.on(.post, "/v1/legal-cases", .permission(.legalAidManage), handler: legalCase.open)
        routes.on(.get, "/v1/legal-cases", .permission(.legalAidRead), handler: legalCase.list)
        routes.on(.get, "/v1/legal-cases/:id", .permission(.legalAidRead), handler: legalCase.read)

        routes.on(.post, "/v1/legal-cases/:id/\(LegalAction.decide.path)", .permission(.legalAidManage), handler: legalTransition.decide)
        routes.on(.post, "/v1/legal-cases/:id/\(LegalAction.review.path)", .permission(.legalAidManage), handler: legalTransition.review)
        routes.on(.post, "/v1/legal-cases/:id/\(LegalAction.assign.path)", .permission(.legalAidManage), handler: legalTransition.assign)
        routes.on(.post, "/v1/legal-cases/:id/\(LegalAction.firstContact.path)", .permission(.legalAidManage), handler: legalTransition.firstContact)
        routes.on(.post, "/v1/legal-cases/:id/\(LegalAction.close.path)", .permission(.legalAidManage), handler: legalTransition.close)

        routes.on(.post, "/v1/legal-cases/:id/notes", .permission(.legalAidManage), handler: legalNote.add)

        routes.on(.get, "/v1/persons/:id/legal-cases", .permission(.personsRead), handler: personLegalCase.list)

        routes.on(.get, "/v1/legal-aid/matters", .permission(.legalAidRead), handler: legalMatter.list)
        routes.on(.post, "/v1/legal-aid/matters", .permission(.legalAidConfigure), handler: legalMatter.add)

        routes.on(.get, "/v1/legal-aid/settings/:countyId", .permission(.legalAidRead), handler: legalSettings.read)
        routes.on(.put, "/v1/legal-aid/settings/:countyId", .permission(.legalAidConfigure), handler: legalSettings.change)

        routes.on(.get, "/v1/legal-aid/overdue", .permission(.legalAidRead), handler: legalReport.overdue)
        routes.on(.get, "/v1/legal-aid/indicators", .permission(.legalAidRead), handler: legalReport.indicators)
    }
}
