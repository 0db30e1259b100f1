import Foundation

/// A role held on one organisation unit (and so on its subtree).
public struct Grant: Sendable, Hashable, Codable {
    public var role: Role
    /// The unit the role is held on.
    public var unitID: UUID
    /// The unit's materialised path (`ltree` text), e.g. `u…county.u…town`.
    public var unitPath: String

    public init(role: Role, unitID: UUID, unitPath: String) {
        self.role = role
        self.unitID = unitID
        self.unitPath = unitPath
    }
}

/// A second factor a session still owes.
public enum SecondFactorDue: String, Sendable, Hashable {
    /// The account has an authenticator: a code (or a recovery code) is due.
    case code = "pending"
    /// The policy asks an authenticator of the account, which has none yet: enrol first.
    case enrolment = "enrol"
}

/// The authenticated account behind a request: a person's user account or a machine's service account.
public struct Caller: Sendable, Hashable {
    /// Human user or machine client.
    public enum Kind: String, Sendable, Codable {
        case user
        case service
    }

    /// The account's id.
    public var accountID: UUID
    /// The login name (users) or label (service accounts).
    public var name: String
    /// User or service.
    public var kind: Kind
    /// Every grant the account holds.
    public var grants: [Grant]
    /// The session or token the request used.
    public var credentialID: UUID
    /// A user whose password was reset must choose a new one before doing anything else.
    public var mustChangePassword: Bool
    /// What the session still owes of its second factor (nil: nothing). Until it is given, only
    /// the second-factor routes, the caller's own `/me` and logout answer.
    public var secondFactorDue: SecondFactorDue?

    public init(accountID: UUID, name: String, kind: Kind, grants: [Grant], credentialID: UUID, mustChangePassword: Bool = false) {
        self.accountID = accountID
        self.name = name
        self.kind = kind
        self.grants = grants
        self.credentialID = credentialID
        self.mustChangePassword = mustChangePassword
    }

    /// Whether any grant carries the permission.
    public func holds(_ permission: Permission) -> Bool {
        self.grants.contains { permission.roles.contains($0.role) }
    }

    /// Unit paths under which the caller holds the permission (each covers its subtree).
    public func scopes(for permission: Permission) -> [String] {
        Self.minimal(self.grants.filter { permission.roles.contains($0.role) }.map(\.unitPath))
    }

    /// Every unit path the caller holds any grant on: the row-level-security scope.
    public var allScopes: [String] {
        Self.minimal(self.grants.map(\.unitPath))
    }

    /// Whether the caller holds the permission on a unit at `path` (inside a granted subtree).
    public func holds(_ permission: Permission, at path: String) -> Bool {
        self.scopes(for: permission).contains { Self.path(path, isInside: $0) }
    }

    /// Whether a grant lies on the unit at `path`, above it or below it. A unit off every such line
    /// belongs to another town or county, and an answer about it must read as for a unit that does
    /// not exist.
    public func reaches(_ path: String) -> Bool {
        self.grants.contains { Self.path(path, isInside: $0.unitPath) || Self.path($0.unitPath, isInside: path) }
    }

    /// Roles held on units whose subtree contains `path`.
    public func roles(at path: String) -> Set<Role> {
        Set(self.grants.filter { Self.path(path, isInside: $0.unitPath) }.map(\.role))
    }

    /// `ltree`'s `<@`: `path` equals `ancestor` or lies below it.
    public static func path(_ path: String, isInside ancestor: String) -> Bool {
        path == ancestor || path.hasPrefix(ancestor + ".")
    }

    /// Drops paths already covered by another path in the list.
    static func minimal(_ paths: [String]) -> [String] {
        let unique = Array(Set(paths)).sorted()
        return unique.filter { candidate in
            !unique.contains { other in other != candidate && Self.path(candidate, isInside: other) }
        }
    }
}
