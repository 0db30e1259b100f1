import HTTPTypes
import Hummingbird

/// Counts requests and times them by method, route template (not raw path) and status.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    private let metrics: HTTPMetrics

    /// A middleware recording into `metrics`.
    public init(metrics: HTTPMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            self.finish(request, context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? (error as? Problem)?.status.code ?? 500
            self.finish(request, context, status: status, started: started)
            throw error
        }
    }

    private func finish(_ request: Request, _ context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = context.endpointPath.map { $0 == "NotFound" ? "unmatched" : $0 } ?? "unmatched"
        self.metrics.record(method: request.method.rawValue, route: route, status: status, duration: ContinuousClock.now - started)
    }
}
