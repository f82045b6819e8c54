import ATProto
import Foundation
import HTTPFetch
import Synchronization
import TrustPolicy

/// Everything verification fetched, captured for air-gapped verification: every HTTP exchange
/// (registry manifests and blobs, signature artifacts, DID documents, record-proof CARs, the
/// latest commits) with its bytes, and the capture time. Replayed, the same checks run over the
/// same bytes, so a changed byte is caught exactly as it would be on the network.
struct OfflineBundle: Sendable {
    /// One request and its answer.
    struct Exchange: Sendable {
        let method: String
        let url: String
        let status: Int
        let headers: [(name: String, value: String)]
        let body: [UInt8]
    }

    static let format = "atcr-verify-bundle/1"
    /// The largest bundle read.
    static let maxBytes = 256 << 20

    let capturedAt: Date
    let images: [String]
    let exchanges: [Exchange]

    var json: JSONValue {
        .object([
            JSONMember(name: "format", value: .string(Self.format)),
            JSONMember(name: "capturedAt", value: .string(RFC3339.format(capturedAt))),
            JSONMember(name: "images", value: .array(images.map(JSONValue.string))),
            JSONMember(name: "exchanges", value: .array(exchanges.map { exchange in
                .object([
                    JSONMember(name: "method", value: .string(exchange.method)),
                    JSONMember(name: "url", value: .string(exchange.url)),
                    JSONMember(name: "status", value: .number(String(exchange.status))),
                    JSONMember(name: "headers", value: .array(exchange.headers.map { .array([.string($0.name), .string($0.value)]) })),
                    JSONMember(name: "body", value: .string(Data(exchange.body).base64EncodedString())),
                ])
            })),
        ])
    }

    /// Reads a bundle file; the error says what is wrong with it.
    static func read(_ path: String) throws(CLIFailure) -> OfflineBundle {
        guard let bytes = FileReader.read(path, limit: maxBytes + 1), bytes.count <= maxBytes else {
            throw CLIFailure("cannot read the bundle \(path): \(FileReader.problem(path) ?? "larger than \(maxBytes) bytes")")
        }
        let json: JSONValue
        do {
            json = try JSONParser().parse(bytes)
        } catch {
            throw CLIFailure("\(path) is not an atcr-verify bundle (not JSON: \(error)); make one with atcr-verify bundle")
        }
        guard json["format"] == .string(format), case .string(let captured)? = json["capturedAt"],
              let capturedAt = try? RFC3339.parse(captured), case .array(let list)? = json["exchanges"]
        else {
            throw CLIFailure("\(path) is not an \(format) bundle (format, capturedAt or exchanges missing); make one with atcr-verify bundle")
        }
        var exchanges: [Exchange] = []
        for item in list {
            guard case .string(let method)? = item["method"], case .string(let url)? = item["url"],
                  case .number(let statusText)? = item["status"], let status = Int(statusText),
                  case .array(let headerList)? = item["headers"], case .string(let encoded)? = item["body"],
                  let body = Data(base64Encoded: encoded)
            else { throw CLIFailure("\(path): a malformed exchange; make the bundle again with atcr-verify bundle") }
            let headers = headerList.compactMap { pair -> (name: String, value: String)? in
                guard case .array(let parts) = pair, parts.count == 2, case .string(let name) = parts[0], case .string(let value) = parts[1]
                else { return nil }
                return (name, value)
            }
            exchanges.append(Exchange(method: method, url: url, status: status, headers: headers, body: Array(body)))
        }
        var images: [String] = []
        if case .array(let names)? = json["images"] { images = names.compactMap { if case .string(let name) = $0 { name } else { nil } } }
        return OfflineBundle(capturedAt: capturedAt, images: images, exchanges: exchanges)
    }
}

/// Fetches through the network and records every answer (for `atcr-verify bundle`).
final class RecordingFetcher: HTTPFetching {
    let upstream: any HTTPFetching
    private let recorded = Mutex<[OfflineBundle.Exchange]>([])

    init(upstream: any HTTPFetching) {
        self.upstream = upstream
    }

    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        let response = try await upstream.fetch(request)
        let exchange = OfflineBundle.Exchange(
            method: request.method.rawValue, url: request.url, status: response.status,
            headers: response.headers.fields, body: response.body)
        recorded.withLock { $0.append(exchange) }
        return response
    }

    var exchanges: [OfflineBundle.Exchange] { recorded.withLock { $0 } }
}

/// Answers from a bundle only: no request ever leaves the machine. A request the bundle does
/// not hold fails (as unreachable), naming the URL.
struct ReplayFetcher: HTTPFetching {
    let answers: [String: OfflineBundle.Exchange]

    init(bundle: OfflineBundle) {
        var answers: [String: OfflineBundle.Exchange] = [:]
        for exchange in bundle.exchanges { answers["\(exchange.method) \(exchange.url)"] = exchange }  // the last answer wins
        self.answers = answers
    }

    func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        guard let exchange = answers["\(request.method.rawValue) \(request.url)"] else {
            throw FetchError.transport(url: request.url, "not in the offline bundle (make the bundle again with these images and this policy)")
        }
        guard exchange.body.count <= request.maxBodyBytes else {
            throw FetchError.bodyTooLarge(url: request.url, limit: request.maxBodyBytes)
        }
        return FetchResponse(status: exchange.status, headers: FetchHeaders(exchange.headers), body: exchange.body, url: exchange.url)
    }
}
