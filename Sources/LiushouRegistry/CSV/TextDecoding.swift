import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes ledger files as Excel writes them: UTF-8 (with or without a byte-order mark) or GBK
/// (GB 18030, its superset, through the C library's iconv).
public enum TextDecoding {
    /// The encoding a file was read in.
    public enum Encoding: String, Sendable, Codable {
        case utf8 = "utf-8"
        case gbk
    }

    /// Why a file cannot be read.
    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        case notText

        public var description: String { "the file is neither UTF-8 nor GBK text" }
    }

    /// Decodes `data`: a UTF-8 BOM or valid UTF-8 is read as UTF-8, anything else as GBK.
    public static func decode(_ data: Data) throws -> (text: String, encoding: Encoding) {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) {
            return (text, .utf8)
        }
        return (try self.gb18030(bytes), .gbk)
    }

    /// Bytes that are neither UTF-8 nor GBK, where a person finds them: the file's line and the
    /// character of that line (both from 1) at which they start.
    public struct UnreadableBytes: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    /// Decodes `data` like `decode(_:)`, but a GBK file with bytes that cannot be read is still
    /// decoded, each bad byte replaced by U+FFFD, and the first bad place of each line reported.
    public static func decodeReportingUnreadable(_ data: Data) -> (text: String, encoding: Encoding, unreadable: [UnreadableBytes]) {
        if let decoded = try? self.decode(data) { return (decoded.text, decoded.encoding, []) }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let (output, badOutputOffsets) = self.convertReplacing(Data(bytes), from: "GB18030")
        var unreadable: [UnreadableBytes] = []
        var seenLines = Set<Int>()
        for offset in badOutputOffsets {
            let before = output[..<offset]
            let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            guard seenLines.insert(line).inserted else { continue }
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let column = String(decoding: output[lineStart..<offset], as: UTF8.self).count + 1
            unreadable.append(UnreadableBytes(line: line, column: column))
        }
        return (String(decoding: output, as: UTF8.self), .gbk, unreadable)
    }

    /// Converts to UTF-8, replacing each byte iconv cannot read with U+FFFD; answers the output and the
    /// output offsets at which replacements start.
    private static func convertReplacing(_ data: Data, from source: String) -> (output: [UInt8], bad: [Int]) {
        let converter = iconv_open("UTF-8", source)
        guard converter != iconv_t(bitPattern: -1) else { return (Array(data), []) }
        defer { iconv_close(converter) }
        var input = data.map { CChar(bitPattern: $0) }
        // Up to 4 output bytes per input byte, and 3 for a replacement of one byte.
        var output = [CChar](repeating: 0, count: input.count * 4 + 16)
        var bad: [Int] = []
        let length: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress
                var outLeft = outBuffer.count
                while inLeft > 0 {
                    if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1 { break }
                    guard errno == EILSEQ || errno == EINVAL, outLeft >= 3 else { break }
                    bad.append(outBuffer.count - outLeft)
                    for byte: UInt8 in [0xEF, 0xBF, 0xBD] {
                        outPointer?.pointee = CChar(bitPattern: byte)
                        outPointer = outPointer?.advanced(by: 1)
                    }
                    outLeft -= 3
                    inPointer = inPointer?.advanced(by: 1)
                    inLeft -= 1
                }
                return outBuffer.count - outLeft
            }
        }
        return (output.prefix(length).map { UInt8(bitPattern: $0) }, bad)
    }

    /// Converts GB 18030 / GBK bytes to a String.
    static func gb18030(_ data: Data) throws -> String {
        guard let text = String(validating: try self.convert(data, from: "GB18030", to: "UTF-8"), as: UTF8.self) else {
            throw DecodingError.notText
        }
        return text
    }

    /// Encodes text as GB 18030 (for tests and for exports to old Excel).
    public static func encodeGB18030(_ text: String) throws -> Data {
        try self.convert(Data(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// Converts bytes between encodings with the C library's iconv; input it cannot convert whole is refused.
    private static func convert(_ data: Data, from source: String, to target: String) throws -> Data {
        let converter = iconv_open(target, source)
        guard converter != iconv_t(bitPattern: -1) else { throw DecodingError.notText }
        defer { iconv_close(converter) }
        var input = data.map { CChar(bitPattern: $0) }
        // GB 18030 takes at most 4 bytes per character, UTF-8 at most 4 per character: twice the input plus slack suffices
        // for both directions of these two encodings.
        var output = [CChar](repeating: 0, count: input.count * 2 + 16)
        let converted: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                guard result != -1, inLeft == 0 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let length = converted else { throw DecodingError.notText }
        return Data(output.prefix(length).map { UInt8(bitPattern: $0) })
    }
}
