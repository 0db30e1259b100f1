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
