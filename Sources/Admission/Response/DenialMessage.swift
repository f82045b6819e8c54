/// The `status.message` of a denial: names each denied image, the policy and the failed check,
/// e.g. `atcr.io/alice/prod-api@sha256:… violates policy production-images: no signature by a
/// trusted DID (found: did:plc:mallory…)`. Several denied images are listed one per line,
/// the whole bounded in length.
enum DenialMessage {
    /// Upper bound of the whole message, in UTF-8 bytes.
    static let maxBytes = 2048
    /// Upper bound of one image's (or problem's) line.
    static let maxLineBytes = 640

    /// The message for the denied images (verdict `.deny`), in order. Empty input → "".
    static func forDenied(_ denied: [ImageDecision]) -> String {
        let lines = denied.lazy.map(line)  // only the lines that fit are made: a review may deny thousands
        guard lines.count > 1 else { return lines.first ?? "" }
        return bulleted(header: "\(lines.count) images denied:", lines: lines) { count in
            "…and \(count) more denied \(count == 1 ? "image" : "images")"
        }
    }

    /// One denied image: `IMAGE violates policy P: REASON[; violates policy Q: REASON]`, or
    /// `IMAGE is denied: REASON` when no policy failed (defaultAction deny, missing result).
    static func line(_ decision: ImageDecision) -> String {
        let image = ImageDisplay.full(decision.image, digest: decision.digest)
        let failures = decision.decisiveFailures
        let text = failures.isEmpty
            ? "\(image) is denied: \(decision.decision.reason)"
            : "\(image) " + failures.map { "violates policy \($0.policy): \($0.reason)" }.joined(separator: "; ")
        return TextBounds.truncate(TextBounds.singleLine(text), maxBytes: maxLineBytes)
    }

    /// The message for an invalid object: `invalid Pod: spec.containers[1].image is empty; …`.
    static func forInvalid(kind: String, problems: [ObjectProblem]) -> String {
        let lines = problems.map { TextBounds.truncate(TextBounds.singleLine($0.description), maxBytes: maxLineBytes) }
        let head = "invalid \(TextBounds.truncate(TextBounds.singleLine(kind), maxBytes: 100))"
        guard lines.count > 1 else { return "\(head): \(lines.first ?? "malformed object")" }
        return bulleted(header: "\(head) (\(lines.count) problems):", lines: lines) { count in
            "…and \(count) more \(count == 1 ? "problem" : "problems")"
        }
    }

    /// `header` then `\n- line` per line while the whole stays within `maxBytes`; lines that
    /// do not fit are counted in a final `\n- <more(count)>` line, for which room is kept.
    private static func bulleted(header: String, lines: some RandomAccessCollection<String>, more: (Int) -> String) -> String {
        var message = header
        for (index, line) in lines.enumerated() {
            let left = lines.count - index
            let candidate = message + "\n- " + line
            let reserve = left > 1 ? 3 + more(left - 1).utf8.count : 0
            if candidate.utf8.count + reserve > maxBytes { return message + "\n- " + more(left) }
            message = candidate
        }
        return message
    }
}
