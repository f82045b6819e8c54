import Foundation

/// Small pieces of HTTP text handling: query escaping, `Link` headers, URL origins.
enum HTTPText {
    /// Percent-encodes `text` for a query value: everything but RFC 3986's unreserved
    /// characters, so `+` is sent as `%2B` (a raw `+` decodes to a space) and `/` as `%2F`.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The `rel="next"` target of `Link` header values (RFC 8288), unresolved.
    static func nextLink(_ values: [String]) -> String? {
        for value in values {
            var rest = Substring(value)
            while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
                let target = String(rest[rest.index(after: open)..<close])
                let afterTarget = rest[rest.index(after: close)...]
                let paramsEnd = afterTarget.firstIndex(of: "<") ?? afterTarget.endIndex
                let params = afterTarget[..<paramsEnd]
                for param in params.split(separator: ";") {
                    let parts = param.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { continue }
                    let rels = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t,\""))
                    if rels.lowercased().split(separator: " ").contains("next") { return target }
                }
                rest = afterTarget[paramsEnd...]
            }
        }
        return nil
    }

    /// `link` resolved against `base` (relative links are common).
    static func resolve(_ link: String, against base: String) -> String? {
        guard let baseURL = URL(string: base), let url = URL(string: link, relativeTo: baseURL) else { return nil }
        return url.absoluteURL.absoluteString
    }

    /// `scheme://host[:port]` of `url`, lowercased, the default port omitted.
    static func origin(of url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host?.lowercased() else {
            return nil
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = parsed.port, port != defaultPort { return "\(scheme)://\(hostPart):\(port)" }
        return "\(scheme)://\(hostPart)"
    }
}
