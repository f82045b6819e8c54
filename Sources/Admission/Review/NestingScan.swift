/// A single pass over raw JSON bytes that finds how deeply arrays and objects nest, ignoring
/// brackets inside strings. It runs before the parser so that deep nesting gets its own error
/// (and so the recursive parser never sees it); it does not validate anything else.
enum NestingScan {
    /// True when some array or object opens at a depth greater than `limit` (the top-level
    /// value's brackets are depth 1).
    static func exceeds(_ bytes: [UInt8], limit: Int) -> Bool {
        bytes.withUnsafeBufferPointer { exceeds($0, limit: limit) }
    }

    private static func exceeds(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
        }
        return false
    }
}
