/// A JSON Pointer (RFC 6901), the `path` of a JSON Patch operation: `/spec/containers/0/image`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The reference tokens, unescaped.
    public var tokens: [String]

    /// A pointer from its tokens (unescaped; ``description`` escapes them).
    public init(_ tokens: [String]) {
        self.tokens = tokens
    }

    /// One token escaped: `~` becomes `~0`, then `/` becomes `~1` (RFC 6901 §3; the order matters,
    /// so that `~1` in a name is written `~01`, not read back as `/`).
    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The pointer as text: `""` for the whole document, else `/` before each escaped token.
    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }
}
