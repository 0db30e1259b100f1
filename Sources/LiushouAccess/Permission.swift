/// An action on a kind of resource. Every route declares the permission it needs.
public enum Permission: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read organisation units.
    case unitsRead = "units.read"
    /// Create, rename, move and deactivate organisation units.
    case unitsManage = "units.manage"
    /// Read accounts and their grants.
    case usersRead = "users.read"
    /// Create accounts, reset passwords, disable accounts, grant and revoke roles.
    case usersManage = "users.manage"
    /// Create and revoke service accounts' API tokens.
    case serviceAccountsManage = "service_accounts.manage"
    /// Read and export the audit log.
    case auditRead = "audit.read"
    /// See ID and phone numbers unmasked (each reveal is audited with a reason).
    case identifiersReveal = "identifiers.reveal"
    /// Read person files (volunteers, school and clinic staff only those they serve).
    case personsRead = "persons.read"
    /// Create, change, exit and re-activate person files and households.
    case personsWrite = "persons.write"
    /// Check and sign off a file another person filled (审核).
    case personsCheck = "persons.check"
    /// Import a ledger (台账) of persons from CSV.
    case personsImport = "persons.import"
    /// Export a unit's files as CSV.
    case personsExport = "persons.export"

    /// The permission matrix: which roles hold this permission.
    public var roles: Set<Role> {
        switch self {
        case .unitsRead:
            return Set(Role.allCases).subtracting([.volunteer])
        case .unitsManage, .usersManage, .serviceAccountsManage:
            return [.countyAdmin, .townAdmin]
        case .usersRead:
            return [.countyAdmin, .townAdmin, .auditor]
        case .auditRead:
            return [.countyAdmin, .townAdmin, .auditor]
        case .identifiersReveal:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .reliefOfficer, .legalAidOfficer]
        case .personsRead:
            return Set(Role.allCases).subtracting([.auditor])
        case .personsWrite:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker]
        case .personsCheck:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor]
        case .personsImport, .personsExport:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre]
        }
    }

    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension Role {
    /// Permissions this role holds.
    public var permissions: Set<Permission> {
        Set(Permission.allCases.filter { $0.roles.contains(self) })
    }
}
