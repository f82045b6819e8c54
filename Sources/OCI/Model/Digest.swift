import Crypto

/// A content digest, `algorithm:encoded` (e.g. `sha256:44136f…`).
///
/// `sha256` and `sha512` are checked strictly (lowercase hex of the right length) and can be
/// recomputed; other algorithms that follow the OCI grammar are kept (a registry may list them in
/// an index) but cannot be verified, so `isVerifiable` is false for them.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The algorithm, e.g. `sha256`.
    public let algorithm: String
    /// The encoded part, e.g. 64 lowercase hex digits for `sha256`.
    public let encoded: String

    /// Parses `algorithm:encoded`, failing with the reason it is malformed.
    public init(parsing text: String) throws(DigestError) {
        guard let colon = text.firstIndex(of: ":") else { throw .missingAlgorithm(text) }
        let algorithm = String(text[..<colon])
        let encoded = String(text[text.index(after: colon)...])
        guard Self.isValidAlgorithm(algorithm) else { throw .invalidAlgorithm(text) }
        guard !encoded.isEmpty, encoded.utf8.allSatisfy(Self.isEncodedByte) else { throw .invalidEncoding(text) }
        if let length = Self.hexLengths[algorithm] {
            guard encoded.utf8.count == length, encoded.utf8.allSatisfy(Self.isLowerHex) else {
                throw .invalidHex(text, algorithm: algorithm, expectedLength: length)
            }
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Parses `text`, or returns nil when it is not a well-formed digest.
    public init?(_ text: String) {
        guard let digest = try? Digest(parsing: text) else { return nil }
        self = digest
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<Bytes: Sequence<UInt8>>(of bytes: Bytes) -> Digest {
        let hash = SHA256.hash(data: Array(bytes))
        return Digest(uncheckedAlgorithm: "sha256", encoded: hexString(hash))
    }

    /// The digest of `bytes` under this digest's algorithm, or nil when the algorithm is not one
    /// this module can compute (`sha256`, `sha512`).
    public func recomputed<Bytes: Sequence<UInt8>>(over bytes: Bytes) -> Digest? {
        switch algorithm {
        case "sha256": return Digest.sha256(of: bytes)
        case "sha512": return Digest(uncheckedAlgorithm: "sha512", encoded: Self.hexString(SHA512.hash(data: Array(bytes))))
        default: return nil
        }
    }

    /// True when this module can recompute digests of this algorithm.
    public var isVerifiable: Bool { Self.hexLengths[algorithm] != nil }

    /// True when `bytes` hash to exactly this digest.
    public func matches<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        recomputed(over: bytes) == self
    }

    /// The OCI 1.1 referrers tag schema: `<alg>-<encoded>` truncated to 32 and 64 characters,
    /// characters a tag does not allow replaced by `-` (`sha256:ab…` → `sha256-ab…`).
    public var referrersTag: String {
        func clean(_ text: Substring) -> String {
            String(text.map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "." || character == "-")
                    ? character : "-"
            })
        }
        return clean(algorithm.prefix(32)) + "-" + clean(encoded.prefix(64))
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(DigestError) {
            self = try Digest(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    init(uncheckedAlgorithm algorithm: String, encoded: String) {
        self.algorithm = algorithm
        self.encoded = encoded
    }

    static let hexLengths: [String: Int] = ["sha256": 64, "sha512": 128]

    /// `[a-z0-9]+([+._-][a-z0-9]+)*`
    private static func isValidAlgorithm(_ text: String) -> Bool {
        let components = text.split(omittingEmptySubsequences: false, whereSeparator: { "+._-".contains($0) })
        return !text.isEmpty && components.allSatisfy { component in
            !component.isEmpty && component.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        }
    }

    /// `[a-zA-Z0-9=_-]`
    private static func isEncodedByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    static func hexString<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why a digest string is malformed.
public enum DigestError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingAlgorithm(String)
    case invalidAlgorithm(String)
    case invalidEncoding(String)
    case invalidHex(String, algorithm: String, expectedLength: Int)

    public var description: String {
        switch self {
        case .missingAlgorithm(let text):
            return "digest '\(text)' has no 'algorithm:' prefix (expected e.g. sha256:<64 hex digits>)"
        case .invalidAlgorithm(let text):
            return "digest '\(text)' has an invalid algorithm (lowercase letters and digits, e.g. sha256)"
        case .invalidEncoding(let text):
            return "digest '\(text)' has an empty or invalid encoded part"
        case .invalidHex(let text, let algorithm, let length):
            return "digest '\(text)' is not a \(algorithm) digest: expected \(length) lowercase hex digits"
        }
    }
}
