import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import Logging

/// `serve --demo`: seeds the demo county once and prints its logins on every start.
enum DemoLogins {
    static func seedAndPrint(owner: PostgresConnectionPool, hasher: PasswordHasher, file: URL, logger: Logger) async throws {
        let password = DemoSeeder.generatePassword()
        let created = try await DemoSeeder(owner: owner, hasher: hasher).seedIfMissing(password: password)
        if !created.isEmpty {
            var text = "Liushou demo logins (password for all: \(password))\n"
            for (username, role) in created {
                text += "  \(username.padding(toLength: 18, withPad: " ", startingAt: 0)) \(role.rawValue)  \(role.chineseName)\n"
            }
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            logger.notice("demo county already present; its logins were printed when it was created")
        }
    }
}
