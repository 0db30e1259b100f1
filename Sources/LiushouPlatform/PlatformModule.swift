import LiushouHTTP

/// The platform's routes: login, sessions and the second factor; units, users and service accounts;
/// the audit log.
public enum PlatformModule {
    public static func addRoutes(
        to routes: SecuredRoutes,
        database: TenantDatabase,
        auth: AuthService,
        twoFactor: TwoFactorService,
        hasher: PasswordHasher
    ) {
        AuthController(auth: auth, twoFactor: twoFactor).addRoutes(to: routes)
        TwoFactorController(service: twoFactor).addRoutes(to: routes)
        OrgUnitController(database: database, repository: PostgresOrgUnitRepository()).addRoutes(to: routes)
        UserController(database: database, hasher: hasher).addRoutes(to: routes)
        ServiceAccountController(database: database).addRoutes(to: routes)
        AuditController(database: database, store: AuditStore()).addRoutes(to: routes)
    }
}
