import Foundation
import Hummingbird
import LiushouDemo
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import Logging

/// `serve --demo` and `demo seed`: seeds the demo county once (through `responder`, the server's own
/// routes) and prints its logins on every start.
public enum DemoLogins {
    /// Seeds unless present, keeps the logins in `file` (0600), prints them; progress goes to standard error.
    public static func seedAndPrint(
        owner: PostgresConnectionPool,
        hasher: PasswordHasher,
        responder: any HTTPResponder<AppRequestContext>,
        file: URL,
        logger: Logger
    ) async throws {
        let password = DemoSeeder.generatePassword()
        let api = DemoAPI(responder: responder, logger: logger)
        let seeder = DemoSeeder(owner: owner, hasher: hasher, api: api) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let created = try await seeder.seedIfMissing(password: password)
        if !created.isEmpty {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: file.path,
                contents: Data(DemoSeeder.loginSheet(created, password: password).utf8),
                attributes: [.posixPermissions: 0o600]
            )
        }
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            logger.notice("demo county already present; its logins were printed when it was created")
        }
    }
}
