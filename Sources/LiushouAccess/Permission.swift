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
    /// Record door checks and visits (登门, 敲门, 走访) of people in one's scope.
    case checksRecord = "checks.record"
    /// Read visit obligations and overdue lists.
    case visitsRead = "visits.read"
    /// Set or switch off visit rules for one's unit and below.
    case visitRulesManage = "visits.rules"
    /// Read and resolve follow-ups routed to one's roles.
    case followUpsHandle = "followups.handle"
    /// File a mandatory safeguarding report (强制报告): every user may.
    case safeguardingReport = "safeguarding.report"
    /// Read, record police notification of, and acknowledge safeguarding reports.
    case safeguardingRead = "safeguarding.read"
    /// Read the volunteer register, service hours and pairing rates of one's units.
    case volunteersRead = "volunteers.read"
    /// Register volunteers and record their screening.
    case volunteersManage = "volunteers.manage"
    /// Read pairings (volunteers only their own).
    case pairingsRead = "pairings.read"
    /// Pair helpers with people, record the guardian's consent, end pairings.
    case pairingsManage = "pairings.manage"
    /// Record a pairing's periodic effect check (进步档案).
    case pairingsAssess = "pairings.assess"
    /// Record visits to one's paired people, with activities and duration (service hours).
    case volunteerVisitsRecord = "volunteer_visits.record"
    /// Upload checkups and keep health files for people of the villages one's clinic serves.
    case healthRecord = "health.record"
    /// Read clinical details (measurements, diagnoses, conditions) of people one's clinic serves; every read audited.
    case healthDetails = "health.details"
    /// Read the dashboard's indicators (coverage and rates) for one's units.
    case indicatorsRead = "indicators.read"
    /// Read relief cases (帮扶救助) in one's scope, and the case types.
    case reliefRead = "relief.read"
    /// Raise a relief case for a person in one's scope; withdraw it, or appeal its rejection once.
    case reliefRaise = "relief.raise"
    /// Review a relief case for the village (村级评议).
    case reliefReview = "relief.review"
    /// Decide a relief case for the town (approve with an amount, reject with a reason) and close it once paid.
    case reliefDecide = "relief.decide"
    /// Record the payment of an approved relief case.
    case reliefPay = "relief.pay"
    /// Read relief indicators, overdue cases and the monthly payment books.
    case reliefReports = "relief.reports"
    /// Add relief case types, or set a county's deadlines for a type.
    case reliefRules = "relief.rules"
    /// Read legal-aid case details, overdue lists and indicators (each read of a case is audited).
    case legalAidRead = "legal_aid.read"
    /// Open legal-aid cases, add progress notes and take the workflow's transitions one's role allows.
    case legalAidManage = "legal_aid.manage"
    /// Add matters and set the county's eligibility rules and first-contact deadline.
    case legalAidConfigure = "legal_aid.configure"
    /// Read school rolls, status changes, dropout cases, talks due and the enrolment rates of one's units or school.
    case schoolsRead = "schools.read"
    /// Enrol children on a school's roll and record their status changes and transfers (one's school, or the town's schools).
    case schoolsManage = "schools.manage"
    /// Record the class teacher's monthly talks (谈心) with children on one's school's roll.
    case schoolsCare = "schools.care"
    /// Record counselling sessions (心理辅导) as a designated counsellor of one's school.
    case schoolsCounsel = "schools.counsel"
    /// Designate and revoke a school's counsellors.
    case schoolsCounsellors = "schools.counsellors"
    /// Close a dropout-control case (控辍保学) for the town with a reason.
    case schoolsDropoutClose = "schools.dropout_close"
    /// Set which events alert whom (a county's rules), a unit's group robots and SMS numbers, and
    /// see and retry the deliveries that failed (dead letters).
    case alertsManage = "alerts.manage"

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
        case .checksRecord:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker, .volunteer, .schoolStaff]
        case .visitsRead:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker]
        case .visitRulesManage:
            return [.countyAdmin, .townAdmin, .villageCadre]
        case .followUpsHandle:
            return Set(Role.allCases).subtracting([.auditor, .volunteer])
        case .safeguardingReport:
            return Set(Role.allCases)
        case .safeguardingRead:
            return RowScope.safeguarding.roles
        case .volunteersRead, .volunteersManage, .pairingsManage:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre]
        case .pairingsRead:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker, .schoolStaff, .volunteer]
        case .pairingsAssess:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .schoolStaff]
        case .volunteerVisitsRecord:
            return [.volunteer]
        case .healthRecord, .healthDetails:
            return [.clinicStaff]
        case .indicatorsRead:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre]
        case .reliefRead, .reliefRaise:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .gridWorker, .reliefOfficer]
        case .reliefReview:
            return [.villageCadre]
        case .reliefDecide:
            return [.countyAdmin, .townAdmin, .reliefOfficer]
        case .reliefPay:
            return [.countyAdmin, .reliefOfficer]
        case .reliefReports:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .reliefOfficer]
        case .legalAidRead:
            return RowScope.legalAid.roles
        case .legalAidManage:
            return [.townAdmin, .legalAidOfficer]
        case .reliefRules, .legalAidConfigure:
            return [.countyAdmin]
        case .schoolsRead:
            return [.countyAdmin, .townAdmin, .childWelfareSupervisor, .villageCadre, .schoolStaff]
        case .schoolsManage:
            return [.countyAdmin, .townAdmin, .schoolStaff]
        case .schoolsCare, .schoolsCounsel:
            return [.schoolStaff]
        case .schoolsCounsellors:
            return RowScope.schoolsManage.roles
        case .schoolsDropoutClose:
            return RowScope.dropoutClose.roles
        case .alertsManage:
            return [.countyAdmin, .townAdmin]
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
