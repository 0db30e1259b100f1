import HTTPTypes
import LiushouHTTP

extension DoorCheckRecorder.ItemResult {
    /// The answer to a single upload: 201 created, 200 a retry, 409 the id holds other content, 422 rejected.
    public static func singleResponse(_ result: Self?, record: String) throws -> JSONResponse {
        switch result?.status {
        case .created:
            return try JSONResponse(result, status: .created)
        case .duplicate:
            return try JSONResponse(result, status: .ok)
        case .conflict:
            throw Problem.idConflict(record)
        case .rejected, nil:
            throw Problem.validation(result?.errors ?? [])
        }
    }
}
