import LiushouHTTP

/// Where an audited action came from: a request (its id and client address) or a local command.
public struct AuditOrigin: Sendable {
    public var requestID: String?
    public var clientAddress: String?

    public init(requestID: String?, clientAddress: String?) {
        self.requestID = requestID
        self.clientAddress = clientAddress
    }

    /// The origin of a request.
    public init(_ context: AppRequestContext) {
        self.init(requestID: context.requestID, clientAddress: context.clientAddress)
    }

    /// A command run on the server's machine (`liushou import …`).
    public static func command(_ name: String) -> AuditOrigin {
        AuditOrigin(requestID: nil, clientAddress: "local:\(name)")
    }
}
