import Foundation
import LiushouHTTP
import LiushouPostgres

// The query parameters of the relief routes, read with `request.uri.decodeQuery(as:context:)`. A
// value that cannot be read is a 400 naming its parameter, with the words the routes always used.

/// `?unitId=`: the unit whose types, overdue cases or figures are read.
struct ReliefUnitQuery: Decodable {
    var unitId: UUID

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a UUID")
    }
}

/// `GET /v1/relief/cases?unitId=&personId=&state=`: a unit's or a person's cases (at least one of the two).
struct ReliefCaseListQuery: Decodable {
    var unitId: UUID?
    var personId: UUID?
    var state: ReliefState?

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = query.contains("unitId") ? try query.required("unitId", UUID.init(canonical:), message: "must be a UUID") : nil
        self.personId = query.contains("personId") ? try query.required("personId", UUID.init(canonical:), message: "must be a UUID") : nil
        self.state = try query.parameter("state", ReliefState.init(rawValue:), message: "must be a case state")
    }
}

/// `GET /v1/relief/calendar?unitId=&year=`: the year defaults to this year in China.
struct ReliefCalendarQuery: Decodable {
    var unitId: UUID
    var year: Int?

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a UUID")
        self.year = try query.parameter("year", { Int($0).flatMap { (2000...2100).contains($0) ? $0 : nil } }, message: "must be 2000 to 2100")
    }
}

/// `GET /v1/relief/indicators?unitId=&on=`: the day defaults to today in China.
struct ReliefIndicatorQuery: Decodable {
    var unitId: UUID
    var on: LocalDate?

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a UUID")
        self.on = try query.parameter("on", LocalDate.init(input:), message: "must be a date YYYY-MM-DD, years 1900 to 2100")
    }
}

/// `GET /v1/relief/payments.csv?unitId=&month=YYYY-MM`: the month's first day and the next month's.
struct ReliefPaymentQuery: Decodable {
    var unitId: UUID
    var month: String
    var start: LocalDate
    var end: LocalDate

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a UUID")
        let month = try query.decodeIfPresent(String.self, forKey: "month") ?? ""
        guard month.range(of: #"\A[0-9]{4}-(0[1-9]|1[0-2])\z"#, options: .regularExpression) != nil,
            let year = Int(month.prefix(4)), let number = Int(month.suffix(2)), (1900...2100).contains(year),
            let start = LocalDate(year: year, month: number, day: 1),
            let end = LocalDate(year: number == 12 ? year + 1 : year, month: number == 12 ? 1 : number + 1, day: 1)
        else {
            throw Problem.badRequest("month is required.", errors: [.init(field: "month", message: "must be a month YYYY-MM")])
        }
        self.month = month
        self.start = start
        self.end = end
    }
}
