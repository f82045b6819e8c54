/// A service origin, `https://host[:port]`, with nothing else: no userinfo, no path, no query.
/// This is all a PDS endpoint may be (check 6); it is what the verifier will connect to.
public struct ServiceEndpoint: Sendable, Hashable, CustomStringConvertible {
    public struct InvalidEndpoint: Error, Equatable, Sendable {
        public let reason: String
    }

    public let scheme: String
    public let host: String
    public let port: Int?

    /// Parses `text`. Plain `http`, `localhost` and IPv4 loopback literals are accepted only
    /// with `allowInsecureLocal` (the local test world).
    public init(_ text: String, allowInsecureLocal: Bool = false) throws(InvalidEndpoint) {
        let scheme: String
        var rest: Substring
        if text.hasPrefix("https://") {
            scheme = "https"
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            guard allowInsecureLocal else { throw InvalidEndpoint(reason: "'\(text)' is not https (plain http only in a local test world, with --allow-insecure-local)") }
            scheme = "http"
            rest = text.dropFirst(7)
        } else {
            throw InvalidEndpoint(reason: "'\(text)' is not an https URL")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }  // an empty path written as "/"
        guard !rest.contains(where: { "/?#@\\ ".contains($0) }) else {
            throw InvalidEndpoint(reason: "'\(text)' must be an origin only (no path, query, fragment or userinfo)")
        }
        var host = rest
        var port: Int?
        if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            let portText = rest[rest.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number), portText.first != "0" else {
                throw InvalidEndpoint(reason: "'\(text)' has an invalid port")
            }
            port = number
        }
        let hostString = String(host).lowercased()
        let isLocal = hostString == "localhost" || hostString == "127.0.0.1"
        if isLocal {
            guard allowInsecureLocal else {
                throw InvalidEndpoint(reason: "'\(text)' is a loopback address: allowed only in a local test world, with --allow-insecure-local")
            }
        } else {
            guard Handle.isValidSyntax(hostString) else {
                throw InvalidEndpoint(reason: "'\(text)' does not name a DNS host")
            }
        }
        self.scheme = scheme
        self.host = hostString
        self.port = port
    }

    /// `https://host[:port]`.
    public var origin: String {
        "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    public var description: String { origin }
}
