/// The registry part of an image reference (`host[:port]`), canonicalized to the one name
/// for the place a client connects to. Both the image references the verifier fetches and the
/// names trust-policy scopes are matched against go through here, so a scope sees exactly the
/// registry a pull contacts, however the pod spec spells it:
///
/// - the host is lowercased (DNS is case-insensitive);
/// - a port is a number: leading zeros go (`:05000` is `:5000`), and the https default 443
///   is dropped (`atcr.io:443` is `atcr.io`) unless the bare host would then read as a Docker
///   Hub namespace (`registry:443` stays);
/// - Docker Hub's aliases `index.docker.io` and `registry-1.docker.io` are `docker.io`;
/// - an IPv4 literal in any form the C resolver accepts (`0x7f.1`, `2130706433`) is written
///   in dotted decimal; an IPv6 literal in its RFC 5952 form, in brackets;
/// - every spelling of the machine itself (127.0.0.0/8, 0.0.0.0, `[::1]`, `[::]`, IPv4-mapped
///   loopback, `localhost4`, `x.localhost`, …) is `localhost`: to a node they are one registry.
///
/// The accepted syntax is the reference grammar's (what containerd and CRI-O parse): DNS-style
/// labels of letters, digits and inner hyphens separated by single dots (so no trailing dot, no
/// percent-encoding), or an IPv6 literal of hex digits and colons in brackets (no zone, no
/// dotted tail); then an optional `:` and decimal port.
public enum RegistryHost {
    /// Docker Hub's canonical name.
    public static let dockerHub = "docker.io"
    /// Docker Hub's other names: the legacy index and the API host.
    public static let dockerHubAliases: Set<String> = ["index.docker.io", "registry-1.docker.io"]
    /// The port a registry is reached on when the reference names none (https).
    public static let defaultPort = 443

    /// Why a registry part is not valid.
    public enum ParseError: Error, Sendable, Hashable {
        /// The host is not a DNS-style name, an IPv4 literal or a bracketed IPv6 literal.
        case invalidHost
        /// The port is not a decimal number in 1-65535; the text after `:` is attached.
        case invalidPort(String)
    }

    /// Validates `text` with the reference grammar and returns its canonical name.
    public static func canonical(parsing text: Substring) throws(ParseError) -> String {
        var host = text
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .invalidHost }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw .invalidHost }
                portText = after.dropFirst()
            }
            host = host[...close]
        } else if let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        let canonicalHost: String
        if host.hasPrefix("[") {
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0 == ":" || ($0.isASCII && $0.isHexDigit) }),
                let address = IPAddress(ipv6: inner)
            else { throw .invalidHost }
            canonicalHost = address.addressClass.isLocal ? "localhost" : "[\(address)]"
        } else {
            guard isDomainName(host) else { throw .invalidHost }
            canonicalHost = canonicalName(host.lowercased())
        }
        var port: Int?
        if let portText {
            guard let number = parsePort(portText) else { throw .invalidPort(String(portText)) }
            port = number
        }
        return join(canonicalHost, port: port)
    }

    /// The canonical name of a registry already known to be one (a credentials key, a flag
    /// value, a scope's literal host). Text the grammar refuses is only lowercased, so it stays
    /// distinct from every valid name.
    public static func canonical(_ text: some StringProtocol) -> String {
        (try? canonical(parsing: Substring(text))) ?? text.lowercased()
    }

    /// True when `text` is a host the reference grammar accepts: labels of ASCII letters and
    /// digits with inner hyphens, joined by single dots.
    static func isDomainName(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isAlphanumeric(first) && isAlphanumeric(last) && label.allSatisfy { isAlphanumeric($0) || $0 == "-" }
        }
    }

    /// A lowercase DNS-style host as a client reaches it: IPv4 literals in dotted decimal,
    /// the machine itself as `localhost`, Docker Hub's aliases folded later (they depend on
    /// the port).
    private static func canonicalName(_ host: String) -> String {
        if LocalHostNames.isLocal(host) { return "localhost" }
        if let address = IPAddress(ipv4: Substring(host)) {
            return address.addressClass.isLocal ? "localhost" : address.description
        }
        return host
    }

    /// `host[:port]`, the default port dropped, except where the bare host would no longer
    /// read as a registry (a single label such as `registry:443/app`: `registry/app` is a
    /// Docker Hub repository).
    private static func join(_ host: String, port: Int?) -> String {
        guard let port, port != defaultPort || !readsAsRegistry(host) else {
            return dockerHubAliases.contains(host) ? dockerHub : host
        }
        return "\(host):\(port)"
    }

    /// Docker's rule for the first segment of a reference: a registry when it contains `.` or
    /// `:`, or is `localhost`; anything else is a Docker Hub namespace.
    public static func readsAsRegistry(_ segment: some StringProtocol) -> Bool {
        segment.contains(".") || segment.contains(":") || segment == "localhost"
    }

    /// A decimal port, any number of leading zeros, 1-65535.
    private static func parsePort(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let significant = text.drop { $0 == "0" }
        guard significant.count <= 5, let number = Int(significant), (1...65535).contains(number) else { return nil }
        return number
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }
}
