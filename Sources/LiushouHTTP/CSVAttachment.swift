import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A CSV file to download: UTF-8, saved under `filename` (ASCII) by the browser, or under
/// `displayName` (say 甲村台账.csv) by browsers that read RFC 6266's `filename*`, which all current ones do.
public struct CSVAttachment: ResponseGenerator {
    private let text: String
    private let filename: String
    private let displayName: String?
    private let headers: HTTPFields

    /// `headers` are sent too (a `Link` to the next page, where the data was read).
    public init(_ text: String, filename: String, displayName: String? = nil, headers: HTTPFields = [:]) {
        self.text = text
        self.filename = filename
        self.displayName = displayName
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "text/csv; charset=utf-8"
        var disposition = "attachment; filename=\"\(self.filename)\""
        if let displayName = self.displayName,
            let encoded = displayName.addingPercentEncoding(withAllowedCharacters: Self.attributeCharacters)
        {
            disposition += "; filename*=UTF-8''" + encoded
        }
        headers[.contentDisposition] = disposition
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.text)))
    }

    /// RFC 5987's attr-char: what `filename*` may hold unencoded.
    private static let attributeCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
}
