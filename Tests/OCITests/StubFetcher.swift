import HTTPFetch
import Synchronization

/// An `HTTPFetching` that answers from a closure and records every request: for behaviours
/// that need a server saying something a real one cannot (an https registry with an http realm).
final class StubFetcher: HTTPFetching {
    private let requests = Mutex<[FetchRequest]>([])
    private let answer: @Sendable (FetchRequest) -> FetchResponse

    init(_ answer: @escaping @Sendable (FetchRequest) -> FetchResponse) {
        self.answer = answer
    }

    var seen: [FetchRequest] { requests.withLock { $0 } }

    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        requests.withLock { $0.append(request) }
        return answer(request)
    }
}
