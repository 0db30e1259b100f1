/// Why migrations cannot be applied.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    /// An applied migration's file changed afterwards.
    case checksumMismatch(label: String, applied: String, onDisk: String)
    /// The database has a migration that the code does not know (a newer release ran against it).
    case unknownAppliedMigration(version: Int, label: String)
    /// Two files claim the same version.
    case duplicateVersion(Int, [String])
    /// A file name does not follow `<version>_<name>.sql`.
    case badFileName(String)
    /// No `sql/` directory was found.
    case directoryNotFound([String])
    /// A migration failed; nothing of it was applied.
    case failed(label: String, underlying: String)

    public var description: String {
        switch self {
        case .checksumMismatch(let label, let applied, let onDisk):
            return "migration \(label) was changed after it was applied (checksum \(applied.prefix(12)) in the database, "
                + "\(onDisk.prefix(12)) on disk). Applied migrations are immutable: restore the file and add a new migration instead."
        case .unknownAppliedMigration(let version, let label):
            return "the database has migration \(version) (\(label)) that this build does not know; run a release that includes it"
        case .duplicateVersion(let version, let files):
            return "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .badFileName(let file):
            return "migration file \(file) must be named <version>_<name>.sql, e.g. 0001_core.sql"
        case .directoryNotFound(let tried):
            return "no sql/ directory with migrations found (tried \(tried.joined(separator: ", "))); pass --sql-dir or set LIUSHOU_SQL_DIR"
        case .failed(let label, let underlying):
            return "migration \(label) failed and was rolled back: \(underlying)"
        }
    }
}
