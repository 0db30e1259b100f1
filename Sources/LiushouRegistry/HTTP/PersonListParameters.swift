import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP

/// Reads `GET /v1/persons` (and the ledger export's) query parameters into a `PersonQuery` scoped
/// to the caller; a bad parameter answers 400 naming it. Without `status` only active files are listed.
enum PersonListParameters {
    static func query(from request: Request, caller: Caller) throws -> PersonQuery {
        let parameters = request.uri.queryParameters
        var query = PersonQuery()
        query.areaPaths = caller.paths(for: .personArea)
        query.schoolPaths = caller.paths(for: .school)
        query.clinicPaths = caller.paths(for: .clinic)
        query.assignedTo = caller.accountID
        var errors: [Problem.FieldError] = []
        func value<T>(_ name: String, _ parse: (String) -> T?, expected: String) -> T? {
            guard let text = parameters[Substring(name)].map(String.init), !text.isEmpty else { return nil }
            guard let parsed = parse(text) else {
                errors.append(.init(field: name, message: expected))
                return nil
            }
            return parsed
        }
        query.category = value("category", PersonCategory.init(rawValue:), expected: "must be one of " + PersonCategory.allCases.map(\.rawValue).joined(separator: ", "))
        query.unitID = value("unitId", UUID.init(uuidString:), expected: "must be a UUID")
        query.gridID = value("gridId", UUID.init(uuidString:), expected: "must be a UUID")
        query.schoolID = value("schoolId", UUID.init(uuidString:), expected: "must be a UUID")
        query.riskLevel = value("riskLevel", RiskLevel.init(rawValue:), expected: "must be one of " + RiskLevel.allCases.map(\.rawValue).joined(separator: ", "))
        query.schoolStage = value("schoolStage", SchoolStage.init(rawValue:), expected: "must be one of " + SchoolStage.allCases.map(\.rawValue).joined(separator: ", "))
        query.guardianshipType = value("guardianshipType", GuardianshipType.init(rawValue:),
                                       expected: "must be one of " + GuardianshipType.allCases.map(\.rawValue).joined(separator: ", "))
        // Files in the register unless asked otherwise: a cadre's list is the people to look after, not those who left.
        switch parameters["status"].map(String.init) ?? "" {
        case "": query.status = .active
        case "all": query.status = nil
        case let text:
            query.status = PersonRecord.Status(rawValue: text)
            if query.status == nil { errors.append(.init(field: "status", message: "must be active, exited or all")) }
        }
        query.noCapableGuardian = value("noCapableGuardian", { ["true": true, "false": false][$0] }, expected: "must be true or false")
        query.nameContains = value("q", { (1...50).contains($0.count) ? $0 : nil }, expected: "must have 1 to 50 characters")
        if let cursor = value("cursor", { Cursor.decode($0, as: PersonCursor.self) }, expected: "must be a cursor from a previous page") {
            query.after = (cursor.name, cursor.id)
        }
        query.limit = value("limit", { Int($0).flatMap { (1...200).contains($0) ? $0 : nil } }, expected: "must be 1 to 200") ?? 50
        guard errors.isEmpty else { throw Problem.badRequest("Some query parameters are invalid.", errors: errors) }
        return query
    }
}
