import Foundation
import LiushouPostgres

/// A batch item that still answers when it cannot be decoded: by its `id` when it has a readable one.
public struct LenientItem<Input: Decodable & Sendable>: Decodable, Sendable {
    /// The decoded item, if it could be read.
    public var input: Input?
    /// The `id` of an item that could not be read, if that much is readable (an item that was read
    /// answers with the id its recorder gives).
    public var id: UUID?
    /// Why it could not be read.
    public var problem: String?

    /// An item that was read.
    public init(input: Input) {
        self.input = input
    }

    private enum Keys: String, CodingKey {
        case id
    }

    public init(from decoder: any Decoder) throws {
        do {
            self.input = try Input(from: decoder)
        } catch {
            self.id = try? decoder.container(keyedBy: Keys.self).decodeUUIDIfPresent(forKey: .id)
            self.problem = RequestDecodingFailure.describe(error)
        }
    }
}
