import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` (RFC 9110 §10.1.1: a server that will read the
/// content must say so, or answer with a final status). curl, .NET and Java HTTP clients send the
/// expectation with large bodies, such as a clinic's batch of 5,000 checkups, and without the
/// interim answer each request waited about a second before sending its body.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var request) = self.unwrapInboundIn(data),
            let expectation = request.headerFields[.expect],
            expectation.lowercased() == "100-continue"
        else {
            context.fireChannelRead(data)
            return
        }
        context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        request.headerFields[.expect] = nil
        context.fireChannelRead(self.wrapInboundOut(.head(request)))
    }
}
