import HTTPTypes
import Hummingbird

/// Records every request and applies injected faults: a stall or a status before the routes run,
/// a body fault to what they answer.
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
        let fault = faults.take(for: target)
        if let fault {
            if let stall = fault.stall { try await Task.sleep(for: stall) }
            if fault.status != nil || fault.body.isReplacement {
                var response = Response(status: .init(code: fault.status ?? 200))
                for (name, value) in fault.headers {
                    if let field = HTTPField.Name(name) { response.headers[field] = value }
                }
                if let body = fault.body { response = try await body.apply(to: response) }
                record(Int(response.status.code))
                return response
            }
        }
        do {
            var response = try await next(request, context)
            if let body = fault?.body { response = try await body.apply(to: response) }
            record(Int(response.status.code))
            return response
        } catch let error as HTTPResponseError {
            record(Int(error.status.code))
            throw error
        }
    }
}

extension Optional where Wrapped == BodyFault {
    /// A body that replaces the answer entirely, so the routes need not run.
    fileprivate var isReplacement: Bool {
        if case .replace? = self { return true }
        return false
    }
}
