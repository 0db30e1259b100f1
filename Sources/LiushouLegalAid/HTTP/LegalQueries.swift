import Foundation
import LiushouHTTP
import LiushouPostgres

// The query parameters of the legal-aid lists and indicators, read with
// `request.uri.decodeQuery(as:context:)`. A value that cannot be read is a 400 naming its parameter.

/// `GET /v1/legal-cases?stage=&personId=&unitId=`.
struct LegalCaseListQuery: Decodable {
    var stage: LegalStage?
    var personId: UUID?
    var unitId: UUID?

    enum CodingKeys: String, CodingKey {
        case stage
        case personId
        case unitId
    }

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: CodingKeys.self)
        self.stage = try query.decodeIfPresent(String.self, forKey: .stage).map { text in
            guard let stage = LegalStage(rawValue: text) else {
                throw Problem.badRequest("stage is invalid.", errors: [.init(field: "stage", message: "must be a stage of the workflow")])
            }
            return stage
        }
        self.personId = try query.decodeIfPresent(String.self, forKey: .personId).map { text in
            guard let id = UUID(uuidString: text) else {
                throw Problem.badRequest("personId is invalid.", errors: [.init(field: "personId", message: "must be a UUID")])
            }
            return id
        }
        self.unitId = try query.legalUnit(.unitId, required: false)
    }
}

/// `GET /v1/legal-aid/overdue?unitId=`: all the caller's cases without a unit.
struct LegalOverdueQuery: Decodable {
    var unitId: UUID?

    enum CodingKeys: String, CodingKey {
        case unitId
    }

    init(from decoder: any Decoder) throws {
        self.unitId = try decoder.container(keyedBy: CodingKeys.self).legalUnit(.unitId, required: false)
    }
}

/// `GET /v1/legal-aid/indicators?unitId=&from=&to=`: cases opened in the period (China dates).
struct LegalIndicatorQuery: Decodable {
    var unitId: UUID
    var from: LocalDate?
    var to: LocalDate?

    enum CodingKeys: String, CodingKey {
        case unitId
        case from
        case to
    }

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: CodingKeys.self)
        guard let unit = try query.legalUnit(.unitId, required: true) else { throw Problem.internalError }
        self.unitId = unit
        self.from = try query.legalDate(.from)
        self.to = try query.legalDate(.to)
    }
}

extension KeyedDecodingContainer {
    /// A unit's UUID: 400 "unitId is required." when missing and `required`, "unitId is invalid." when not a UUID.
    fileprivate func legalUnit(_ key: Key, required: Bool) throws -> UUID? {
        let name = key.stringValue
        let problem = { (detail: String) in Problem.badRequest(detail, errors: [.init(field: name, message: "must be a unit's UUID")]) }
        let id = try self.parameter(key, UUID.init(uuidString:), invalid: problem("\(name) is invalid."))
        if id == nil, required { throw problem("\(name) is required.") }
        return id
    }

    /// A date (YYYY-MM-DD).
    fileprivate func legalDate(_ key: Key) throws -> LocalDate? {
        let name = key.stringValue
        return try self.parameter(
            key,
            LocalDate.init(input:),
            invalid: Problem.badRequest(
                "\(name) is invalid.",
                errors: [.init(field: name, message: "must be a date like 2026-01-31, years 1900 to 2100")]
            )
        )
    }
}
