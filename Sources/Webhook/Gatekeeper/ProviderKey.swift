/// One key of a ProviderRequest, as the project's ConstraintTemplate writes it: always
/// `NAMESPACE|IMAGE`, so the policies' namespace filters apply exactly as in the webhook, with
/// NAMESPACE empty when the request named none (the image then gets the strictest decision any
/// namespace could give it). `|` occurs in no image reference and no namespace name, so the key
/// splits at its first `|`. A key with no `|` at all (a Rego of one's own) is a bare image.
struct ProviderKey: Sendable, Equatable {
    /// The namespace the image would run in; nil when the key names none.
    let namespace: String?
    /// The image reference, as the pod spec wrote it.
    let image: String

    /// Splits `key` at its first `|`. A prefix that is neither empty nor a namespace name leaves
    /// the key whole: as an image reference it does not parse, so it is denied as invalid
    /// rather than guessed at. So is an image part that still holds a `|`.
    init(_ key: String) {
        guard let bar = key.firstIndex(of: "|"), key[..<bar].isEmpty || Self.isNamespaceName(key[..<bar]) else {
            namespace = nil
            image = key
            return
        }
        namespace = key[..<bar].isEmpty ? nil : String(key[..<bar])
        image = String(key[key.index(after: bar)...])
    }

    /// A Kubernetes namespace name: an RFC 1123 label, 1 to 63 of `a-z`, `0-9` and `-`,
    /// starting and ending with a letter or digit.
    static func isNamespaceName(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
