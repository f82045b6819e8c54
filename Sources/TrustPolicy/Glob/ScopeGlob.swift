import HostNames

/// An anchored glob over image names (`registry/repository`) or namespace names.
///
/// - `*` matches any run of characters except `/`;
/// - `**` matches any run of characters including `/`;
/// - `?` matches exactly one character except `/`;
/// - lowercase letters, digits, `.`, `-`, `_`, `/` and `:` are literal;
/// - anything else (uppercase, spaces, `[`, `{`, `\`, three or more `*` in a row, …) is a
///   syntax error, so a pattern never means something other than what it looks like.
///
/// A literal registry host (no wildcard before the first `/`) is rewritten to its canonical
/// name by `RegistryHost`, the function `ImageName` uses: `atcr.io:443/**` is matched as
/// `atcr.io/**`, `registry-1.docker.io/**` as `docker.io/**` (the loader warns about such
/// spellings and suggests the canonical one). Matching is a dynamic program over the pattern
/// and the name, O(pattern × name), so no pattern can make it backtrack exponentially.
public struct ScopeGlob: Sendable, Hashable, CustomStringConvertible {
    /// Why a pattern is not a valid glob.
    public enum SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        case empty
        /// A character outside the allowed set, at a 1-based character position.
        case invalidCharacter(Character, position: Int)
        /// Three or more `*` in a row, at a 1-based character position.
        case tooManyStars(position: Int)

        public var description: String {
            switch self {
            case .empty:
                return "a glob must not be empty"
            case .invalidCharacter(let character, let position):
                let hint = character.isUppercase ? " (image and namespace names are lowercase)" : ""
                return "invalid character '\(character)' at position \(position)\(hint); "
                    + "allowed: lowercase letters, digits, '.', '-', '_', '/', ':' and the wildcards *, **, ?"
            case .tooManyStars(let position):
                return "'***' at position \(position) is not a wildcard: use '*' (within a path segment) or '**' (across '/')"
            }
        }
    }

    enum Token: Sendable, Hashable {
        case literal(UInt8)
        case one        // ?
        case star       // *
        case globstar   // **
    }

    /// The pattern exactly as written in the policy.
    public let pattern: String
    /// The pattern after canonicalizing a literal registry host (what is actually matched).
    public let canonicalPattern: String
    let tokens: [Token]

    /// Parses and checks `pattern`.
    public init(_ pattern: String) throws(SyntaxError) {
        guard !pattern.isEmpty else { throw .empty }
        var position = 0
        for character in pattern {
            position += 1
            guard let ascii = character.asciiValue, Self.isAllowed(ascii) else {
                throw .invalidCharacter(character, position: position)
            }
        }
        let canonical = Self.canonicalizeHost(pattern)
        let bytes = Array(canonical.utf8)
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "*") {
                var run = 1
                while index + run < bytes.count, bytes[index + run] == UInt8(ascii: "*") { run += 1 }
                guard run <= 2 else {
                    // Position in the original pattern: the canonical rewrite only shortens a
                    // literal host, so report against what the operator wrote.
                    throw .tooManyStars(position: index + 1 + (pattern.utf8.count - bytes.count))
                }
                tokens.append(run == 2 ? .globstar : .star)
                index += run
            } else {
                tokens.append(byte == UInt8(ascii: "?") ? .one : .literal(byte))
                index += 1
            }
        }
        self.pattern = pattern
        self.canonicalPattern = canonical
        self.tokens = tokens
    }

    public var description: String { pattern }

    /// True when the whole of `image`'s `registry/repository` matches.
    public func matches(_ image: ImageName) -> Bool {
        matches(image.description)
    }

    /// True when the whole of `text` matches (no canonicalization of `text`).
    public func matches(_ text: String) -> Bool {
        let subject = Array(text.utf8)
        let slash = UInt8(ascii: "/")
        let count = subject.count
        // reachable[j]: the tokens consumed so far can match subject[0..<j]. Two rows, reused.
        var reachable = [Bool](repeating: false, count: count + 1)
        var next = [Bool](repeating: false, count: count + 1)
        reachable[0] = true
        for token in tokens {
            var any = false
            switch token {
            case .literal(let byte):
                next[0] = false
                for j in 0..<count {
                    let hit = reachable[j] && subject[j] == byte
                    next[j + 1] = hit
                    any = any || hit
                }
            case .one:
                next[0] = false
                for j in 0..<count {
                    let hit = reachable[j] && subject[j] != slash
                    next[j + 1] = hit
                    any = any || hit
                }
            case .star:
                next[0] = reachable[0]
                any = next[0]
                for j in 0..<count {
                    let hit = reachable[j + 1] || (next[j] && subject[j] != slash)
                    next[j + 1] = hit
                    any = any || hit
                }
            case .globstar:
                next[0] = reachable[0]
                any = next[0]
                for j in 0..<count {
                    let hit = reachable[j + 1] || next[j]
                    next[j + 1] = hit
                    any = any || hit
                }
            }
            guard any else { return false }
            swap(&reachable, &next)
        }
        return reachable[count]
    }

    /// Lowercase letters, digits, `.`, `-`, `_`, `/`, `:` and the wildcards `*`, `?`.
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array(".-_/:*?".utf8).contains(byte)
        }
    }

    /// The pattern with a literal registry host canonicalized (`ATCR.io:443/…` → `atcr.io/…`).
    /// Only a pattern with a `/` has a host, only a first segment that Docker's rule reads as
    /// a registry (a `.` or `:` in it, or `localhost`) is one, and only a host without
    /// wildcards is rewritten; namespace globs (which never contain `/`) are left alone.
    static func canonicalizeHost(_ pattern: String) -> String {
        guard let slash = pattern.firstIndex(of: "/") else { return pattern }
        let host = pattern[..<slash]
        guard RegistryHost.readsAsRegistry(host), !host.contains(where: { $0 == "*" || $0 == "?" })
        else { return pattern }
        return RegistryHost.canonical(host) + pattern[slash...]
    }
}
