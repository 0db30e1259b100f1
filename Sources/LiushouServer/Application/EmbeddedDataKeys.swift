import Foundation
import LiushouPlatform

/// The data keys the embedded default keeps in its data directory, each in an owner-only file:
/// - `data-key`: the key ID numbers are sealed with;
/// - `data-key.next`: the new key of a rotation under way, written before `liushou keys rotate`
///   re-seals its first row. Until the rotation finishes, everything that opens the data directory
///   also opens values under it, so an interrupted rotation never leaves rows sealed under a key that
///   only the operator's shell held;
/// - `data-key.retired.<key id>`: keys rotated out, kept so that audit checkpoints signed under them
///   still verify (`liushou audit verify --checkpoint`).
public struct EmbeddedDataKeys: Sendable {
    public enum RotationError: Error, CustomStringConvertible {
        /// A rotation to another key was interrupted; it must finish first.
        case otherRotationUnderWay(keyID: String, file: String)

        public var description: String {
            switch self {
            case .otherRotationUnderWay(let keyID, let file):
                "a rotation to key \(keyID) was interrupted: finish it first with LIUSHOU_DATA_KEY set to the key in \(file)"
            }
        }
    }

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    var currentFile: URL { self.directory.appendingPathComponent("data-key") }
    var nextFile: URL { self.directory.appendingPathComponent("data-key.next") }

    /// The key values are sealed with, if the directory has one yet.
    public var current: String? { Self.read(self.currentFile) }

    /// The new key of an unfinished rotation.
    public var next: String? { Self.read(self.nextFile) }

    /// Keys rotated out, oldest file name first.
    public var retired: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.directory.path)) ?? []
        return names.filter { $0.hasPrefix("data-key.retired.") }.sorted()
            .compactMap { Self.read(self.directory.appendingPathComponent($0)) }
    }

    /// The keys that must still open values besides `current`: the directory's key and an
    /// unfinished rotation's new key, with the `configured` previous keys first.
    public func opening(besides current: String, configured: [String]) -> [String] {
        var keys: [String] = []
        for key in configured + [self.current, self.next].compactMap({ $0 }) where key != current && !keys.contains(key) {
            keys.append(key)
        }
        return keys
    }

    /// Records `key` as the new key before anything is re-sealed under it (again after an
    /// interruption); refuses while a rotation to another key is unfinished.
    public func beginRotation(to key: String) throws {
        if let next = self.next {
            guard next == key else {
                throw RotationError.otherRotationUnderWay(keyID: (try? IdentifierVault.keyID(of: next)) ?? "?", file: self.nextFile.path)
            }
            return
        }
        try Self.write(key, to: self.nextFile)
    }

    /// Makes the rotation's new key the directory's key and keeps the old one as retired; refuses
    /// unless the new key is the one `expecting` names (the key the rows were re-sealed under).
    public func finishRotation(expecting keyID: String) throws {
        guard let next = self.next else { return }
        guard try IdentifierVault.keyID(of: next) == keyID else {
            throw RotationError.otherRotationUnderWay(keyID: (try? IdentifierVault.keyID(of: next)) ?? "?", file: self.nextFile.path)
        }
        if let old = self.current, old != next {
            let id = try IdentifierVault.keyID(of: old)
            try Self.write(old, to: self.directory.appendingPathComponent("data-key.retired.\(id)"))
        }
        try Self.rename(self.nextFile, to: self.currentFile)
    }

    /// A key file's text; an empty file (a write cut short) counts as none.
    static func read(_ file: URL) -> String? {
        guard let text = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            return nil
        }
        return text
    }

    /// Writes a key file durably and atomically, owner-only from its creation: a temporary file
    /// created 0600 and synced, renamed over the target, and the directory synced, so that after a
    /// power cut the key is either all there or not there — never a short file while rows re-sealed
    /// under it have been committed.
    static func write(_ key: String, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).new")
        unlink(temporary.path)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure(temporary) }
        let bytes = Array(key.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            unlink(temporary.path)
            throw Self.failure(temporary)
        }
        try Self.rename(temporary, to: file)
        guard Self.read(file) == key else { throw Self.failure(file) }
    }

    static func rename(_ source: URL, to target: URL) throws {
        guard Foundation.rename(source.path, target.path) == 0 else { throw Self.failure(target) }
        let directory = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    static func failure(_ file: URL) -> CocoaError {
        CocoaError(
            .fileWriteUnknown,
            userInfo: [NSFilePathErrorKey: file.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)]
        )
    }
}

extension ServerConfiguration {
    /// The keys that open values besides `current`: LIUSHOU_DATA_KEY_PREVIOUS, and with the embedded
    /// database the data directory's key and an unfinished rotation's new key.
    public func openingDataKeys(besides current: String) -> [String] {
        guard self.databaseURL == nil else { return self.previousDataKeys.filter { $0 != current } }
        return EmbeddedDataKeys(directory: self.dataDirectory).opening(besides: current, configured: self.previousDataKeys)
    }
}
