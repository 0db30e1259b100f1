import Foundation
import Hummingbird
import LiushouPostgres
import NIOPosix

/// The request decoder of `AppRequestContext`: a JSON body within the route's limit, checked by
/// `JSONBodyCheck` (before decoding, or while a large body is decoded; the check's refusal answers
/// either way and nothing decoded from a refused body is used). A decoding failure becomes a 400 problem that names the field's path (`members[1].age`)
/// without echoing the value, an oversized body a 413; a key sent twice in one object, a NUL character
/// or an unpaired surrogate is refused with a 400 naming the field.
public struct CheckedJSONRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let limit = (context as? AppRequestContext)?.maxUploadSize ?? AppRequestContext.defaultMaxBodyBytes
        let buffer = try await request.body.collect(upTo: limit)
        // A plain batch (or check) is read by hand, unchecked: what the reader accepts holds nothing
        // the body check refuses (`JSONByteReader`). Anything else is checked and decoded as below.
        if let readable = T.self as? any JSONByteReadable.Type,
            let value = buffer.withUnsafeReadableBytes({ readable.read(body: $0) }) as? T
        {
            return value
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Date.requestDecodingStrategy
        guard buffer.readableBytes > 64 * 1024 else {
            if let problem = JSONBodyCheck.problem(in: buffer) { throw problem }
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        }
        // A large body (an offline batch) is checked on a thread of the pool, not on the few threads
        // of the concurrency pool, while it is decoded here: a batch's upload waits for the longer of
        // the two, not for both. The check's refusal still comes first; the value decoded from a
        // refused body is dropped.
        async let problem = NIOThreadPool.singleton.runIfActive { JSONBodyCheck.problem(in: buffer) }
        let decoded = Result { try decoder.decode(T.self, from: Data(buffer.readableBytesView)) }
        if let problem = try await problem { throw problem }
        return try decoded.get()
    }
}

extension Request {
    /// Decodes a JSON body with the context's decoder (`CheckedJSONRequestDecoder`).
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> Value {
        try await context.requestDecoder.decode(Value.self, from: self, context: context)
    }
}
