import Foundation
import LiushouHTTP
import LiushouPostgres

/// A door check read by hand (`JSONByteReader`): what `init(from:)` reads from the same bytes, or
/// `nil` (an optional field may be absent or null; a required one must be there).
extension DoorCheckInput: JSONByteReadable {
    private static let keys: [StaticString] = [
        "id", "personId", "householdId", "occurredAt", "channel", "kind", "outcome", "needs", "notes", "latitude", "longitude",
    ]

    public static func read(from reader: inout JSONByteReader) -> DoorCheckInput? {
        var id: UUID?
        var personId: UUID?
        var householdId: UUID?
        var occurredAt: Date?
        var channel: CheckChannel?
        var kind: CheckKind?
        var outcome: CheckOutcome?
        var needs: [Need]?
        var notes: String?
        var latitude: Double?
        var longitude: Double?
        let read = reader.object(keys: Self.keys) { reader, key in
            switch key {
            case 0:
                id = reader.string().flatMap(UUID.init(canonical:))
                return id != nil
            case 1:
                guard let value = reader.optional({ $0.string().flatMap(UUID.init(canonical:)) }) else { return false }
                personId = value
            case 2:
                guard let value = reader.optional({ $0.string().flatMap(UUID.init(canonical:)) }) else { return false }
                householdId = value
            case 3:
                occurredAt = reader.string().flatMap(Date.init(rfc3339:))
                return occurredAt != nil
            case 4:
                channel = reader.string().flatMap(CheckChannel.init(rawValue:))
                return channel != nil
            case 5:
                kind = reader.string().flatMap(CheckKind.init(rawValue:))
                return kind != nil
            case 6:
                outcome = reader.string().flatMap(CheckOutcome.init(rawValue:))
                return outcome != nil
            case 7:
                guard let value = reader.optional({ reader in reader.strings()?.map(Need.init(rawValue:)) }),
                    value?.contains(nil) != true
                else { return false }
                needs = value?.compactMap { $0 }
            case 8:
                guard let value = reader.optional({ $0.string() }) else { return false }
                notes = value
            case 9:
                guard let value = reader.optional({ $0.number() }) else { return false }
                latitude = value
            default:
                guard let value = reader.optional({ $0.number() }) else { return false }
                longitude = value
            }
            return true
        }
        guard read, let id, let occurredAt, let channel, let kind, let outcome else { return nil }
        return DoorCheckInput(
            id: id,
            personId: personId,
            householdId: householdId,
            occurredAt: occurredAt,
            channel: channel,
            kind: kind,
            outcome: outcome,
            needs: needs,
            notes: notes,
            latitude: latitude,
            longitude: longitude
        )
    }
}
