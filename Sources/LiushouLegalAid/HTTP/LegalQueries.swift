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

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.stage = try query.parameter("stage", LegalStage.init(rawValue:), message: "must be a stage of the workflow")
        self.personId = try query.parameter("personId", UUID.init(canonical:), message: "must be a UUID")
        self.unitId = try query.legalUnit("unitId", required: false)
    }
}

/// `GET /v1/legal-aid/overdue?unitId=`: all the caller's cases without a unit.
struct LegalOverdueQuery: Decodable {
    var unitId: UUID?

    init(from decoder: any Decoder) throws {
        self.unitId = try decoder.container(keyedBy: NamedKey.self).legalUnit("unitId", required: false)
    }
}

/// `GET /v1/legal-aid/indicators?unitId=&from=&to=`: cases opened in the period (China dates).
struct LegalIndicatorQuery: Decodable {
    var unitId: UUID
    var from: LocalDate?
    var to: LocalDate?

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        guard let unit = try query.legalUnit("unitId", required: true) else { throw Problem.internalError }
        self.unitId = unit
        self.from = try query.parameter("from", LocalDate.init(input:), message: "must be a date like 2026-01-31, years 1900 to 2100")
        self.to = try query.parameter("to", LocalDate.init(input:), message: "must be a date like 2026-01-31, years 1900 to 2100")
    }
}

extension KeyedDecodingContainer {
    /// A unit's UUID: 400 "unitId is required." when missing and `required`, "unitId is invalid." when not a UUID.
    fileprivate func legalUnit(_ key: Key, required: Bool) throws -> UUID? {
        let id = try self.parameter(key, UUID.init(canonical:), message: "must be a unit's UUID")
        if id == nil, required {
            throw Problem.badRequest("\(key.stringValue) is required.", errors: [.init(field: key.stringValue, message: "must be a unit's UUID")])
        }
        return id
    }
}
