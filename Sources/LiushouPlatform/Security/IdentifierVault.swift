import Crypto
import Foundation

/// Seals identifiers (ID numbers) for storage with AES-256-GCM and gives each a keyed digest
/// (HMAC-SHA256) for uniqueness and lookup, so the database never holds them in clear.
///
/// Both keys are derived with HKDF-SHA256 from one configured secret; the sealed form starts with a
/// version byte so the key can be rotated later.
public struct IdentifierVault: Sendable {
    /// Why a sealed value cannot be opened.
    public enum VaultError: Error, Equatable {
        case secretTooShort
        case unknownVersion
        case corrupt
    }

    private static let version: UInt8 = 1
    // Key bytes (SymmetricKey is not Sendable); keys are rebuilt per use.
    private let sealingKeyBytes: Data
    private let digestKeyBytes: Data
    private var sealingKey: SymmetricKey { SymmetricKey(data: self.sealingKeyBytes) }
    private var digestKey: SymmetricKey { SymmetricKey(data: self.digestKeyBytes) }

    /// A vault keyed by `secret` (at least 32 characters of high-entropy text, e.g. 48 hex digits).
    public init(secret: String) throws {
        guard secret.utf8.count >= 32 else { throw VaultError.secretTooShort }
        let material = SymmetricKey(data: Data(secret.utf8))
        let salt = Data("liushou identifier vault".utf8)
        let sealing = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: Data("aes-256-gcm v1".utf8), outputByteCount: 32)
        let digest = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: Data("hmac-sha256 digest v1".utf8), outputByteCount: 32)
        self.sealingKeyBytes = sealing.withUnsafeBytes { Data($0) }
        self.digestKeyBytes = digest.withUnsafeBytes { Data($0) }
    }

    /// Encrypts `value`: version byte, then nonce, ciphertext and tag.
    public func seal(_ value: String) throws -> Data {
        let box = try AES.GCM.seal(Data(value.utf8), using: self.sealingKey)
        guard let combined = box.combined else { throw VaultError.corrupt }
        return Data([Self.version]) + combined
    }

    /// Decrypts what `seal` produced.
    public func open(_ sealed: Data) throws -> String {
        guard let version = sealed.first else { throw VaultError.corrupt }
        guard version == Self.version else { throw VaultError.unknownVersion }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            let plain = try AES.GCM.open(box, using: self.sealingKey)
            guard let text = String(data: plain, encoding: .utf8) else { throw VaultError.corrupt }
            return text
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError.corrupt
        }
    }

    /// Seals into text (`v1:` + base64), for identifiers kept inside JSON documents.
    public func sealText(_ value: String) throws -> String {
        "v1:" + (try self.seal(value)).base64EncodedString()
    }

    /// Opens what `sealText` produced.
    public func openText(_ text: String) throws -> String {
        guard text.hasPrefix("v1:"), let data = Data(base64Encoded: String(text.dropFirst(3))) else { throw VaultError.corrupt }
        return try self.open(data)
    }

    /// The keyed digest of a normalised identifier: equal inputs give equal digests, and without the
    /// key nobody can test guesses against it.
    public func digest(_ value: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: self.digestKey))
    }
}
