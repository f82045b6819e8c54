/// Bounds for text that leaves the webhook: warnings, status messages, Event fields.
///
/// The API server measures Event fields with Go's `len`, i.e. in UTF-8 bytes, so every bound
/// here is a UTF-8 byte count; text is only ever cut between two `Character`s, so the result is
/// valid UTF-8 and never splits a multi-byte scalar or a grapheme cluster.
enum TextBounds {
    /// The ellipsis appended to text that had to be cut.
    static let ellipsis = "…"

    /// `text` unchanged when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix of
    /// whole characters that, followed by `ellipsis`, fits. Never longer than `maxBytes`.
    static func truncate(_ text: String, maxBytes: Int, ellipsis: String = TextBounds.ellipsis) -> String {
        guard maxBytes > 0 else { return "" }
        if text.utf8.count <= maxBytes { return text }
        let tail = ellipsis.utf8.count <= maxBytes ? ellipsis : ""
        let budget = maxBytes - tail.utf8.count
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if used + size > budget { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end]) + tail
    }

    /// `text` unchanged when it fits in `maxBytes` UTF-8 bytes; otherwise its beginning and its
    /// end around `ellipsis` (a third of the room for the beginning), so that what a message
    /// ends with, usually the cause ("connection refused", "timed out"), survives the cut.
    static func truncateMiddle(_ text: String, maxBytes: Int, ellipsis: String = TextBounds.ellipsis) -> String {
        guard maxBytes > 0 else { return "" }
        if text.utf8.count <= maxBytes { return text }
        guard ellipsis.utf8.count < maxBytes else { return truncate(text, maxBytes: maxBytes, ellipsis: "") }
        let budget = maxBytes - ellipsis.utf8.count
        let head = truncate(text, maxBytes: budget / 3, ellipsis: "")
        var used = 0
        var start = text.endIndex
        while start > text.startIndex {
            let previous = text.index(before: start)
            let size = text[previous].utf8.count
            if head.utf8.count + used + size > budget { break }
            used += size
            start = previous
        }
        return head + ellipsis + text[start...]
    }

    /// `text` on one line: every control character (C0, DEL, C1, and the Unicode line and
    /// paragraph separators) becomes a space, so user-supplied strings cannot forge extra lines
    /// in a warning header, a log line or a terminal.
    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(isControl(scalar) ? " " : scalar)
        }
        return String(scalars)
    }

    /// Like `singleLine`, but keeps `\n` (used where a message is deliberately multi-line).
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && isControl($0) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(scalar != "\n" && isControl(scalar) ? " " : scalar)
        }
        return String(scalars)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
