import HTTPTypes
import Hummingbird

/// Records every request and applies injected faults before the routes run.
struct RecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let log: RequestLog
    let faults: FaultSwitch

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.description
        func record(_ status: Int) {
            log.append(LoggedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                authorization: request.headers[.authorization], accept: request.headers[.accept], status: status))
        }
        if let fault = faults.take(for: target) {
            if let stall = fault.stall { try await Task.sleep(for: stall) }
            if let status = fault.status {
                var response = Response(status: .init(code: status))
                for (name, value) in fault.headers {
                    if let field = HTTPField.Name(name) { response.headers[field] = value }
                }
                record(status)
                return response
            }
        }
        do {
            let response = try await next(request, context)
            record(Int(response.status.code))
            return response
        } catch let error as HTTPResponseError {
            record(Int(error.status.code))
            throw error
        }
    }
}
