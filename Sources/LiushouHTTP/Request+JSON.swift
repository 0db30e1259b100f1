import Foundation
import Hummingbird
import LiushouPostgres
import NIOPosix

/// The request decoder of `AppRequestContext`: a JSON body within the route's limit, checked before
/// decoding. A decoding failure becomes a 400 problem that names the field's path (`members[1].age`)
/// without echoing the value, an oversized body a 413; a key sent twice in one object, a NUL character
/// or an unpaired surrogate is refused with a 400 naming the field.
public struct CheckedJSONRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let limit = (context as? AppRequestContext)?.maxUploadSize ?? AppRequestContext.defaultMaxBodyBytes
        let buffer = try await request.body.collect(upTo: limit)
        // A large body (an offline batch) is checked on a thread of the pool, not on the few threads of the concurrency pool.
        let problem =
            buffer.readableBytes > 64 * 1024
            ? try await NIOThreadPool.singleton.runIfActive { JSONBodyCheck.problem(in: buffer) }
            : JSONBodyCheck.problem(in: buffer)
        if let problem { throw problem }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Date.requestDecodingStrategy
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

extension Request {
    /// Decodes a JSON body with the context's decoder (`CheckedJSONRequestDecoder`).
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> Value {
        try await context.requestDecoder.decode(Value.self, from: self, context: context)
    }
}
