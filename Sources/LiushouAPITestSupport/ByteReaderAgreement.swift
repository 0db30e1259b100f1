import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import NIOCore

/// Holds a hand-written body reader (`JSONByteReadable`) to what the request decoder does without
/// it: wherever the reader answers, `JSONDecoder` (with the request's date strategy) reads the same
/// body to the same value, every batch item readable, and `JSONBodyCheck` finds nothing to refuse.
public enum ByteReaderAgreement {
    /// What `JSONDecoder` reads, or `nil` when it throws.
    public static func decoded<Value: Decodable>(_ type: Value.Type, _ body: [UInt8]) -> Value? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Date.requestDecodingStrategy
        return try? decoder.decode(Value.self, from: Data(body))
    }

    /// What the hand-written reader reads, or `nil` when it gives up.
    public static func read<Value: JSONByteReadable>(_ type: Value.Type, _ body: [UInt8]) -> Value? {
        body.withUnsafeBytes { Value.read(body: $0) }
    }

    /// Whether the body check refuses the body.
    public static func refused(_ body: [UInt8]) -> Bool {
        JSONBodyCheck.problem(in: ByteBuffer(bytes: body)) != nil
    }

    /// Where the reader answers, what it disagrees with (`nil` when it agrees or gives up): `same`
    /// compares two values exactly (numbers by their bits, strings by their bytes).
    public static func disagreement<Input: Decodable & Sendable & JSONByteReadable>(
        _ body: [UInt8],
        as type: Input.Type,
        same: (Input, Input) -> Bool
    ) -> String? {
        guard let read = Self.read(BatchBody<Input>.self, body) else { return nil }
        guard let decoded = Self.decoded(BatchBody<Input>.self, body) else { return "JSONDecoder refuses what the reader read" }
        if Self.refused(body) { return "the body check refuses what the reader read" }
        guard read.items.count == decoded.items.count else { return "item counts \(read.items.count) and \(decoded.items.count)" }
        for (index, (mine, theirs)) in zip(read.items, decoded.items).enumerated() {
            guard let mine = mine.input, let theirs = theirs.input else { return "item \(index) unreadable to JSONDecoder" }
            if !same(mine, theirs) { return "item \(index): \(mine) against \(theirs)" }
        }
        return nil
    }

    /// Bytes a mutation puts in: JSON's punctuation, escapes' letters, digits, signs, spaces,
    /// a control character, NUL and bytes of broken UTF-8.
    static let mutationBytes: [UInt8] = Array("{}[]:,\"\\ \t\n0123456789.eE+-ntfurlsaxbd/".utf8) + [0, 1, 0x7F, 0x80, 0xC3, 0xE4, 0xFF]

    /// `body` with one byte removed, doubled or replaced, or one inserted.
    public static func mutated(_ body: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        guard !body.isEmpty else { return [Self.mutationBytes.randomElement(using: &random)!] }
        var body = body
        let index = Int.random(in: 0..<body.count, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: body.remove(at: index)
        case 1: body.insert(body[index], at: index)
        case 2: body[index] = Self.mutationBytes.randomElement(using: &random)!
        default: body.insert(Self.mutationBytes.randomElement(using: &random)!, at: index)
        }
        return body
    }
}
