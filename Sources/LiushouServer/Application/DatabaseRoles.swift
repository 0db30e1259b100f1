import LiushouPostgres

/// The two database roles: the owner (runs migrations, owns tables) and `liushou_app` (serves
/// requests, owns nothing, cannot bypass row-level security).
public enum DatabaseRoles {
    /// Name of the application role the migrations create.
    public static let applicationRole = "liushou_app"

    /// Lets the application role log in with `password` (the embedded cluster's own setup).
    public static func enableApplicationLogin(password: String, owner: PostgresConnectionPool) async throws {
        // ALTER ROLE takes no bound parameters; the password is generated hex, checked here.
        guard !password.isEmpty, password.allSatisfy({ $0.isHexDigit }) else {
            throw DatabaseError.invalidParameter(position: 1, reason: "application role password must be hex")
        }
        try await owner.query("alter role \(identifier: Self.applicationRole) login password '\(unsafeRaw: password)'")
    }

    /// Refuses to serve through a role that could read past row-level security.
    public static func ensureUnprivileged(_ pool: PostgresConnectionPool) async throws {
        let row = try await pool.query(
            """
            select current_user as name, rolsuper or rolbypassrls as privileged,
                   exists (select from pg_tables where tableowner = current_user and schemaname = 'public') as owns_tables
            from pg_roles where rolname = current_user
            """
        ).first
        guard let row else { return }
        if try row.decode("privileged", as: Bool.self) || row.decode("owns_tables", as: Bool.self) {
            let name = try row.decode("name", as: String.self)
            throw DatabaseRoleError.privilegedApplicationRole(name)
        }
    }
}

/// The server was configured to serve through a role that bypasses tenant isolation.
public enum DatabaseRoleError: Error, CustomStringConvertible {
    case privilegedApplicationRole(String)

    public var description: String {
        switch self {
        case .privilegedApplicationRole(let name):
            return "refusing to serve as database role \(name): it is a superuser, can bypass row-level security or owns tables. "
                + "Set LIUSHOU_DATABASE_URL to the liushou_app role and LIUSHOU_MIGRATION_DATABASE_URL to the owner role."
        }
    }
}
