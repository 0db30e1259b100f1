import Foundation

/// A batch item that still answers when it cannot be decoded: by its `id` when it has a readable one.
public struct LenientItem<Input: Decodable & Sendable>: Decodable, Sendable {
    /// The decoded item, if it could be read.
    public var input: Input?
    /// The item's `id`, if readable.
    public var id: UUID?
    /// Why it could not be read.
    public var problem: String?

    private enum Keys: String, CodingKey {
        case id
    }

    public init(from decoder: any Decoder) throws {
        do {
            let input = try Input(from: decoder)
            self.input = input
            self.id = try? decoder.container(keyedBy: Keys.self).decodeIfPresent(UUID.self, forKey: .id)
        } catch {
            self.id = try? decoder.container(keyedBy: Keys.self).decodeIfPresent(UUID.self, forKey: .id)
            self.problem = RequestDecodingFailure.describe(error)
        }
    }
}
