import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// A request the HTTP parser refuses (a request line or headers over 80 KiB, a malformed line)
/// answers a 400 `application/problem+json` like every other refusal, instead of a bare 400 with an
/// empty body, and the connection closes (the rest of its bytes cannot be trusted).
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answered else { return }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !self.answered else { return }
        self.answered = true
        let detail: String
        switch parserError {
        case .headerOverflow: detail = "The request line or headers exceed 80 KiB (a query this long belongs in a request body)."
        default: detail = "The request line or headers are malformed."
        }
        let body = ByteBuffer(
            string: #"{"code":"malformed_request","detail":""# + detail + #"","status":400,"#
                + #""title":"The request cannot be read","type":"https://liushou.example/problems/malformed-request"}"#
        )
        var head = HTTPResponse(status: .badRequest)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
