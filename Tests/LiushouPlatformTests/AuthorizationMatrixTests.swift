import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouAccess
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import Testing

/// The authorization matrix: every route × every role × a record in the role's own scope, a sibling
/// scope and the parent scope. A route missing from `Self.routes` fails the suite.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    /// Records prepared under one scope unit for the scenarios to act on.
    struct Records {
        var unit: OrgUnit
        /// A fresh child of the unit (a town under a county, a school under a town, a grid under a
        /// village or grid), to rename, move and deactivate; the unit itself for schools and clinics.
        var probe: OrgUnit
        /// A valid body for creating a child under the unit.
        var child: [String: String]
        /// A clinic in the unit's subtree (created under a town probe or town), else the unit.
        var clinic: OrgUnit
        var resident: UUID
        var residentGrant: UUID
        var service: UUID
        var serviceToken: UUID
    }

    /// How to call a route against records, and its status on success.
    struct Scenario: Sendable {
        var success: Int
        /// 404 for a record outside the caller's scope; 422 when the unit is named in the body.
        var outside: Int = 404
        var request: @Sendable (Records) -> (method: HTTPRequest.Method, uri: String, body: [String: String]?, ifMatch: Int?)
    }

    /// Routes whose answer does not depend on a record's scope, with the test that covers them.
    static let unscoped: [String: String] = [
        "GET /healthz": "OperationsTests.health",
        "GET /readyz": "OperationsTests.ready",
        "GET /metrics": "OperationsTests.metrics",
        "GET /openapi.yaml": "OpenAPITests.served",
        "POST /v1/auth/login": "AuthTests.loginAndMe",
        "POST /v1/auth/logout": "AuthTests.revocation",
        "GET /v1/auth/me": "AuthTests.loginAndMe",
        "POST /v1/auth/password": "UserTests.createAndFirstLogin",
        "POST /v1/auth/two-factor/enrol": "TwoFactorTests.enrolAndVerify (the caller's own account only)",
        "POST /v1/auth/two-factor/confirm": "TwoFactorTests.enrolAndVerify (the caller's own account only)",
        "POST /v1/auth/two-factor/verify": "TwoFactorTests.enrolAndVerify (the caller's own session only)",
        "GET /v1/users": "UserListTests.scope (a list: each admin sees the accounts homed in its scope, another town's none)",
        "GET /v1/audit": "AuditAPITests.listing (scope of records: another town's admin sees none)",
        "GET /v1/audit/verify": "AuditVerifyAPITests.verify (the whole chain, counts and the first break only; no records)",
        // Alerts: the inbox and contact settings are the caller's own; rules are a county's, channels and
        // deliveries a unit's (row-level security on `alerts` scope), covered in LiushouAlertsTests.
        "GET /v1/me/alerts": "AlertEventTests.inbox (the caller's own alerts only)",
        "POST /v1/me/alerts/read-all": "AlertEventTests.inbox (the caller's own alerts only)",
        "POST /v1/me/alerts/:id/read": "AlertEventTests.inbox (another user's alert is 404)",
        "GET /v1/me/contact": "AlertSettingsTests.channelsAndContact (the caller's own)",
        "PUT /v1/me/contact": "AlertSettingsTests.channelsAndContact (the caller's own)",
        "GET /v1/alert-rules": "AlertEventTests.rules (a county of the caller's grants; another unit 404)",
        "PUT /v1/alert-rules/:event": "AlertEventTests.rules (county administrators only: a town admin 403)",
        "DELETE /v1/alert-rules/:event": "AlertEventTests.rules",
        "GET /v1/alert-channels": "AlertSettingsTests.channelsAndContact (channels of units in scope)",
        "POST /v1/alert-channels": "AlertSettingsTests.channelsAndContact (another town's unit 422)",
        "DELETE /v1/alert-channels/:id": "AlertSettingsTests.channelsAndContact",
        "POST /v1/alert-channels/:id/test": "AlertSettingsTests.channelsAndContact",
        "GET /v1/alert-deliveries": "AlertDeliveryTests.dingtalkAndDeadLetters (deliveries of events in scope)",
        "POST /v1/alert-deliveries/:id/retry": "AlertDeliveryTests.dingtalkAndDeadLetters",
        // The registry's access depends on role-specific visibility (pairings, enrolment, service
        // areas), so its matrix lives with the registry.
        "POST /v1/persons": "PersonAccessTests.matrix",
        "GET /v1/persons": "PersonAccessTests.lists",
        "GET /v1/persons/:id": "PersonAccessTests.matrix",
        "PUT /v1/persons/:id": "PersonAccessTests.matrix",
        "POST /v1/persons/:id/exit": "PersonAccessTests.matrix",
        "POST /v1/persons/:id/reactivate": "PersonAPITests.exitAndReactivate",
        "POST /v1/persons/:id/check": "PersonAccessTests.matrix",
        "GET /v1/persons/:id/history": "PersonAccessTests.matrix",
        "GET /v1/persons/:id/timeline": "PersonAccessTests.matrix",
        "GET /v1/persons/:id/contact-card": "PersonAccessTests.matrix",
        "POST /v1/imports/persons": "LedgerTests.mixedRows, LedgerTests.encodingsAndIdempotence",
        "GET /v1/exports/persons": "LedgerTests.export",
        "POST /v1/households": "ContactCardAndHouseholdTests.households",
        "GET /v1/households/:id": "ContactCardAndHouseholdTests.households",
        "POST /v1/households/:id/move": "HouseholdMoveTests.move",
        "GET /v1/households/:id/moves": "HouseholdMoveTests.move",
        "POST /v1/door-checks": "GridAccessTests.matrix",
        "POST /v1/door-checks/batch": "DoorCheckTests.batch, GridAccessTests.matrix",
        "GET /v1/persons/:id/door-checks": "GridAccessTests.matrix",
        "GET /v1/persons/:id/obligations": "GridAccessTests.matrix",
        "GET /v1/overdue": "GridAccessTests.matrix",
        "GET /v1/tasks": "TaskListTests.scope",
        "GET /v1/units/:id/visit-rules": "ObligationTests.overrides",
        "PUT /v1/units/:id/visit-rules/:key": "ObligationTests.overrides, GridAccessTests.matrix",
        "GET /v1/follow-ups": "FollowUpTests.routing",
        "POST /v1/follow-ups/:id/resolve": "FollowUpTests.routing",
        "POST /v1/safeguarding-reports": "SafeguardingTests.visibility",
        "GET /v1/safeguarding-reports": "SafeguardingTests.visibility",
        "GET /v1/safeguarding-reports/:id": "SafeguardingTests.visibility",
        "POST /v1/safeguarding-reports/:id/police": "SafeguardingTests.visibility",
        "POST /v1/safeguarding-reports/:id/acknowledge": "SafeguardingTests.visibility",
        // Volunteer pairing: visibility follows pairings, registers and schools, so its matrix lives with the module.
        "POST /v1/volunteers": "VolunteerAccessTests.matrix, VolunteerRegisterTests.register",
        "GET /v1/volunteers": "VolunteerAccessTests.matrix, VolunteerRegisterTests.register",
        "GET /v1/volunteers/:id": "VolunteerAccessTests.matrix",
        "PUT /v1/volunteers/:id": "VolunteerAccessTests.matrix, VolunteerRegisterTests.register",
        "GET /v1/volunteers/:id/hours": "VolunteerAccessTests.matrix, VisitAndHoursTests.hours",
        "GET /v1/volunteer-hours": "VolunteerAccessTests.matrix, VisitAndHoursTests.hours",
        "GET /v1/pairing-rate": "VolunteerAccessTests.matrix, VisitAndHoursTests.pairingRate",
        "POST /v1/pairings": "VolunteerAccessTests.matrix, PairingTests.screeningAndConsent",
        "GET /v1/pairings": "VolunteerAccessTests.matrix, PairingTests.manyToOneAndOneToMany",
        "GET /v1/pairings/:id": "VolunteerAccessTests.matrix, PairingTests.volunteerScope",
        "POST /v1/pairings/:id/end": "VolunteerAccessTests.matrix, PairingTests.volunteerScope",
        "POST /v1/pairings/:id/progress": "VolunteerAccessTests.matrix, VisitAndHoursTests.progress",
        "GET /v1/pairings/:id/progress": "VolunteerAccessTests.matrix, VisitAndHoursTests.progress",
        "POST /v1/volunteer-visits": "VolunteerAccessTests.matrix, VisitAndHoursTests.visits",
        "POST /v1/volunteer-visits/batch": "VolunteerAccessTests.matrix, VisitAndHoursTests.visits",
        "GET /v1/me/volunteer": "VolunteerAccessTests.matrix, VisitAndHoursTests.hours",
        // Health: clinical details follow clinic service areas, so its matrix lives with the module.
        "POST /v1/checkups": "HealthMatrixTests.matrix, CheckupUploadTests.plausibility",
        "POST /v1/checkups/batch": "HealthMatrixTests.matrix, CheckupUploadTests.mixedBatch, CheckupUploadTests.csv",
        "GET /v1/persons/:id/health": "HealthMatrixTests.matrix, HealthAccessTests.masking",
        "PUT /v1/persons/:id/health-file": "HealthMatrixTests.matrix, HealthAccessTests.healthFile",
        "GET /v1/health-coverage": "HealthMatrixTests.matrix, HealthAccessTests.coverage",
        // Dashboard: aggregates checked against the caller's person area in SQL and Swift.
        "GET /v1/dashboard": "DashboardTests.scopeAndExports, DashboardTests.handBuilt",
        "GET /v1/dashboard/definitions": "DashboardTests.scopeAndExports",
        "GET /v1/dashboard/trend": "DashboardTests.scopeAndExports, DashboardTests.handBuilt",
        "GET /v1/dashboard.csv": "DashboardTests.scopeAndExports",
        // Relief cases: scoped by the person's unit and by the step's own permission; their matrix
        // lives with the relief module.
        "POST /v1/relief/cases": "ReliefAccessTests.matrix, ReliefIdempotencyTests.filing",
        "GET /v1/relief/cases": "ReliefAccessTests.matrix",
        "GET /v1/relief/cases/:id": "ReliefAccessTests.matrix",
        "POST /v1/relief/cases/:id/transitions": "ReliefStateMachineTests.roles, ReliefStateMachineTests.illegal, ReliefAccessTests.matrix",
        "GET /v1/relief/overdue": "ReliefAccessTests.matrix, ReliefDeadlineTests.overdue",
        "GET /v1/relief/indicators": "ReliefAccessTests.matrix, ReliefReportTests.indicators",
        "GET /v1/relief/payments.csv": "ReliefAccessTests.matrix, ReliefReportTests.paymentBook",
        "GET /v1/relief/case-types": "ReliefAccessTests.matrix, ReliefDeadlineTests.deadlines",
        "POST /v1/relief/case-types": "ReliefAccessTests.matrix, ReliefDeadlineTests.deadlines",
        "GET /v1/relief/calendar": "ReliefAccessTests.matrix, ReliefDeadlineTests.calendar",
        "PUT /v1/relief/calendar": "ReliefAccessTests.matrix, ReliefDeadlineTests.calendar",
        // Legal aid: details follow the legal-aid scope, existence follows the person, so its matrix lives with the module.
        "POST /v1/legal-cases": "LegalAccessTests.matrix, LegalIntakeTests.intake",
        "GET /v1/legal-cases": "LegalAccessTests.matrix, LegalConfidentialityTests.detailsHidden",
        "GET /v1/legal-cases/:id": "LegalAccessTests.matrix, LegalConfidentialityTests.detailsHidden",
        "POST /v1/legal-cases/:id/notes": "LegalAccessTests.matrix, LegalWorkflowTests.assignmentAndDeadlines",
        "POST /v1/legal-cases/:id/decision": "LegalAccessTests.matrix, LegalEligibilityTests.rules, LegalWorkflowTests.concurrency",
        "POST /v1/legal-cases/:id/review": "LegalAccessTests.matrix, LegalWorkflowTests.refusalAndReview",
        "POST /v1/legal-cases/:id/assignment": "LegalAccessTests.matrix, LegalWorkflowTests.assignmentAndDeadlines",
        "POST /v1/legal-cases/:id/first-contact": "LegalAccessTests.matrix, LegalWorkflowTests.assignmentAndDeadlines",
        "POST /v1/legal-cases/:id/close": "LegalAccessTests.matrix, LegalWorkflowTests.assignmentAndDeadlines",
        "GET /v1/persons/:id/legal-cases": "LegalAccessTests.matrix, LegalConfidentialityTests.detailsHidden",
        "GET /v1/legal-aid/overdue": "LegalAccessTests.matrix, LegalWorkflowTests.assignmentAndDeadlines",
        "GET /v1/legal-aid/indicators": "LegalAccessTests.matrix, LegalIndicatorTests.handBuilt",
        "GET /v1/legal-aid/matters": "LegalAccessTests.matrix, LegalAccessTests.matters",
        "POST /v1/legal-aid/matters": "LegalAccessTests.matrix, LegalAccessTests.matters",
        "GET /v1/legal-aid/settings/:countyId": "LegalAccessTests.matrix, LegalEligibilityTests.settings",
        "PUT /v1/legal-aid/settings/:countyId": "LegalAccessTests.matrix, LegalEligibilityTests.settings",
        // Schools: rolls follow the school scope and the child's area, counselling details a designation,
        // so their matrix lives with the module.
        "POST /v1/enrolments": "SchoolMatrixTests.matrix, RollTests.enrolment, RollTests.concurrentEnrolment",
        "GET /v1/schools/:id/roll": "SchoolMatrixTests.matrix, RollTests.scoping",
        "PUT /v1/enrolments/:id": "SchoolMatrixTests.matrix, RollTests.placement",
        "GET /v1/persons/:id/enrolments": "SchoolMatrixTests.matrix, RollTests.scoping, RollTests.transfers",
        "POST /v1/enrolments/:id/status-changes":
            "SchoolMatrixTests.matrix, RollTests.transfers, RollTests.concurrentChanges, DropoutTests.returnCloses",
        "GET /v1/dropout-cases": "SchoolMatrixTests.matrix, DropoutTests.returnCloses",
        "POST /v1/dropout-cases/:id/close": "SchoolMatrixTests.matrix, DropoutTests.townCloses",
        "GET /v1/school-rates": "SchoolMatrixTests.matrix, RatesTests.handBuilt",
        "POST /v1/talks": "SchoolMatrixTests.matrix, TalkTests.due, TalkTests.access",
        "GET /v1/schools/:id/talks-due": "SchoolMatrixTests.matrix, TalkTests.due, TalkTests.access",
        "POST /v1/schools/:id/counsellors": "SchoolMatrixTests.matrix, CounsellingTests.confidentiality",
        "POST /v1/schools/:id/counsellors/:accountId/revoke": "SchoolMatrixTests.matrix, CounsellingTests.confidentiality",
        "POST /v1/counselling-sessions": "SchoolMatrixTests.matrix, CounsellingTests.confidentiality, CounsellingTests.rowLevelSecurity",
        "GET /v1/persons/:id/counselling": "SchoolMatrixTests.matrix, CounsellingTests.confidentiality",
        "POST /v1/family-contacts": "SchoolMatrixTests.matrix, FamilyContactTests.fiveOnes, FamilyContactTests.access",
        "GET /v1/schools/:id/five-ones": "SchoolMatrixTests.matrix, FamilyContactTests.fiveOnes, FamilyContactTests.access",
        "POST /v1/learning-plans": "SchoolMatrixTests.matrix, LearningPlanTests.plans, LearningPlanTests.access",
        "POST /v1/learning-plans/:id/checks": "SchoolMatrixTests.matrix, LearningPlanTests.plans",
        "GET /v1/persons/:id/learning-plans": "SchoolMatrixTests.matrix, LearningPlanTests.plans",
    ]

    static let routes: [String: Scenario] = [
        "GET /v1/units/:id": Scenario(success: 200) { (.get, "/v1/units/\($0.unit.idString)", nil, nil) },
        "GET /v1/units/:id/children": Scenario(success: 200) { (.get, "/v1/units/\($0.unit.idString)/children", nil, nil) },
        "POST /v1/units": Scenario(success: 201, outside: 422) { (.post, "/v1/units", $0.child, nil) },
        "PATCH /v1/units/:id": Scenario(success: 200) { (.patch, "/v1/units/\($0.probe.idString)", ["name": "改名"], 1) },
        "POST /v1/units/:id/move": Scenario(success: 200) {
            (.post, "/v1/units/\($0.probe.idString)/move", ["parentId": $0.probe.parentId?.uuidString ?? $0.unit.idString], 1)
        },
        "POST /v1/units/:id/deactivate": Scenario(success: 200) { (.post, "/v1/units/\($0.probe.idString)/deactivate", [:], 1) },
        "POST /v1/users": Scenario(success: 201, outside: 422) { _ in (.post, "/v1/users", nil, nil) },
        "GET /v1/units/:id/service-area": Scenario(success: 200) { (.get, "/v1/units/\($0.clinic.idString)/service-area", nil, nil) },
        "PUT /v1/units/:id/service-area": Scenario(success: 200) {
            (.put, "/v1/units/\($0.clinic.idString)/service-area", nil, nil)
        },
        "GET /v1/users/:id": Scenario(success: 200) { (.get, "/v1/users/\($0.resident.uuidString)", nil, nil) },
        "POST /v1/users/:id/grants": Scenario(success: 200) {
            (.post, "/v1/users/\($0.resident.uuidString)/grants", ["role": "grid_worker", "unitId": $0.unit.idString], nil)
        },
        "POST /v1/users/:id/grants/:grantId/revoke": Scenario(success: 200) {
            (.post, "/v1/users/\($0.resident.uuidString)/grants/\($0.residentGrant.uuidString)/revoke", [:], nil)
        },
        "POST /v1/users/:id/reset-password": Scenario(success: 200) {
            (.post, "/v1/users/\($0.resident.uuidString)/reset-password", ["password": "Reset#pass2026"], nil)
        },
        "POST /v1/users/:id/reset-two-factor": Scenario(success: 200) { (.post, "/v1/users/\($0.resident.uuidString)/reset-two-factor", [:], nil) },
        "POST /v1/users/:id/disable": Scenario(success: 200) { (.post, "/v1/users/\($0.resident.uuidString)/disable", [:], nil) },
        "POST /v1/service-accounts": Scenario(success: 201, outside: 422) { _ in (.post, "/v1/service-accounts", nil, nil) },
        "POST /v1/service-accounts/:id/tokens": Scenario(success: 201) {
            (.post, "/v1/service-accounts/\($0.service.uuidString)/tokens", ["label": "matrix"], nil)
        },
        "POST /v1/service-accounts/:id/tokens/:tokenId/revoke": Scenario(success: 204) {
            (.post, "/v1/service-accounts/\($0.service.uuidString)/tokens/\($0.serviceToken.uuidString)/revoke", [:], nil)
        },
    ]

    @Test("every declared route is in the matrix")
    func everyRouteListed() async throws {
        try await TestPostgres.withDatabase { database in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            let dependencies = AppDependencies(pool: database.appPool, catalog: catalog, hasher: TestHasher.shared, vault: TestVault.shared)
            _ = buildRouter(dependencies)
            let declared = Set(dependencies.routes.entries.map { "\($0.method) \($0.path)" })
            let listed = Set(Self.routes.keys).union(Self.unscoped.keys)
            #expect(declared.subtracting(listed).isEmpty, "add to the authorization matrix: \(declared.subtracting(listed).sorted())")
            #expect(listed.subtracting(declared).isEmpty, "no longer routes: \(listed.subtracting(declared).sorted())")
        }
    }

    @Test("every role × own, sibling and parent scope × every scoped route", arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let seeder = PlatformSeeder(owner: database.pool, hasher: TestHasher.shared)
            let otherCounty = try await seeder.unit(.county, name: "邻县", code: "341123000000")
            let grid2a = try await seeder.unit(.grid, name: "丙村一组", parent: fixture.village2a)
            let all = [
                fixture.county, fixture.town1, fixture.town2, fixture.village1a, fixture.village1b, fixture.village2a,
                fixture.grid1a, grid2a, fixture.school1, fixture.clinic1, otherCounty,
            ]
            let home = fixture.users.first { $0.1 == role }!.2
            let siblings: [UUID: OrgUnit] = [
                fixture.county.id: otherCounty, fixture.town1.id: fixture.town2, fixture.village1a.id: fixture.village1b,
                fixture.grid1a.id: fixture.village1b, fixture.school1.id: fixture.clinic1, fixture.clinic1.id: fixture.school1,
            ]
            var scopes: [(String, OrgUnit)] = [("own", home), ("sibling", siblings[home.id]!)]
            if let parentID = home.parentId, let parent = all.first(where: { $0.id == parentID }) { scopes.append(("parent", parent)) }
            var prepared: [(String, Records)] = []
            for (index, (scope, unit)) in scopes.enumerated() {
                prepared.append((scope, try await Self.prepare(unit, index: index, all: all, database: database, seeder: seeder)))
            }
            let records = prepared
            try await PlatformApp.make(database).test(.router) { client in
                let token = try await client.login(fixture.username(for: role))
                for (name, scenario) in Self.routes.sorted(by: { $0.key < $1.key }) {
                    guard let permission = Self.permission(of: name) else { continue }
                    for (scope, record) in records {
                        let inside = Caller.path(record.unit.path, isInside: home.path)
                        let expected = !permission.roles.contains(role) ? 403 : (inside ? scenario.success : scenario.outside)
                        let call = scenario.request(record)
                        var body: [String: Any]? = call.body
                        if name == "POST /v1/users" {
                            body = [
                                "username": "m.\(scope)", "displayName": "矩阵", "homeUnitId": record.unit.idString, "password": "Matrix#2026",
                                "grants": [["role": "volunteer", "unitId": record.unit.idString]],
                            ]
                        } else if name == "PUT /v1/units/:id/service-area" {
                            body = ["villageIds": [String]()]
                        } else if name == "POST /v1/service-accounts" {
                            body = [
                                "username": "svc.m.\(scope)", "displayName": "矩阵", "homeUnitId": record.unit.idString,
                                "grants": [["role": "volunteer", "unitId": record.unit.idString]],
                            ]
                        }
                        var headers: HTTPFields = [:]
                        if call.ifMatch != nil {
                            let current = try await database.pool.query("select version from org_unit where id = \(record.probe.id)").first!
                                .decode("version", as: Int.self)
                            headers[.ifMatch] = "\"\(current)\""
                        }
                        let response = try await client.send(call.method, call.uri, json: body, token: token, headers: headers)
                        #expect(response.status.code == expected, "\(role.rawValue) \(name) on \(scope): \(response.text)")
                    }
                }
            }
        }
    }

    static func permission(of route: String) -> Permission? {
        switch route {
        case let name where name.contains("/v1/units") && name.hasPrefix("GET"): return .unitsRead
        case let name where name.contains("/v1/units"): return .unitsManage
        case let name where name.contains("/v1/users") && name.hasPrefix("GET"): return .usersRead
        case let name where name.contains("/v1/users"): return .usersManage
        case let name where name.contains("/v1/service-accounts"): return .serviceAccountsManage
        default: return nil
        }
    }

    /// Creates, under one scope unit, the records the scenarios act on (through the owner role).
    static func prepare(_ unit: OrgUnit, index: Int, all: [OrgUnit], database: TestDatabase, seeder: PlatformSeeder) async throws -> Records {
        let probe: OrgUnit
        var clinic = unit
        var child: [String: String] = ["name": "矩阵\(index)", "parentId": unit.idString]
        switch unit.kind {
        case .county:
            let prefix = String(unit.code!.prefix(6))
            probe = try await seeder.unit(.town, name: "探针镇\(index)", code: prefix + "198000", parent: unit)
            let clinicTown = try await seeder.unit(.town, name: "探针卫生院镇\(index)", code: prefix + "197000", parent: unit)
            clinic = try await seeder.unit(.clinic, name: "探针卫生院\(index)", parent: clinicTown)
            child["kind"] = "town"
            child["code"] = prefix + "199000"
        case .town:
            probe = try await seeder.unit(.school, name: "探针校\(index)", parent: unit)
            clinic = try await seeder.unit(.clinic, name: "探针卫生院\(index)", parent: unit)
            child["kind"] = "school"
        case .village, .grid:
            probe = try await seeder.unit(.grid, name: "探针格\(index)", parent: unit)
            child["kind"] = "grid"
        case .school, .clinic:
            probe = unit
            child["kind"] = "grid"
        }
        let resident = UUID()
        let hash = "$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva"
        try await database.pool.query(
            """
            insert into account (id, kind, username, display_name, home_unit_id, password_hash)
            values (\(resident), 'user', \("matrix.resident\(index)"), '居民', \(unit.id), \(hash))
            """
        )
        let grant = UUID()
        try await database.pool.query(
            "insert into role_grant (id, account_id, role, unit_id) values (\(grant), \(resident), 'volunteer', \(unit.id))"
        )
        let service = UUID()
        try await database.pool.query(
            """
            insert into account (id, kind, username, display_name, home_unit_id) values (\(service), 'service', \("matrix.service\(index)"), '系统', \(unit.id))
            """
        )
        try await database.pool.query(
            "insert into role_grant (id, account_id, role, unit_id) values (\(UUID()), \(service), 'volunteer', \(unit.id))"
        )
        let token = UUID()
        try await database.pool.query(
            """
            insert into credential (id, account_id, kind, token_hash) values (\(token), \(service), 'api_token', \(Data(UUID().uuidString.utf8)))
            """
        )
        return Records(
            unit: unit,
            probe: probe,
            child: child,
            clinic: clinic,
            resident: resident,
            residentGrant: grant,
            service: service,
            serviceToken: token
        )
    }
}
