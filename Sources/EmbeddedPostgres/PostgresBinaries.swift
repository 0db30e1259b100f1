import Foundation

/// Locates `initdb`, `pg_ctl` and `postgres` on PATH or in Debian's versioned directories.
public struct PostgresBinaries: Sendable {
    /// Directory holding the server binaries.
    public let directory: URL

    /// `initdb`.
    public var initdb: URL { self.directory.appendingPathComponent("initdb") }
    /// `pg_ctl`.
    public var pgCtl: URL { self.directory.appendingPathComponent("pg_ctl") }

    /// Finds the binaries, preferring PATH, then the newest `/usr/lib/postgresql/<version>/bin`.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        versionedRoot: String = "/usr/lib/postgresql"
    ) throws -> PostgresBinaries {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let explicit = environment["LIUSHOU_PG_BIN"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(entry)))
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: versionedRoot)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append(URL(fileURLWithPath: "\(versionedRoot)/\(version)/bin"))
        }
        for directory in candidates {
            let initdb = directory.appendingPathComponent("initdb").path
            let pgCtl = directory.appendingPathComponent("pg_ctl").path
            if fileManager.isExecutableFile(atPath: initdb), fileManager.isExecutableFile(atPath: pgCtl) {
                // Resolve symlinks (e.g. /usr/local/bin/pg_ctl) so pg_ctl finds its sibling `postgres`.
                let resolved = URL(fileURLWithPath: pgCtl).resolvingSymlinksInPath().deletingLastPathComponent()
                return PostgresBinaries(directory: resolved)
            }
        }
        throw EmbeddedPostgresError.binariesNotFound
    }
}
