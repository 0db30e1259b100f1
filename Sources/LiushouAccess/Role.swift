/// A role, granted to an account on an organisation unit; the grant covers that unit's subtree.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// 县民政局 administrator: the whole county.
    case countyAdmin = "county_admin"
    /// 乡镇综治办 / joint-meeting administrator: one town.
    case townAdmin = "town_admin"
    /// 儿童督导员: child-welfare supervisor of a town.
    case childWelfareSupervisor = "child_welfare_supervisor"
    /// 村干部 / 儿童主任 / village grid head.
    case villageCadre = "village_cadre"
    /// 网格员: grid worker.
    case gridWorker = "grid_worker"
    /// Volunteer: sees only the people paired with them.
    case volunteer
    /// School staff: sees only children enrolled at their school.
    case schoolStaff = "school_staff"
    /// Clinic staff (卫生院, 村卫生室).
    case clinicStaff = "clinic_staff"
    /// 民政助理: relief officer.
    case reliefOfficer = "relief_officer"
    /// 司法所: legal-aid officer.
    case legalAidOfficer = "legal_aid_officer"
    /// Read-only auditor of the audit log.
    case auditor

    /// Chinese name, for documents and the UI.
    public var chineseName: String {
        switch self {
        case .countyAdmin: return "县级管理员"
        case .townAdmin: return "乡镇管理员（综治办）"
        case .childWelfareSupervisor: return "儿童督导员"
        case .villageCadre: return "村干部 / 儿童主任"
        case .gridWorker: return "网格员"
        case .volunteer: return "志愿者"
        case .schoolStaff: return "学校教职工"
        case .clinicStaff: return "医疗机构人员"
        case .reliefOfficer: return "民政助理"
        case .legalAidOfficer: return "司法所工作人员"
        case .auditor: return "审计员"
        }
    }

    /// Roles an account holding this role may grant, inside its own subtree.
    public var grantableRoles: Set<Role> {
        switch self {
        case .countyAdmin: return Set(Role.allCases)
        case .townAdmin: return Set(Role.allCases).subtracting([.countyAdmin, .townAdmin, .auditor])
        default: return []
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        Role.allCases.firstIndex(of: lhs)! < Role.allCases.firstIndex(of: rhs)!
    }
}
