import HTTPTypes
import LiushouAccess
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
        let inbox = InboxController(database: database, store: store)
        let contact = ContactController(database: database, vault: vault, store: store)
        let alertRule = AlertRuleController(database: database, store: store)
        let alertChannel = AlertChannelController(database: database, vault: vault, store: store, webhookHosts: webhookHosts)
        let alertDelivery = AlertDeliveryController(database: database, store: store)

        routes.on(.get, "/v1/me/alerts", .authenticated, handler: inbox.list)
        routes.on(.post, "/v1/me/alerts/read-all", .authenticated, handler: inbox.readAll)
        routes.on(.post, "/v1/me/alerts/:id/read", .authenticated, handler: inbox.read)

        routes.on(.get, "/v1/me/contact", .authenticated, handler: contact.show)
        routes.on(.put, "/v1/me/contact", .authenticated, handler: contact.change)

        routes.on(.get, "/v1/alert-rules", .permission(.alertsManage), handler: alertRule.list)
        routes.on(.put, "/v1/alert-rules/:event", .permission(.alertsManage), handler: alertRule.change)
        routes.on(.delete, "/v1/alert-rules/:event", .permission(.alertsManage), handler: alertRule.revert)

        routes.on(.get, "/v1/alert-channels", .permission(.alertsManage), handler: alertChannel.list)
        routes.on(.post, "/v1/alert-channels", .permission(.alertsManage), handler: alertChannel.create)
        routes.on(.delete, "/v1/alert-channels/:id", .permission(.alertsManage), handler: alertChannel.remove)
        routes.on(.post, "/v1/alert-channels/:id/test", .permission(.alertsManage), handler: alertChannel.test)

        routes.on(.get, "/v1/alert-deliveries", .permission(.alertsManage), handler: alertDelivery.list)
        routes.on(.post, "/v1/alert-deliveries/:id/retry", .permission(.alertsManage), handler: alertDelivery.retry)
    }
}
