/// An AT-URI: `at://<authority>[/<collection>[/<rkey>]][#<fragment>]`, strict syntax.
///
/// The authority is a handle or a DID, the collection an NSID, the record key a record key;
/// no trailing slash; the fragment, if any, non-empty and starting with `/`; at most 8 KiB.
public struct ATURI: Hashable, Sendable, CustomStringConvertible {
    /// Why a string is not an AT-URI.
    public enum SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        case tooLong
        case disallowedCharacters
        case notATScheme
        case invalidAuthority
        case invalidCollection
        case invalidRecordKey
        case emptyPathSegment
        case tooManyPathSegments
        case invalidFragment

        public var description: String {
            switch self {
            case .tooLong: return "AT-URI longer than 8192 characters"
            case .disallowedCharacters: return "AT-URI has characters outside its allowed ASCII set"
            case .notATScheme: return "AT-URI must start with at://"
            case .invalidAuthority: return "AT-URI authority is not a handle or a DID"
            case .invalidCollection: return "AT-URI collection is not an NSID"
            case .invalidRecordKey: return "AT-URI record key is not a valid record key"
            case .emptyPathSegment: return "AT-URI has an empty path segment (trailing or double slash)"
            case .tooManyPathSegments: return "AT-URI path has more than collection and record key"
            case .invalidFragment: return "AT-URI fragment must be non-empty and start with /"
            }
        }
    }

    public let string: String
    public let authority: String
    public let collection: NSID?
    public let recordKey: RecordKey?
    public let fragment: String?

    /// The longest AT-URI.
    public static let maxLength = 8192

    private static let pathCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:@!$&')(*+,;=%/-".utf8)
    private static let fragmentCharacters = pathCharacters.union("[]".utf8)

    /// Parses and validates `string`.
    public init(_ string: String) throws(SyntaxError) {
        guard string.utf8.count <= Self.maxLength else { throw .tooLong }
        let hashParts = string.split(separator: "#", omittingEmptySubsequences: false)
        guard hashParts.count <= 2 else { throw .invalidFragment }
        let main = hashParts[0]
        guard main.utf8.allSatisfy(Self.pathCharacters.contains) else { throw .disallowedCharacters }
        if hashParts.count == 2 {
            let fragment = hashParts[1]
            guard fragment.first == "/", fragment.utf8.allSatisfy(Self.fragmentCharacters.contains) else {
                throw .invalidFragment
            }
            self.fragment = String(fragment)
        } else {
            fragment = nil
        }
        let parts = main.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "at:", parts[1].isEmpty else { throw .notATScheme }
        let authority = String(parts[2])
        guard ATIdentifier.isValidSyntax(authority) else { throw .invalidAuthority }
        self.authority = authority
        guard parts.count <= 5 else { throw .tooManyPathSegments }
        if parts.count >= 4 {
            guard !parts[3].isEmpty else { throw .emptyPathSegment }
            guard let collection = NSID(String(parts[3])) else { throw .invalidCollection }
            self.collection = collection
        } else {
            collection = nil
        }
        if parts.count == 5 {
            guard !parts[4].isEmpty else { throw .emptyPathSegment }
            guard let key = RecordKey(String(parts[4])) else { throw .invalidRecordKey }
            recordKey = key
        } else {
            recordKey = nil
        }
        self.string = string
    }

    /// The URI of a record: `at://<did>/<collection>/<rkey>`.
    public init(did: DID, collection: NSID, recordKey: RecordKey) {
        string = "at://\(did.string)/\(collection.string)/\(recordKey.string)"
        authority = did.string
        self.collection = collection
        self.recordKey = recordKey
        fragment = nil
    }

    public var description: String { string }
}

/// Lexical CID syntax as atproto's string format defines it (any multibase, 8–256 of
/// `[a-zA-Z0-9+=]`, CIDv0 `Qm…` refused). `CID(string:)` is the strict parser for links.
public enum CIDSyntax {
    /// True when `string` has atproto's CID string syntax.
    public static func isValid(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard (8...256).contains(bytes.count), !string.hasPrefix("Qm") else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "=") }
    }
}
