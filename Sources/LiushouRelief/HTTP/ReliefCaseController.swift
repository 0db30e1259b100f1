import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/cases`: raise a case, read one with its transitions, list a unit's or a person's cases.
public struct ReliefCaseController: Sendable {
    let database: TenantDatabase
    let filing: ReliefCaseFiling
    let store = ReliefCaseStore()

    /// A controller.
    public init(database: TenantDatabase, filing: ReliefCaseFiling = ReliefCaseFiling()) {
        self.database = database
        self.filing = filing
    }

    struct Items: Encodable {
        var items: [ReliefCase]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/relief/cases", .permission(.reliefRaise)) { request, context, caller in
            let input = try await request.decodeJSON(as: ReliefCaseInput.self, context: context)
            let outcome: ReliefCaseFiling.Outcome
            do {
                outcome = try await self.database.transaction(for: caller) { transaction in
                    try await self.filing.file(input, caller: caller, origin: AuditOrigin(context), in: transaction)
                }
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "relief_case_open" {
                // Raced by a concurrent filing of the same type for the same person: point at the winner.
                let open = try await self.database.transaction(for: caller) { transaction in
                    try await ReliefCaseFiling.openCase(person: input.personId, typeKey: input.typeKey, except: nil, in: transaction)
                }
                throw ReliefCaseFiling.duplicate(open)
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "relief_case_pkey" {
                throw Problem.idConflict("relief case")
            }
            switch outcome {
            case .created(let reliefCase):
                return try JSONResponse(reliefCase, status: .created, headers: [.eTag: "\"\(reliefCase.version)\""])
            case .existing(let reliefCase):
                return try JSONResponse(reliefCase, status: .ok, headers: [.eTag: "\"\(reliefCase.version)\""])
            }
        }
        routes.on(.get, "/v1/relief/cases/:id", .permission(.reliefRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            // A case tells of a family's money and needs: every read of one is audited.
            let reliefCase = try await self.database.transaction(for: caller) { transaction in
                guard let (reliefCase, path) = try await self.store.detail(id, caller: caller, in: transaction) else {
                    throw Problem.notFound("No such relief case.")
                }
                try await AuditEntry(caller: caller, context: context, action: "relief.read", resource: "relief_case",
                                     recordID: id.uuidString.lowercased(), unitID: reliefCase.unitId, unitPath: path).append(in: transaction)
                return reliefCase
            }
            return try JSONResponse(reliefCase, headers: [.eTag: "\"\(reliefCase.version)\""])
        }
        routes.on(.get, "/v1/relief/cases", .permission(.reliefRead)) { request, _, caller in
            let unitID = try ReliefQuery.optionalUUID("unitId", in: request)
            let personID = try ReliefQuery.optionalUUID("personId", in: request)
            let state = try request.uri.queryParameters["state"].map { text -> ReliefState in
                guard let state = ReliefState(rawValue: String(text)) else {
                    throw Problem.badRequest("state is invalid.", errors: [.init(field: "state", message: "must be a case state")])
                }
                return state
            }
            guard unitID != nil || personID != nil else {
                throw Problem.badRequest("Name unitId or personId.", errors: [.init(field: "unitId", message: "name a unit or a person")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                var filters: [SQLQuery] = []
                if let unitID {
                    let unit = try await ReliefQuery.unit(unitID, caller: caller, permission: .reliefRead, in: transaction)
                    filters.append("exists (select from org_unit u where u.id = c.unit_id and u.path <@ \(unit.path)::ltree)")
                }
                if let personID {
                    guard try await transaction.query("select 1 from person where id = \(personID)").first != nil else {
                        throw Problem.notFound("No such person.")
                    }
                    filters.append("c.person_id = \(personID)")
                }
                if let state { filters.append("c.state = \(state.rawValue)") }
                return try await transaction.query("""
                    select \(ReliefCaseStore.columns) from \(ReliefCaseStore.from)
                    where \(SQLQuery.joined(filters, separator: " and ")) order by c.submitted_at desc, c.id limit 500
                    """).map(ReliefCaseStore.reliefCase)
            }
            return try JSONResponse(Items(items: items))
        }
    }
}
