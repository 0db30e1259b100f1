import Foundation

/// The migrations found in a `sql/` directory, ordered by version.
public struct MigrationCatalog: Sendable {
    /// Migrations in apply order.
    public let migrations: [Migration]

    /// A catalog of the given migrations; versions must be unique.
    public init(migrations: [Migration]) throws {
        let byVersion = Dictionary(grouping: migrations, by: \.version)
        if let clash = byVersion.first(where: { $0.value.count > 1 }) {
            throw MigrationError.duplicateVersion(clash.key, clash.value.map(\.label))
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Reads `<directory>/<module>/<version>_<name>.sql`.
    public static func load(from directory: URL) throws -> MigrationCatalog {
        let fileManager = FileManager.default
        var migrations: [Migration] = []
        let modules = try fileManager.contentsOfDirectory(atPath: directory.path).sorted()
        for module in modules {
            var isDirectory: ObjCBool = false
            let moduleURL = directory.appendingPathComponent(module, isDirectory: true)
            guard fileManager.fileExists(atPath: moduleURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for file in try fileManager.contentsOfDirectory(atPath: moduleURL.path).sorted() where file.hasSuffix(".sql") {
                let stem = file.dropLast(4)
                guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]), version > 0 else {
                    throw MigrationError.badFileName("\(module)/\(file)")
                }
                let sql = try String(contentsOf: moduleURL.appendingPathComponent(file), encoding: .utf8)
                migrations.append(Migration(version: version, module: module, name: String(stem[stem.index(after: separator)...]), sql: sql))
            }
        }
        return try MigrationCatalog(migrations: migrations)
    }

    /// Finds the `sql/` directory: the explicit path, `LIUSHOU_SQL_DIR`, `./sql`, next to the
    /// executable (`../share/liushou/sql`), or the source checkout this binary was built from.
    public static func locateDirectory(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [String] = []
        if let explicit, !explicit.isEmpty { candidates.append(explicit) }
        if let fromEnvironment = environment["LIUSHOU_SQL_DIR"], !fromEnvironment.isEmpty { candidates.append(fromEnvironment) }
        candidates.append(FileManager.default.currentDirectoryPath + "/sql")
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../share/liushou/sql").standardizedFileURL.path)
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent("sql").path)
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return URL(fileURLWithPath: candidate, isDirectory: true)
            }
        }
        throw MigrationError.directoryNotFound(candidates)
    }
}
