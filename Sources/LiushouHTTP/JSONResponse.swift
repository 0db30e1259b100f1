import Foundation
import HTTPTypes
import Hummingbird
import LiushouPostgres
import NIOCore

/// A JSON response with an explicit status (dates as ISO 8601).
public struct JSONResponse: ResponseGenerator {
    private let data: Data
    private let status: HTTPResponse.Status
    private let headers: HTTPFields

    /// Encodes `value`.
    public init(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.data = try encoder.encode(value)
        self.status = status
        self.headers = headers
    }

    /// JSON written by hand (`JSONText`), as `JSONEncoder` above would write the value it stands for.
    public init(_ json: JSONText, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        precondition(!json.canonical, "an answer leaves `/` unescaped, as JSONResponse's encoder does")
        self.data = Data(json.utf8)
        self.status = status
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: self.data)))
    }
}
