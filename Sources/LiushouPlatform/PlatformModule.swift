import HTTPTypes
import LiushouAccess
import LiushouHTTP

/// The platform's routes: login, sessions and the second factor; units, users and service accounts;
/// the audit log.
public enum PlatformModule {
    public static func addRoutes(
        to routes: SecuredRoutes,
        database: TenantDatabase,
        auth authService: AuthService,
        twoFactor twoFactorService: TwoFactorService,
        hasher: PasswordHasher
    ) {
        let auth = AuthController(auth: authService, twoFactor: twoFactorService)
        let twoFactor = TwoFactorController(service: twoFactorService)
        let orgUnit = OrgUnitController(database: database, repository: PostgresOrgUnitRepository())
        let user = UserController(database: database, hasher: hasher)
        let serviceAccount = ServiceAccountController(database: database)
        let audit = AuditController(database: database, store: AuditStore())

        routes.open(.post, "/v1/auth/login", handler: auth.login)
        routes.on(.post, "/v1/auth/logout", .session, handler: auth.logout)
        routes.on(.post, "/v1/auth/password", .passwordChange, handler: auth.changePassword)
        routes.on(.get, "/v1/auth/me", .session, handler: auth.me)

        routes.on(.post, "/v1/auth/two-factor/enrol", .session, handler: twoFactor.enrol)
        routes.on(.post, "/v1/auth/two-factor/confirm", .session, handler: twoFactor.confirm)
        routes.on(.post, "/v1/auth/two-factor/verify", .session, handler: twoFactor.verify)

        routes.on(.post, "/v1/units", .permission(.unitsManage), handler: orgUnit.create)
        routes.on(.get, "/v1/units/:id", .permission(.unitsRead), handler: orgUnit.read)
        routes.on(.get, "/v1/units/:id/children", .permission(.unitsRead), handler: orgUnit.children)
        routes.on(.get, "/v1/units/:id/service-area", .permission(.unitsRead), handler: orgUnit.serviceArea)
        routes.on(.put, "/v1/units/:id/service-area", .permission(.unitsManage), handler: orgUnit.replaceServiceArea)
        routes.on(.patch, "/v1/units/:id", .permission(.unitsManage), handler: orgUnit.rename)
        routes.on(.post, "/v1/units/:id/move", .permission(.unitsManage), handler: orgUnit.move)
        routes.on(.post, "/v1/units/:id/deactivate", .permission(.unitsManage), handler: orgUnit.deactivate)

        routes.on(.post, "/v1/users", .permission(.usersManage), handler: user.create)
        routes.on(.get, "/v1/users", .permission(.usersRead), handler: user.list)
        routes.on(.get, "/v1/users/:id", .permission(.usersRead), handler: user.read)
        routes.on(.post, "/v1/users/:id/grants", .permission(.usersManage), handler: user.grant)
        routes.on(.post, "/v1/users/:id/grants/:grantId/revoke", .permission(.usersManage), handler: user.revoke)
        routes.on(.post, "/v1/users/:id/reset-password", .permission(.usersManage), handler: user.resetPassword)
        routes.on(.post, "/v1/users/:id/reset-two-factor", .permission(.usersManage), handler: user.resetTwoFactor)
        routes.on(.post, "/v1/users/:id/disable", .permission(.usersManage), handler: user.disable)

        routes.on(.post, "/v1/service-accounts", .permission(.serviceAccountsManage), handler: serviceAccount.create)
        routes.on(.post, "/v1/service-accounts/:id/tokens", .permission(.serviceAccountsManage), handler: serviceAccount.issue)
        routes.on(.post, "/v1/service-accounts/:id/tokens/:tokenId/revoke", .permission(.serviceAccountsManage), handler: serviceAccount.revoke)

        routes.on(.get, "/v1/audit/verify", .permission(.auditRead), handler: audit.verify)
        routes.on(.get, "/v1/audit", .permission(.auditRead), handler: audit.list)
    }
}
