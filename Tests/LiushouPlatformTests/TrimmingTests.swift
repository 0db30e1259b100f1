import Foundation
import LiushouPlatform
import Testing

/// The trims the ledger import and the clinics' CSV use answer what Foundation's answer, fast path or not.
@Suite("Trimming")
struct TrimmingTests {
    /// Characters at the ends of a cell: White_Space of every kind (the ideographic space, no-break
    /// space, line and paragraph separators, NEL, CR), their neighbours, and Chinese text.
    static let alphabet: [Character] = [
        " ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}", "\u{200B}",
        "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "a", "张", "-", "0", "é", "👍🏽",
    ]

    @Test("10,000 random strings trimmed of spaces and of white space agree with trimmingCharacters(in:)")
    func agreesWithFoundation() {
        var random = SplitMix64(seed: 42)
        var trimmed = 0
        for _ in 0..<10_000 {
            let length = Int.random(in: 0...6, using: &random)
            let text = String((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! })
            #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.unicodeScalars))")
            let inner = Substring(text)
            #expect(inner.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces))
            if text.trimmingWhitespace() != text { trimmed += 1 }
        }
        #expect(trimmed > 1_000 && trimmed < 9_000, "strings with and without an end to trim: \(trimmed) trimmed")
    }

    @Test("every scalar alone and beside a letter: both trims answer what Foundation's do")
    func everyScalar() {
        var disagreeing: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in [String(scalar), "a" + String(scalar)] {
                if text.trimmingWhitespace() != text.trimmingCharacters(in: .whitespacesAndNewlines)
                    || text.trimmingSpaces() != text.trimmingCharacters(in: .whitespaces)
                {
                    disagreeing.append(String(value, radix: 16))
                }
            }
        }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(20))")
        // The zero-width space is the one Foundation trims without the White_Space property.
        #expect("\u{200B}".trimmingWhitespace().isEmpty && !Unicode.Scalar(0x200B)!.properties.isWhitespace)
    }

    @Test("line breaks stay when only spaces are trimmed")
    func lineBreaksStay() {
        #expect(" 张三\n".trimmingSpaces() == "张三\n")
        #expect("\u{3000}张三\u{3000}".trimmingSpaces() == "张三")
        #expect(" 张三\n".trimmingWhitespace() == "张三")
        #expect("".trimmingSpaces() == "")
        #expect("\u{200B}张三".trimmingWhitespace() == "张三", "Foundation trims the zero-width space")
    }
}
