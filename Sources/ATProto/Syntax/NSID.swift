/// A Namespaced Identifier (collection name), e.g. `io.atcr.manifest`.
///
/// At least three labels; the domain labels (all but the last) are hostname labels, the
/// first not starting with a digit; the name (last label)
/// is `[a-zA-Z][a-zA-Z0-9]{0,62}`; at most 317 characters overall.
public struct NSID: Hashable, Sendable, CustomStringConvertible {
    public let string: String

    /// The longest NSID.
    public static let maxLength = 317

    /// The collection that holds ATCR image manifests.
    public static let atcrManifest = NSID(validated: "io.atcr.manifest")

    /// Validates `string`; nil when it is not an NSID.
    public init?(_ string: String) {
        guard Self.isValid(string) else { return nil }
        self.string = string
    }

    private init(validated: String) { string = validated }

    /// True when `string` has NSID syntax.
    public static func isValid(_ string: String) -> Bool {
        let bytes = Array(string.utf8)
        guard bytes.count <= maxLength else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 3, let name = labels.last, let first = labels.first else { return false }
        let domainLabels = labels.dropLast()
        for label in domainLabels where !Handle.isHostnameLabel(label) { return false }
        if let leading = first.first, isDigit(leading) { return false }
        guard (1...63).contains(name.count), let nameStart = name.first, isAlpha(nameStart) else {
            return false
        }
        return name.allSatisfy(isAlphanumeric)
    }

    public var description: String { string }
}
