import Foundation
import Glibc

/// An exclusive `flock` on `liushou.lock` in the data directory, held while one process uses the
/// embedded cluster: a second server (or a CLI command that would start and stop the cluster under
/// it) is refused instead of adopting the cluster. The kernel drops the lock when the process dies.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Takes the lock or explains who holds it.
    ///
    /// A lock this process gave up a moment ago can still be held for a few milliseconds: a child
    /// being spawned by another thread shares the descriptor until it executes its program
    /// (`O_CLOEXEC` closes it only then). A holder with this process's own pid is waited for, up to
    /// two seconds (without holding a thread); any other holder is refused at once.
    static func acquire(in directory: URL) async throws -> DataDirectoryLock {
        let path = directory.appendingPathComponent("liushou.lock").path
        var attempts = 0
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw EmbeddedPostgresError.dataDirectory("cannot open \(path): errno \(errno)")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = pwrite(descriptor, pid, pid.count, 0)
                return DataDirectoryLock(descriptor: descriptor)
            }
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            close(descriptor)
            let holder = Int(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            attempts += 1
            guard holder == Int(getpid()), attempts < 40 else {
                throw EmbeddedPostgresError.dataDirectoryInUse(directory: directory.path, holderPID: holder)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
