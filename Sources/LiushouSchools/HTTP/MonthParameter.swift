import Foundation
import Hummingbird
import LiushouHTTP
import LiushouPostgres

/// A `month=YYYY-MM` query parameter (default the current month, China time): its first day and the next month's.
struct MonthParameter {
    var start: LocalDate
    var next: LocalDate

    var text: String { String(format: "%04d-%02d", self.start.year, self.start.month) }

    /// The query of a route that takes only `month`.
    struct Query: Decodable {
        var month: String?
    }

    /// The month a request's query names (`month`), or the one holding `today`.
    static func of(_ request: Request, context: AppRequestContext, today: LocalDate) throws -> MonthParameter {
        try self.parse(try request.uri.decodeQuery(as: Query.self, context: context).month, today: today)
    }

    static func parse(_ value: String?, today: LocalDate) throws -> MonthParameter {
        var year = today.year
        var month = today.month
        if let value {
            let parts = value.split(separator: "-", omittingEmptySubsequences: false)
            // The month after it must exist too (9999-12 has none).
            // Digits only (Int reads "+202"), years 1900 to 2100 as every date here.
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
                parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                let y = Int(parts[0]), let m = Int(parts[1]), (1900...2100).contains(y),
                LocalDate(year: y, month: m, day: 1) != nil, LocalDate(year: m == 12 ? y + 1 : y, month: m == 12 ? 1 : m + 1, day: 1) != nil
            else { throw Problem.badRequest("month is invalid.", errors: [.init(field: "month", message: "must be a month like 2026-03")]) }
            year = y
            month = m
        }
        guard let start = LocalDate(year: year, month: month, day: 1),
            let next = LocalDate(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1)
        else { throw Problem.internalError }
        return MonthParameter(start: start, next: next)
    }
}
