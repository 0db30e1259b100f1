/// Why the embedded PostgreSQL cluster could not be set up or run.
public enum EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    /// `initdb` / `pg_ctl` were found neither on PATH nor under `/usr/lib/postgresql/*/bin`.
    case binariesNotFound
    /// Running as root, and no unprivileged system user exists or could be created for the cluster.
    case noUnprivilegedUser(String)
    /// A PostgreSQL tool failed; its output is included (it never holds the generated password).
    case commandFailed(command: String, status: Int32, output: String)
    /// The data directory cannot be used.
    case dataDirectory(String)

    public var description: String {
        switch self {
        case .binariesNotFound:
            return "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. "
                + "Install them with: apt-get install -y postgresql postgresql-contrib libpq-dev"
        case .noUnprivilegedUser(let detail):
            return "PostgreSQL refuses to run as root and no unprivileged user is available: \(detail)"
        case .commandFailed(let command, let status, let output):
            return "\(command) exited with status \(status): \(output)"
        case .dataDirectory(let detail):
            return "embedded PostgreSQL data directory: \(detail)"
        }
    }
}
