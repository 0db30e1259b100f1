/// Encodes rows in COPY's text format, in chunks of about 64 KiB.
enum PostgresCopyEncoder {
    static let chunkSize = 64 * 1024

    static func encode(rows: [[(any PostgresEncodable)?]], columnCount: Int) throws -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var current: [UInt8] = []
        current.reserveCapacity(Self.chunkSize + 1024)
        for (rowIndex, row) in rows.enumerated() {
            guard row.count == columnCount else {
                throw DatabaseError.invalidParameter(
                    position: rowIndex + 1,
                    reason: "COPY row has \(row.count) values for \(columnCount) columns"
                )
            }
            for (columnIndex, value) in row.enumerated() {
                if columnIndex > 0 { current.append(UInt8(ascii: "\t")) }
                guard let value else {
                    current.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                    continue
                }
                let binding = value.postgresBinding
                if let reason = binding.encodingFailure {
                    throw DatabaseError.invalidParameter(position: rowIndex + 1, reason: reason)
                }
                Self.appendEscaped(binding.text ?? "", to: &current)
            }
            current.append(UInt8(ascii: "\n"))
            if current.count >= Self.chunkSize {
                chunks.append(current)
                current = []
                current.reserveCapacity(Self.chunkSize + 1024)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    private static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }
}
