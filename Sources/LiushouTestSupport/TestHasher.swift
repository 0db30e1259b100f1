import LiushouPlatform

/// One bcrypt hasher shared by the tests of a process (cost 10, the policy's minimum).
public enum TestHasher {
    public static let shared: PasswordHasher = {
        do {
            return try PasswordHasher(cost: 10)
        } catch {
            fatalError("bcrypt is unavailable: \(error)")
        }
    }()
}
