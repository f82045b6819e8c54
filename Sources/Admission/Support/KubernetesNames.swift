/// The API server's name rules that the webhook's output must satisfy
/// (`k8s.io/apimachinery/pkg/util/validation`), written from their documented definitions.
public enum KubernetesNames {
    /// A DNS-1123 subdomain: at most 253 characters, dot-separated labels of lowercase letters,
    /// digits and `-`, each starting and ending with a letter or digit. Object names (an Event's
    /// `metadata.name`) and namespaces must be one.
    public static func isDNSSubdomain(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return isLowerAlnum(first) && isLowerAlnum(last)
                && label.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// The name part of a qualified name: at most 63 characters, letters, digits, `-`, `_`
    /// and `.`, starting and ending with a letter or digit. An audit annotation key must be one:
    /// the API server turns it into `<webhook name>/<key>` and drops it when that is not a
    /// qualified name.
    public static func isQualifiedNamePart(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return isAlnum(first) && isAlnum(last) && bytes.allSatisfy {
            isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// A qualified name: `name` or `prefix/name`, the prefix a DNS subdomain. Event
    /// `reportingController` values and prefixed audit annotation keys must be one.
    public static func isQualifiedName(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isQualifiedNamePart(text)
        case 2: return isDNSSubdomain(String(parts[0])) && isQualifiedNamePart(String(parts[1]))
        default: return false
        }
    }

    /// `text` made into a DNS subdomain, or nil when nothing usable is left: lowercased,
    /// characters outside `[a-z0-9.-]` become `-`, labels trimmed of leading and trailing `-`,
    /// empty labels dropped, cut to `maxLength` (≤ 253) on a label-safe boundary.
    static func dnsSubdomain(from text: String, maxLength: Int) -> String? {
        let limit = min(maxLength, 253)
        let mapped = String(text.lowercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "0"..."9", ".", "-": return Character(scalar)
            default: return "-"
            }
        })
        let labels = mapped.split(separator: ".").map { $0.trimmingDashes() }.filter { !$0.isEmpty }
        var result = labels.joined(separator: ".")
        if result.count > limit { result = String(result.prefix(limit)) }
        while let last = result.last, last == "-" || last == "." { result.removeLast() }
        return result.isEmpty ? nil : result
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

extension Substring {
    fileprivate func trimmingDashes() -> Substring {
        var slice = self
        while slice.first == "-" { slice = slice.dropFirst() }
        while slice.last == "-" { slice = slice.dropLast() }
        return slice
    }
}
