import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Graceful shutdown without cut connections. Hummingbird closes an idle kept-alive connection as
/// soon as shutdown starts, so a request the client sends at that moment is reset unanswered.
/// Here, once shutdown starts (`ChannelShouldQuiesceEvent`), a request in flight finishes and its
/// answer says `Connection: close`; a new request within `linger` answers 503 with `Retry-After`
/// and `Connection: close`; a connection still idle after `linger` is closed.
final class ShutdownDrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let linger: TimeAmount
    private var draining = false
    private var inFlight = 0
    /// Swallowing the rest of a request that is answered 503.
    private var refusing = false
    private var lingerTask: Scheduled<Void>?

    init(linger: TimeAmount) {
        self.linger = linger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if self.refusing {
            if case .end = part { self.refuse(context: context) }
            return
        }
        guard case .head = part else {
            context.fireChannelRead(data)
            return
        }
        if self.draining, self.inFlight == 0 {
            self.lingerTask?.cancel()
            self.refusing = true
            return
        }
        self.inFlight += 1
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head) where self.draining:
            head.headerFields[.connection] = "close"
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            self.inFlight = max(0, self.inFlight - 1)
            if self.draining, self.inFlight == 0 {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.draining = true
        guard self.inFlight == 0, !self.refusing else { return }
        self.lingerTask = context.eventLoop.assumeIsolated().scheduleTask(in: self.linger) {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.lingerTask?.cancel()
        context.fireChannelInactive()
    }

    private func refuse(context: ChannelHandlerContext) {
        self.refusing = false
        let body = ByteBuffer(
            string: #"{"code":"shutting_down","detail":"The server is restarting. Retry the same request.","status":503,"#
                + #""title":"Service temporarily unavailable","type":"https://liushou.example/problems/shutting-down"}"#
        )
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.retryAfter] = "1"
        head.headerFields[.connection] = "close"
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}
