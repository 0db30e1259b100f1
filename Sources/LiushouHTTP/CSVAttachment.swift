import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A CSV file to download: UTF-8, saved under `filename` (ASCII) by the browser.
public struct CSVAttachment: ResponseGenerator {
    private let text: String
    private let filename: String
    private let headers: HTTPFields

    /// `headers` are sent too (a `Link` to the next page, where the data was read).
    public init(_ text: String, filename: String, headers: HTTPFields = [:]) {
        self.text = text
        self.filename = filename
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(self.filename)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.text)))
    }
}
