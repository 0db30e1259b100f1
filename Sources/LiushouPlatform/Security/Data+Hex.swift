import Foundation

extension Data {
    /// Lower-case hex digits, two a byte.
    var hex: String { self.map { String(format: "%02x", $0) }.joined() }

    /// The bytes of an even number of hex digits; nil for anything else.
    init?(hex: Substring) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
