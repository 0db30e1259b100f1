import HTTPTypes
import Hummingbird
import LiushouHTTP

extension ServiceError: ProblemConvertible, HTTPResponseError {
    public var problem: Problem {
        switch self {
        case .invalid(let errors):
            return .validation(errors)
        case .notFound(let detail):
            return .notFound(detail)
        case .versionMismatch(let record, let current):
            return .versionMismatch(record, current: current)
        case .idConflict(let record):
            return .idConflict(record)
        case .malformed(let detail):
            return .badRequest(detail)
        case .conflict(let code, let title, let detail, let errors, let extensions):
            return Problem(status: .conflict, code: code, title: title, detail: detail, errors: errors, extensions: extensions)
        case .unprocessable(let code, let title, let detail, let errors, let extensions):
            return Problem(status: .unprocessableContent, code: code, title: title, detail: detail, errors: errors, extensions: extensions)
        case .forbidden(let code, let title, let detail):
            return Problem(status: .forbidden, code: code, title: title, detail: detail)
        }
    }

    public var status: HTTPResponse.Status { self.problem.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try self.problem.response(from: request, context: context)
    }
}
