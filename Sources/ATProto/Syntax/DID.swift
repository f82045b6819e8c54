/// A DID that atproto can use: generic DID syntax plus the protocol's rules for the two
/// supported methods (check 1 of docs/proof-checks.md).
///
/// - `did:plc:` + exactly 24 characters of base32 `[a-z2-7]`.
/// - `did:web:` + a bare lowercase hostname (no path segments, no percent-encoding), except
///   `did:web:localhost%3A<port>`, which exists only for local test worlds; whether such a DID
///   may be resolved is the resolver's decision (`isLocalhostWithPort`).
public struct DID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The two DID methods atproto supports.
    public enum Method: String, Sendable {
        case plc
        case web
    }

    /// Why a string is not an atproto DID.
    public enum SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidSyntax(String)
        case unsupportedMethod(String)
        case invalidPLCIdentifier(String)
        case invalidWebHost(String)

        public var description: String {
            switch self {
            case .invalidSyntax(let why): return "not DID syntax: \(why)"
            case .unsupportedMethod(let method):
                return "DID method '\(method)' is not supported (atproto uses did:plc and did:web)"
            case .invalidPLCIdentifier(let why): return "not a did:plc identifier: \(why)"
            case .invalidWebHost(let why): return "not a did:web identifier: \(why)"
            }
        }
    }

    /// The DID exactly as written (DIDs are case-sensitive).
    public let string: String
    public let method: Method

    /// Validates `string` with the generic and the atproto rules.
    public init(_ string: String) throws(SyntaxError) {
        if let problem = DIDSyntax.genericProblem(string) { throw .invalidSyntax(problem) }
        let bytes = Array(string.utf8)
        guard let methodEnd = bytes[4...].firstIndex(of: UInt8(ascii: ":")) else {
            throw .invalidSyntax("missing ':' after the method")
        }
        let methodName = String(decoding: bytes[4..<methodEnd], as: UTF8.self)
        let identifier = String(decoding: bytes[(methodEnd + 1)...], as: UTF8.self)
        switch methodName {
        case "plc":
            try Self.checkPLC(identifier)
            method = .plc
        case "web":
            try Self.checkWeb(identifier)
            method = .web
        default:
            throw .unsupportedMethod(methodName)
        }
        self.string = string
    }

    /// The method-specific identifier (after `did:<method>:`).
    public var identifier: Substring {
        string.dropFirst(8)  // "did:plc:" and "did:web:" are both 8 characters
    }

    /// For did:web: the host and, for the test-only localhost form, the port.
    public var webHost: (host: String, port: Int?)? {
        guard method == .web else { return nil }
        let id = String(identifier)
        if let range = id.range(of: "%3A") {
            return (String(id[..<range.lowerBound]), Int(id[range.upperBound...]))
        }
        return (id, nil)
    }

    /// True for `did:web:localhost%3A<port>`, the form only a local test world uses.
    public var isLocalhostWithPort: Bool {
        webHost?.port != nil
    }

    public var description: String { string }

    public static func < (lhs: DID, rhs: DID) -> Bool { lhs.string < rhs.string }

    private static func checkPLC(_ id: String) throws(SyntaxError) {
        let bytes = Array(id.utf8)
        guard bytes.count == 24 else {
            throw .invalidPLCIdentifier("expected 24 base32 characters after did:plc:, found \(bytes.count)")
        }
        for byte in bytes where !(isLowerAlpha(byte) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains(byte)) {
            throw .invalidPLCIdentifier("'\(Character(Unicode.Scalar(byte)))' is not a base32 character [a-z2-7]")
        }
    }

    private static func checkWeb(_ id: String) throws(SyntaxError) {
        var host = id
        if let range = id.range(of: "%3A") {
            host = String(id[..<range.lowerBound])
            let port = id[range.upperBound...]
            guard host == "localhost" else {
                throw .invalidWebHost("a percent-encoded port is allowed only for localhost (a local test world, with --allow-insecure-local)")
            }
            guard let number = Int(port), (1...65535).contains(number), port.first != "0" else {
                throw .invalidWebHost("'\(port)' is not a port number")
            }
            return
        }
        if id.contains(":") { throw .invalidWebHost("path segments are not allowed in atproto did:web") }
        if id.contains("%") { throw .invalidWebHost("percent-encoding is allowed only for a localhost port") }
        guard Handle.isValidSyntax(id) else { throw .invalidWebHost("'\(id)' is not a valid hostname") }
        guard id == id.lowercased() else { throw .invalidWebHost("hostname must be lowercase") }
        if let tld = id.split(separator: ".").last, Handle.disallowedTLDs.contains(String(tld)) {
            throw .invalidWebHost("the top-level domain .\(tld) cannot be resolved over https")
        }
    }
}

/// Generic DID syntax (W3C DID core, as atproto restricts it):
/// `^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$`, at most 2048 characters.
public enum DIDSyntax {
    /// The longest DID atproto accepts.
    public static let maxLength = 2048

    /// True when `string` has generic DID syntax (any method).
    public static func isValid(_ string: String) -> Bool { genericProblem(string) == nil }

    /// Why `string` is not generic DID syntax, or nil when it is.
    static func genericProblem(_ string: String) -> String? {
        let bytes = Array(string.utf8)
        guard bytes.count <= maxLength else { return "longer than \(maxLength) characters" }
        guard bytes.starts(with: Array("did:".utf8)) else { return "must start with 'did:'" }
        var index = 4
        while index < bytes.count, isLowerAlpha(bytes[index]) { index += 1 }
        guard index > 4 else { return "the method must be lowercase letters" }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            return "the method must be lowercase letters followed by ':'"
        }
        let identifier = bytes[(index + 1)...]
        guard let last = identifier.last else { return "the method-specific identifier is empty" }
        for byte in identifier where !(isAlphanumeric(byte) || Array("._:%-".utf8).contains(byte)) {
            return "'\(Character(Unicode.Scalar(byte)))' is not allowed in a DID"
        }
        if last == UInt8(ascii: ":") || last == UInt8(ascii: "%") { return "must not end with ':' or '%'" }
        return nil
    }
}

@inline(__always) func isLowerAlpha(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
}

@inline(__always) func isAlpha(_ byte: UInt8) -> Bool {
    isLowerAlpha(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

@inline(__always) func isAlphanumeric(_ byte: UInt8) -> Bool {
    isAlpha(byte) || isDigit(byte)
}
