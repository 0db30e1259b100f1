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
    /// Another process (a running server) holds the data directory's lock.
    case dataDirectoryInUse(directory: String, holderPID: Int?)

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
        case .dataDirectoryInUse(let directory, let pid):
            return "another Liushou process\(pid.map { " (pid \($0))" } ?? "") is using the data directory \(directory) "
                + "and its embedded PostgreSQL; only one server may run on a data directory. Stop it first, or use another --data-dir "
                + "(commands such as migrate or import can reach the running cluster with --database-url)"
        }
    }
}
