import Foundation
import OCI

/// A request as the registry logic sees it, independent of the server framework.
struct RegistryHTTPRequest: Sendable {
    var method: String
    var path: String
    var query: FormQuery
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of `name`, comma lists split.
    func headerList(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            .flatMap { $0.value.split(separator: ",") }
            .map { $0.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased() ?? "" }
    }
}

/// A response as the registry logic produces it.
struct RegistryHTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    static func json(_ status: Int, _ body: [UInt8], contentType: String = "application/json") -> RegistryHTTPResponse {
        RegistryHTTPResponse(status: status, headers: [("Content-Type", contentType)], body: body)
    }

    /// The distribution-spec error body.
    static func error(_ status: Int, code: String, message: String) -> RegistryHTTPResponse {
        struct Body: Encodable {
            struct Entry: Encodable {
                var code: String
                var message: String
            }
            var errors: [Entry]
        }
        return json(status, OCIJSON.encode(Body(errors: [.init(code: code, message: message)])))
    }
}

/// An `application/x-www-form-urlencoded` query, decoded as Go's `url.ParseQuery` does
/// (distribution is Go): `+` is a space, `%XX` a byte.
struct FormQuery: Sendable {
    var pairs: [(String, String)] = []

    init(_ raw: String?) {
        guard let raw, !raw.isEmpty else { return }
        for part in raw.split(separator: "&") {
            let keyValue = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(keyValue[0]), keyValue.count > 1 ? Self.decode(keyValue[1]) : ""))
        }
    }

    subscript(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The routes of `/v2/<name>/…`, split from the end as distribution does.
enum RegistryRoute: Equatable {
    case base
    case manifest(repository: String, reference: String)
    case blob(repository: String, digest: String)
    case uploads(repository: String, session: String?)
    case tags(repository: String)
    case referrers(repository: String, digest: String)

    init?(path: String) {
        guard path.hasPrefix("/v2") else { return nil }
        let rest = path.dropFirst(3)
        if rest.isEmpty || rest == "/" {
            self = .base
            return
        }
        guard rest.hasPrefix("/") else { return nil }
        var parts = rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func name(dropping count: Int) -> String? {
            guard parts.count > count else { return nil }
            return parts.dropLast(count).joined(separator: "/")
        }
        if parts.last == "" { parts.removeLast() }  // `/blobs/uploads/`
        let count = parts.count
        if count >= 3, parts[count - 2] == "blobs", parts[count - 1] == "uploads", let repository = name(dropping: 2) {
            self = .uploads(repository: repository, session: nil)
        } else if count >= 4, parts[count - 3] == "blobs", parts[count - 2] == "uploads", let repository = name(dropping: 3) {
            self = .uploads(repository: repository, session: parts[count - 1])
        } else if count >= 3, parts[count - 2] == "manifests", let repository = name(dropping: 2) {
            self = .manifest(repository: repository, reference: parts[count - 1])
        } else if count >= 3, parts[count - 2] == "blobs", let repository = name(dropping: 2) {
            self = .blob(repository: repository, digest: parts[count - 1])
        } else if count >= 3, parts[count - 2] == "tags", parts[count - 1] == "list", let repository = name(dropping: 2) {
            self = .tags(repository: repository)
        } else if count >= 3, parts[count - 2] == "referrers", let repository = name(dropping: 2) {
            self = .referrers(repository: repository, digest: parts[count - 1])
        } else {
            return nil
        }
    }

    var repository: String? {
        switch self {
        case .base: return nil
        case .manifest(let repository, _), .blob(let repository, _), .uploads(let repository, _), .tags(let repository),
            .referrers(let repository, _):
            return repository
        }
    }
}
