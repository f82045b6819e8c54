/// How images appear in human-facing text: sanitized to one line and bounded.
enum ImageDisplay {
    /// Longest image text shown (references are short; a pod spec could hold anything).
    static let maxBytes = 300

    /// The reference as written, plus the resolved digest when the reference has none:
    /// `atcr.io/alice/prod-api:v1 (sha256:…)`.
    static func full(_ image: String, digest: String?) -> String {
        let shown = TextBounds.truncate(TextBounds.singleLine(image), maxBytes: maxBytes)
        guard let digest, !image.contains("@") else { return shown }
        return "\(shown) (\(TextBounds.truncate(TextBounds.singleLine(digest), maxBytes: 100)))"
    }

    /// The reference with a digest shortened to 12 hex digits, for 120-character warnings:
    /// `atcr.io/alice/prod-api@sha256:0123456789ab…`. A resolved digest is not shown.
    static func short(_ image: String) -> String {
        var text = TextBounds.singleLine(image)
        if let at = text.firstIndex(of: "@"), let colon = text[at...].firstIndex(of: ":") {
            let hexStart = text.index(after: colon)
            if text.distance(from: hexStart, to: text.endIndex) > 13 {
                text = String(text[..<text.index(hexStart, offsetBy: 12)]) + TextBounds.ellipsis
            }
        }
        return TextBounds.truncate(text, maxBytes: maxBytes)
    }
}
