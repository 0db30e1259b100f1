/// A named set of unit subtrees that row-level security checks rows against, derived from the
/// caller's grants by role (`liushou.scope.<name>` in the transaction).
public enum RowScope: String, Sendable, CaseIterable {
    /// Units where the caller sees every person file.
    case personArea = "person_area"
    /// Units where the caller may create and change person files.
    case personWrite = "person_write"
    /// Schools where the caller is staff: the children enrolled there.
    case school
    /// Clinics where the caller is staff: the people of the villages they serve.
    case clinic
    /// Units whose safeguarding reports (强制报告) the caller reads and acknowledges.
    case safeguarding
    /// Units where the caller sets visit rules.
    case visitRules = "visit_rules"
    /// Units whose relief cases the caller reads, raises, withdraws and appeals.
    case relief
    /// Units whose relief cases the caller reviews for the village.
    case reliefReview = "relief_review"
    /// Units whose relief cases the caller decides and closes.
    case reliefDecide = "relief_decide"
    /// Units whose relief payments the caller records.
    case reliefPay = "relief_pay"
    /// Counties whose relief case types the caller sets.
    case reliefRules = "relief_rules"
    /// Units whose legal-aid case details (法律援助) the caller reads: the legal-aid office and administrators.
    case legalAid = "legal_aid"
    /// Units whose schools' rolls and counsellors the caller manages.
    case schoolsManage = "schools_manage"
    /// Units whose dropout-control cases the caller closes.
    case dropoutClose = "dropout_close"
    /// Units whose counselling details the caller reads (the town's child-welfare supervisor).
    case counselling
    /// Units whose alert channels and deliveries the caller manages (county rules need the county).
    case alerts

    /// Roles whose grants add to this scope.
    public var roles: Set<Role> {
        switch self {
        case .personArea:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker, .reliefOfficer, .legalAidOfficer]
        case .personWrite:
            return Permission.personsWrite.roles
        case .school:
            return [.schoolStaff]
        case .clinic:
            return [.clinicStaff]
        case .safeguarding:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor]
        case .visitRules:
            return Permission.visitRulesManage.roles
        case .relief:
            return Permission.reliefRaise.roles
        case .reliefReview:
            return Permission.reliefReview.roles
        case .reliefDecide:
            return Permission.reliefDecide.roles
        case .reliefPay:
            return Permission.reliefPay.roles
        case .reliefRules:
            return Permission.reliefRules.roles
        case .legalAid:
            return [.countyAdmin, .townAdmin, .legalAidOfficer]
        case .schoolsManage:
            return [.countyAdmin, .townAdmin]
        case .dropoutClose:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor]
        case .counselling:
            return [.childWelfareSupervisor]
        case .alerts:
            return Permission.alertsManage.roles
        }
    }
}

extension Caller {
    /// Unit paths making up a row scope (each covers its subtree).
    public func paths(for scope: RowScope) -> [String] {
        Self.minimal(self.grants.filter { scope.roles.contains($0.role) }.map(\.unitPath))
    }

    /// Whether `path` lies inside the row scope.
    public func covers(_ path: String, in scope: RowScope) -> Bool {
        self.paths(for: scope).contains { Self.path(path, isInside: $0) }
    }
}
