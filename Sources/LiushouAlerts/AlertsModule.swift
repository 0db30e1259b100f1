import LiushouHTTP
import LiushouPlatform

/// The alerts module's routes: the inbox and contact settings of every user, and the rules,
/// channels and dead letters of administrators. Delivery runs in `AlertDeliveryService`.
public enum AlertsModule {
    /// `webhookHosts`: the hosts group robots may be called at.
    public static func addRoutes(
        to routes: SecuredRoutes,
        database: TenantDatabase,
        vault: IdentifierVault,
        webhookHosts: Set<String> = WebhookURL.defaultHosts
    ) {
        let store = AlertStore()
        InboxController(database: database, store: store).addRoutes(to: routes)
        ContactController(database: database, vault: vault, store: store).addRoutes(to: routes)
        AlertRuleController(database: database, store: store).addRoutes(to: routes)
        AlertChannelController(database: database, vault: vault, store: store, webhookHosts: webhookHosts).addRoutes(to: routes)
        AlertDeliveryController(database: database, store: store).addRoutes(to: routes)
    }
}
