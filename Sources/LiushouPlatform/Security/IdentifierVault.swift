import Crypto
import Foundation

/// Seals identifiers (ID numbers) for storage with AES-256-GCM and gives each a keyed digest
/// (HMAC-SHA256) for uniqueness and lookup, so the database never holds them in clear.
///
/// Both keys are derived with HKDF-SHA256 from one configured secret. The vault holds a ring: the
/// current secret, which seals and digests everything new, and previous secrets, which still open
/// and find what was stored under them until `liushou keys rotate` has re-sealed it.
///
/// Stored forms (`v2` names its key, so a rotation knows what is left to do):
/// - sealed bytes: `0x02`, key id (4 bytes), nonce, ciphertext, tag; legacy `0x01`, nonce, ….
/// - sealed text (inside JSON documents): `v2:<key id hex>:<base64>`; legacy `v1:<base64>`.
/// - digest: `0x02`, key id (4 bytes), HMAC (32 bytes); legacy: the bare HMAC.
public struct IdentifierVault: Sendable {
    /// Why a vault cannot be built or a sealed value cannot be opened.
    public enum VaultError: Error, Equatable {
        case secretTooShort
        case unknownVersion
        /// Sealed under a key that is not in the ring (a previous key was dropped too early).
        case unknownKey(String)
        /// Two secrets of the ring are the same key.
        case duplicateKey
        case corrupt
    }

    /// One secret's derived keys. Key bytes are kept as `Data` (SymmetricKey is not Sendable).
    struct Key: Sendable {
        let id: Data
        let sealing: Data
        let digest: Data

        init(secret: String) throws {
            guard secret.utf8.count >= 32 else { throw VaultError.secretTooShort }
            let material = SymmetricKey(data: Data(secret.utf8))
            let salt = Data("liushou identifier vault".utf8)
            func derive(_ info: String, _ count: Int) -> Data {
                HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: Data(info.utf8), outputByteCount: count)
                    .withUnsafeBytes { Data($0) }
            }
            self.sealing = derive("aes-256-gcm v1", 32)
            self.digest = derive("hmac-sha256 digest v1", 32)
            self.id = derive("key id v2", 4)
        }

        var hexID: String { self.id.hex }

        func mac(_ value: String) -> Data {
            Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: self.digest)))
        }
    }

    private static let legacyVersion: UInt8 = 1
    private static let version: UInt8 = 2
    private let current: Key
    private let previous: [Key]

    /// A vault keyed by `secret` (at least 32 characters of high-entropy text, e.g. 48 hex digits),
    /// still opening and finding values stored under the `previous` secrets.
    public init(secret: String, previous: [String] = []) throws {
        self.current = try Key(secret: secret)
        self.previous = try previous.map(Key.init(secret:))
        let ids = [self.current.id] + self.previous.map(\.id)
        guard Set(ids).count == ids.count else { throw VaultError.duplicateKey }
    }

    /// The id (8 hex digits) a secret's values and digests are stored under.
    public static func keyID(of secret: String) throws -> String {
        try Key(secret: secret).hexID
    }

    /// The current key's id (8 hex digits): what everything is sealed under after a rotation.
    public var keyID: String { self.current.hexID }

    /// The current key's id as stored in sealed values and digests (4 bytes).
    public var keyIDBytes: Data { self.current.id }

    /// The ids of every key in the ring, current first.
    public var keyIDs: [String] { ([self.current] + self.previous).map(\.hexID) }

    private var ring: [Key] { [self.current] + self.previous }

    // MARK: Sealing

    /// Encrypts `value` under the current key.
    public func seal(_ value: String) throws -> Data {
        Data([Self.version]) + self.current.id + (try self.combined(value))
    }

    /// Decrypts what `seal` produced under any key of the ring.
    public func open(_ sealed: Data) throws -> String {
        guard let version = sealed.first else { throw VaultError.corrupt }
        switch version {
        case Self.version:
            let body = sealed.dropFirst()
            guard body.count > 4 else { throw VaultError.corrupt }
            return try self.open(combined: body.dropFirst(4), keyID: Data(body.prefix(4)))
        case Self.legacyVersion:
            return try self.openLegacy(combined: sealed.dropFirst())
        default:
            throw VaultError.unknownVersion
        }
    }

    /// Seals into text, for identifiers kept inside JSON documents.
    public func sealText(_ value: String) throws -> String {
        "v2:\(self.current.hexID):" + (try self.combined(value)).base64EncodedString()
    }

    /// Opens what `sealText` produced under any key of the ring.
    public func openText(_ text: String) throws -> String {
        if text.hasPrefix("v1:") {
            guard let data = Data(base64Encoded: String(text.dropFirst(3))), data.first == Self.legacyVersion else { throw VaultError.corrupt }
            return try self.openLegacy(combined: data.dropFirst())
        }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw VaultError.unknownVersion }
        guard parts[0] == "v2" else { throw VaultError.unknownVersion }
        guard let id = Data(hex: parts[1]), id.count == 4, let combined = Data(base64Encoded: String(parts[2])) else { throw VaultError.corrupt }
        return try self.open(combined: combined, keyID: id)
    }

    /// Whether a sealed value is under the current key (else `liushou keys rotate` re-seals it).
    public func isCurrent(sealed: Data) -> Bool {
        sealed.first == Self.version && sealed.dropFirst().prefix(4) == self.current.id
    }

    /// Whether a sealed text is under the current key.
    public func isCurrent(sealedText text: String) -> Bool {
        text.hasPrefix("v2:\(self.current.hexID):")
    }

    /// The key a sealed value names: its id, or `v1` for a legacy value (which names none).
    public static func keyLabel(sealed: Data) -> String {
        sealed.first == Self.version ? Data(sealed.dropFirst().prefix(4)).hex : "v1"
    }

    private func combined(_ value: String) throws -> Data {
        let box = try AES.GCM.seal(Data(value.utf8), using: SymmetricKey(data: self.current.sealing))
        guard let combined = box.combined else { throw VaultError.corrupt }
        return combined
    }

    private func open(combined: Data, keyID: Data) throws -> String {
        guard let key = self.ring.first(where: { $0.id == keyID }) else { throw VaultError.unknownKey(keyID.hex) }
        return try Self.open(combined: combined, with: key)
    }

    /// A legacy value names no key: the one whose tag verifies is its key.
    private func openLegacy(combined: Data) throws -> String {
        for key in self.ring {
            if let value = try? Self.open(combined: combined, with: key) { return value }
        }
        throw VaultError.corrupt
    }

    private static func open(combined: Data, with key: Key) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: SymmetricKey(data: key.sealing))
            guard let text = String(data: plain, encoding: .utf8) else { throw VaultError.corrupt }
            return text
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.corrupt
        }
    }

    // MARK: Digests

    /// The keyed digest of a normalised identifier under the current key: equal inputs give equal
    /// digests, and without the key nobody can test guesses against it. What new rows store.
    public func digest(_ value: String) -> Data {
        Data([Self.version]) + self.current.id + self.current.mac(value)
    }

    /// Every digest a stored row may hold for `value`: under each key of the ring, versioned and
    /// legacy. Lookups and uniqueness checks match any of them, so they keep working mid-rotation.
    public func lookupDigests(_ value: String) -> [Data] {
        self.ring.flatMap { key in
            let mac = key.mac(value)
            return [Data([Self.version]) + key.id + mac, mac]
        }
    }

    /// Whether a stored digest is the current key's.
    public func isCurrent(digest: Data) -> Bool {
        digest.count == 37 && digest.first == Self.version && digest.dropFirst().prefix(4) == self.current.id
    }

    /// A short keyed tag (6 hex digits) that shows whether two masked values are the same, without
    /// revealing them. Tags made before a rotation differ from those made after it.
    public func tag(_ value: String) -> String {
        self.current.mac(value).prefix(3).hex
    }
}
