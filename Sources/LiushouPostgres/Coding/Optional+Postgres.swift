extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// NULL decodes to `nil`; anything else is decoded as `Wrapped`.
    public static func decode(from cell: PostgresCell) throws -> Wrapped? {
        guard cell.text != nil else {
            return nil
        }
        return try Wrapped.decode(from: cell)
    }
}
