import Foundation
import Hummingbird
import NIOPosix
import LiushouPostgres

extension Request {
    /// Decodes a JSON body; a decoding failure becomes a 400 problem that names the field's path
    /// (`members[1].age`) without echoing the value, and an oversized body a 413. A key sent twice
    /// in one object, a NUL character or an unpaired surrogate is refused with a 400 naming the field.
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: AppRequestContext) async throws -> Value {
        let buffer = try await self.body.collect(upTo: context.maxUploadSize)
        // A large body (an offline batch) is checked on a thread of the pool, not on the few threads of the concurrency pool.
        let problem = buffer.readableBytes > 64 * 1024
            ? try await NIOThreadPool.singleton.runIfActive { JSONBodyCheck.problem(in: buffer) }
            : JSONBodyCheck.problem(in: buffer)
        if let problem { throw problem }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Date.requestDecodingStrategy
        return try decoder.decode(Value.self, from: Data(buffer.readableBytesView))
    }
}
