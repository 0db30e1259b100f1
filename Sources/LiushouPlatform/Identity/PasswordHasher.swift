import CCrypt
import Foundation
import NIOPosix
import Synchronization

/// bcrypt password hashing through libxcrypt, run on threads of its own (bcrypt is slow on purpose).
public final class PasswordHasher: Sendable {
    /// bcrypt's cost factor (2^cost rounds); at least 10.
    public let cost: Int
    private let threadPool: NIOThreadPool
    /// A hash of a random password, verified against when the username is unknown so that
    /// answering "no such user" costs as long as "wrong password".
    private let decoy: String
    private let verifications = Atomic<Int>(0)

    /// How many password verifications ran (real or decoy): every login path must run exactly one.
    public var verificationCount: Int {
        self.verifications.load(ordering: .relaxed)
    }

    /// Starts the hashing threads.
    public init(cost: Int = 10, threads: Int = 2) throws {
        self.cost = max(10, cost)
        self.threadPool = NIOThreadPool(numberOfThreads: threads)
        self.threadPool.start()
        self.decoy = try Self.hashBlocking(UUID().uuidString, cost: self.cost)
    }

    /// The cost factor a bcrypt hash was made with (`$2b$12$…` → 12), or `nil` for anything else.
    public static func cost(of hash: String) -> Int? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0].hasPrefix("2"), parts[1].count == 2 else { return nil }
        return Int(parts[1])
    }

    /// A bcrypt hash (`$2b$…`) of the password.
    public func hash(_ password: String) async throws -> String {
        guard !password.utf8.contains(0) else { throw HashingError.failed }
        let cost = self.cost
        return try await self.threadPool.runIfActive { try Self.hashBlocking(password, cost: cost) }
    }

    /// Whether the password matches the hash; with `nil` it burns the same time and answers false.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        self.verifications.add(1, ordering: .relaxed)
        let target = hash ?? self.decoy
        // A C string ends at NUL: "a\0b" must not verify as "a".
        let acceptable = !password.utf8.contains(0)
        let matches = try await self.threadPool.runIfActive { Self.verifyBlocking(password, hash: target) }
        return hash != nil && matches && acceptable
    }

    /// Stops the hashing threads.
    public func shutdown() async {
        try? await self.threadPool.shutdownGracefully()
    }

    enum HashingError: Error {
        case failed
    }

    private static func hashBlocking(_ password: String, cost: Int) throws -> String {
        var random = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in random.indices { random[index] = UInt8.random(in: .min ... .max, using: &generator) }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let generated = random.withUnsafeBufferPointer { randomBytes in
            randomBytes.withMemoryRebound(to: CChar.self) { chars in
                crypt_gensalt_rn("$2b$", UInt(cost), chars.baseAddress, Int32(chars.count), &setting, Int32(setting.count))
            }
        }
        guard generated != nil else { throw HashingError.failed }
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let output = crypt_r(password, setting, data) else { throw HashingError.failed }
        let hashed = String(cString: output)
        guard hashed.hasPrefix("$2b$") else { throw HashingError.failed }
        return hashed
    }

    private static func verifyBlocking(_ password: String, hash: String) -> Bool {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let output = crypt_r(password, hash, data) else { return false }
        let computed = Array(String(cString: output).utf8)
        let expected = Array(hash.utf8)
        guard computed.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in computed.indices { difference |= computed[index] ^ expected[index] }
        return difference == 0
    }
}
