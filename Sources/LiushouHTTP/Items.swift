/// The body of a list answer: `{"items": [...]}` (lists grow fields, e.g. a cursor, without breaking clients).
public struct Items<Item: Encodable>: Encodable {
    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}

/// One page of a keyset-paged list: the items and, when there may be more, the cursor of the next page.
public struct Page<Item: Encodable>: Encodable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
