import LiushouPlatform

/// The identifier vault tests seal ID numbers with (a fixed test-only key).
public enum TestVault {
    public static let shared: IdentifierVault = {
        do {
            return try IdentifierVault(secret: "liushou-tests-only-data-key-0123456789abcdef")
        } catch {
            fatalError("cannot build the test vault: \(error)")
        }
    }()
}
