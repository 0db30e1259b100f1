import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/overdue`, `/v1/relief/indicators`, `/v1/relief/payments.csv`: the town's lists and books.
struct ReliefReportController: Sendable {
    let database: TenantDatabase
    /// The overdue list and the indicators only read: a replica may serve them. The payment book
    /// stays on the primary (its export is audited in the same transaction).
    let reads: ReadDatabase
    let store: ReliefCaseStore
    let clock: ChinaClock

    @Sendable func overdue(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReliefUnitQuery.self, context: context)
        let items = try await self.reads.transaction(for: caller) { transaction in
            let unit = try await self.store.unit(query.unitId, caller: caller, permission: .reliefReports, in: transaction)
            return try await self.store.overdue(under: unit.path, in: transaction)
        }
        return try JSONResponse(Items(items: items.value), headers: items.origin.headers)
    }

    /// The figures as of `on` (today in China by default).
    @Sendable func indicators(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReliefIndicatorQuery.self, context: context)
        let day = query.on ?? self.clock.today()
        let indicators = try await self.reads.transaction(for: caller) { transaction in
            let unit = try await self.store.unit(query.unitId, caller: caller, permission: .reliefReports, in: transaction)
            return try await ReliefIndicators.compute(unitID: query.unitId, path: unit.path, on: day, in: transaction)
        }
        return try JSONResponse(indicators.value, headers: indicators.origin.headers)
    }

    /// The month's payment book as a CSV download (its export is audited).
    @Sendable func payments(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> CSVAttachment {
        let query = try request.uri.decodeQuery(as: ReliefPaymentQuery.self, context: context)
        let text = try await self.database.transaction(for: caller, kind: .bulk) { transaction in
            let unit = try await self.store.unit(query.unitId, caller: caller, permission: .reliefReports, in: transaction)
            let book = try await PaymentBook.load(path: unit.path, from: query.start, until: query.end, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "relief.payments_export",
                resource: "relief_case",
                unitID: query.unitId,
                unitPath: unit.path,
                detail: ["month": query.month, "rows": String(book.lines.count)]
            ).append(in: transaction)
            return book.csv
        }
        return CSVAttachment(text, filename: "relief-payments-\(query.month).csv")
    }
}
