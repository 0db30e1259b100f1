import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform

/// The registry's routes: person files, households, the printable contact card and the 台账 import
/// and export. `service` and `repository` are shared with the command line's import.
public enum RegistryModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, service: PersonService, repository: any PersonRepository) {
        let person = PersonController(database: database, service: service, repository: repository)
        let contactCard = ContactCardController(database: database, service: service, repository: repository)
        let ledger = LedgerController(database: database, importer: PersonImporter(service: service, repository: repository), repository: repository)
        let household = HouseholdController(database: database, store: HouseholdStore())

        routes.on(.post, "/v1/persons", .permission(.personsWrite), handler: person.create)
        routes.on(.get, "/v1/persons", .permission(.personsRead), handler: person.list)
        routes.on(.get, "/v1/persons/:id", .permission(.personsRead), handler: person.read)
        routes.on(.put, "/v1/persons/:id", .permission(.personsWrite), handler: person.update)
        routes.on(.post, "/v1/persons/:id/exit", .permission(.personsWrite), handler: person.exit)
        routes.on(.post, "/v1/persons/:id/reactivate", .permission(.personsWrite), handler: person.reactivate)
        routes.on(.post, "/v1/persons/:id/check", .permission(.personsCheck), handler: person.check)
        routes.on(.get, "/v1/persons/:id/history", .permission(.personsRead), handler: person.history)
        routes.on(.get, "/v1/persons/:id/timeline", .permission(.personsRead), handler: person.timeline)

        routes.on(.get, "/v1/persons/:id/contact-card", .permission(.personsRead), handler: contactCard.card)

        routes.on(.post, "/v1/imports/persons", .permission(.personsImport), bodyLimit: 64 * 1024 * 1024, handler: ledger.importLedger)
        routes.on(.get, "/v1/exports/persons", .permission(.personsExport), handler: ledger.exportLedger)

        routes.on(.post, "/v1/households", .permission(.personsWrite), handler: household.create)
        routes.on(.get, "/v1/households/:id", .permission(.personsRead), handler: household.read)
    }
}
