import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body; a decoding failure becomes a 400 problem that names the field's path
    /// (`members[1].age`) without echoing the value, and an oversized body a 413.
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> Value {
        let buffer = try await self.body.collect(upTo: context.maxUploadSize)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Value.self, from: Data(buffer.readableBytesView))
    }
}
