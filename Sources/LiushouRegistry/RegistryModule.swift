import LiushouHTTP
import LiushouPlatform

/// The registry's routes: person files, households, the printable contact card and the 台账 import
/// and export. `service` and `repository` are shared with the command line's import.
public enum RegistryModule {
    public static func addRoutes(to routes: SecuredRoutes, database: TenantDatabase, service: PersonService, repository: any PersonRepository) {
        PersonController(database: database, service: service, repository: repository).addRoutes(to: routes)
        ContactCardController(database: database, service: service, repository: repository).addRoutes(to: routes)
        LedgerController(database: database, importer: PersonImporter(service: service, repository: repository), repository: repository)
            .addRoutes(to: routes)
        HouseholdController(database: database, store: HouseholdStore()).addRoutes(to: routes)
    }
}
