import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// The query of `GET /v1/persons` and of the ledger export, as sent. `scoped(to:)` checks every
/// parameter (a bad one answers 400 naming it; all of them at once) and limits the query to what the
/// caller may see. Without `status` only active files are listed.
struct PersonListQuery: Decodable {
    var category: String?
    var unitId: String?
    var gridId: String?
    var schoolId: String?
    var riskLevel: String?
    var schoolStage: String?
    var guardianshipType: String?
    var status: String?
    var noCapableGuardian: String?
    var q: String?
    var cursor: String?
    var limit: String?

    func scoped(to caller: Caller) throws -> PersonQuery {
        var query = PersonQuery()
        query.areaPaths = caller.paths(for: .personArea)
        query.schoolPaths = caller.paths(for: .school)
        query.clinicPaths = caller.paths(for: .clinic)
        query.assignedTo = caller.accountID
        var errors: [Problem.FieldError] = []
        func value<T>(_ name: String, _ text: String?, _ parse: (String) -> T?, expected: String) -> T? {
            guard let text, !text.isEmpty else { return nil }
            guard let parsed = parse(text) else {
                errors.append(.init(field: name, message: expected))
                return nil
            }
            return parsed
        }
        func oneOf(_ names: [String]) -> String { "must be one of " + names.joined(separator: ", ") }
        query.category = value("category", self.category, PersonCategory.init(rawValue:), expected: oneOf(PersonCategory.allCases.map(\.rawValue)))
        query.unitID = value("unitId", self.unitId, UUID.init(canonical:), expected: "must be a UUID")
        query.gridID = value("gridId", self.gridId, UUID.init(canonical:), expected: "must be a UUID")
        query.schoolID = value("schoolId", self.schoolId, UUID.init(canonical:), expected: "must be a UUID")
        query.riskLevel = value("riskLevel", self.riskLevel, RiskLevel.init(rawValue:), expected: oneOf(RiskLevel.allCases.map(\.rawValue)))
        query.schoolStage = value("schoolStage", self.schoolStage, SchoolStage.init(rawValue:), expected: oneOf(SchoolStage.allCases.map(\.rawValue)))
        query.guardianshipType = value(
            "guardianshipType",
            self.guardianshipType,
            GuardianshipType.init(rawValue:),
            expected: oneOf(GuardianshipType.allCases.map(\.rawValue))
        )
        // Files in the register unless asked otherwise: a cadre's list is the people to look after, not those who left.
        switch self.status ?? "" {
        case "": query.status = .active
        case "all": query.status = nil
        case let text:
            query.status = PersonRecord.Status(rawValue: text)
            if query.status == nil { errors.append(.init(field: "status", message: "must be active, exited or all")) }
        }
        query.noCapableGuardian = value(
            "noCapableGuardian",
            self.noCapableGuardian,
            { ["true": true, "false": false][$0] },
            expected: "must be true or false"
        )
        query.nameContains = value("q", self.q, { (1...50).contains($0.unicodeScalars.count) ? $0 : nil }, expected: "must have 1 to 50 characters")
        if let cursor = value("cursor", self.cursor, { Cursor.decode($0, as: PersonCursor.self) }, expected: "must be a cursor from a previous page")
        {
            query.after = (cursor.name, cursor.id)
        }
        query.limit = value("limit", self.limit, { Int($0).flatMap { (1...200).contains($0) ? $0 : nil } }, expected: "must be 1 to 200") ?? 50
        guard errors.isEmpty else { throw Problem.badRequest("Some query parameters are invalid.", errors: errors) }
        return query
    }
}
