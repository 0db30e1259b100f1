import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/checkups`: clinics upload checkups, one as JSON or up to 5,000 as a JSON array or CSV.
struct CheckupController: Sendable {
    let database: TenantDatabase
    let recorder: CheckupRecorder

    typealias Batch = BatchBody<CheckupInput>

    struct Report: Encodable, BatchCounts {
        var created = 0
        var duplicate = 0
        var conflict = 0
        var rejected = 0
        var results: [CheckupRecorder.Outcome] = []

        /// The answer as `JSONResponse(self)` writes it, written by hand (an answer has up to 5,000 rows).
        var json: JSONText {
            JSONText.object { json in
                json.counts(self)
                json.objects("results", of: self.results) { json, outcome in
                    json.field("errors", outcome.errors)
                    json.field("id", outcome.id)
                    json.field("index", outcome.index)
                    json.field("recordId", outcome.recordId)
                    json.field("status", outcome.status)
                }
            }
        }
    }

    /// Records one checkup: 201 created, 200 a re-upload, 409 the record id holds other content, 422 rejected.
    @Sendable func record(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: CheckupInput.self, context: context)
        let outcome = try await self.database.transaction(for: caller, maxAttempts: 3) { transaction in
            try await self.recorder.record(
                [.init(index: 0, input: input, recordId: input.recordId, errors: [])],
                caller: caller,
                commitsWithWrite: true,
                in: transaction
            )
        }.first
        switch outcome?.status {
        case "created": return try JSONResponse(outcome, status: .created)
        case "duplicate": return try JSONResponse(outcome, status: .ok)
        case "conflict": throw Problem.idConflict("checkup record")
        default: throw Problem.validation(outcome?.errors ?? []).localized(for: request)
        }
    }

    /// Records a batch (a JSON `items` array, or CSV with `Content-Type: text/csv`): counts and one outcome per row.
    @Sendable func recordBatch(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let rows: [CheckupRecorder.Row]
        if request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true {
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            do {
                rows = try CheckupCSV.rows(from: Data(body.readableBytesView))
            } catch let problem as Problem {
                throw problem.localized(for: request)
            }
        } else {
            let batch = try await request.decodeJSON(as: Batch.self, context: context)
            rows = batch.items.enumerated().map { index, item in
                CheckupRecorder.Row(
                    index: index,
                    input: item.input,
                    recordId: item.input?.recordId,
                    errors: item.input == nil ? [.init(field: "items[\(index)]", message: item.problem ?? "cannot be read")] : []
                )
            }
        }
        guard rows.count <= CheckupRecorder.maxBatch else {
            throw Problem.validation([.init(field: "items", message: "send at most \(CheckupRecorder.maxBatch) checkups per request")])
                .localized(for: request)
        }
        let outcomes = try await self.recorder.record(rows, caller: caller, in: self.database)
        var report = Report()
        for outcome in outcomes {
            switch outcome.status {
            case "created": report.created += 1
            case "duplicate": report.duplicate += 1
            case "conflict": report.conflict += 1
            default: report.rejected += 1
            }
        }
        // A clinic's staff read the rejected rows: in Chinese unless the request asks for English.
        report.results = outcomes.map { outcome in
            var outcome = outcome
            outcome.errors = outcome.errors.map { FieldMessages.localized($0, for: request) }
            return outcome
        }
        return JSONResponse(report.json)
    }
}
