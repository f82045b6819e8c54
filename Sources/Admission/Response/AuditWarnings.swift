/// The `warnings` of a response: one line per image that failed an audit policy, then the
/// images' advisory notes; each line at most 120 UTF-8 bytes (so at most 120 characters), at
/// most 10 lines plus one summary line such as `…and 3 more images failed audit policies`.
/// A longer line loses its middle, not its end: the image and policy lead, and the cause that
/// ends a reason ("connection refused", "timed out") stays; the audit annotation and the audit
/// line carry the whole reason.
enum AuditWarnings {
    /// The API server asks for warnings of at most 120 characters.
    static let maxLineBytes = 120
    /// Lines shown before the summary line.
    static let maxLines = 10

    /// Warnings for `decisions` (in plan order).
    static func lines(for decisions: [ImageDecision]) -> [String] {
        let failures = decisions.filter { $0.verdict == .audit }.map(failureLine)
        let notes = decisions.flatMap { decision in
            decision.notes.map { bounded("\(ImageDisplay.short(decision.image)): \($0)") }
        }
        let all = failures + notes
        guard all.count > maxLines else { return all }
        let omitted = all.count - maxLines
        let omittedFailures = max(0, failures.count - maxLines)
        let omittedNotes = omitted - omittedFailures
        return Array(all.prefix(maxLines)) + [summary(failures: omittedFailures, notes: omittedNotes)]
    }

    /// `IMAGE fails audit policy P: REASON[; audit policy Q: REASON]`, or `IMAGE: REASON` when
    /// `defaultAction: audit` decided.
    static func failureLine(_ decision: ImageDecision) -> String {
        let image = ImageDisplay.short(decision.image)
        let failures = decision.decision.failures
        guard !failures.isEmpty else { return bounded(lead: "\(image): ", decision.decision.reason) }
        let first = failures[0]
        let reasons = ([first.reason] + failures.dropFirst().map { "audit policy \($0.policy): \($0.reason)" }).joined(separator: "; ")
        return bounded(lead: "\(image) fails audit policy \(first.policy): ", reasons)
    }

    static func summary(failures: Int, notes: Int) -> String {
        func plural(_ count: Int, _ one: String, _ many: String) -> String { "\(count) more \(count == 1 ? one : many)" }
        let failed = plural(failures, "image failed audit policies", "images failed audit policies")
        let noted = plural(notes, "warning", "warnings")
        switch (failures, notes) {
        case (_, 0): return bounded("…and \(failed)")
        case (0, _): return bounded("…and \(noted)")
        default: return bounded("…and \(failed), plus \(noted)")
        }
    }

    private static func bounded(_ text: String) -> String {
        TextBounds.truncateMiddle(TextBounds.singleLine(text), maxBytes: maxLineBytes)
    }

    /// `lead` + `text` in one bounded line: the lead (image and policy) kept whole while it
    /// leaves room for 24 bytes of the text, which loses its middle.
    private static func bounded(lead: String, _ text: String) -> String {
        let lead = TextBounds.singleLine(lead)
        let room = maxLineBytes - lead.utf8.count
        guard room >= 24 else { return bounded(lead + text) }
        return lead + TextBounds.truncateMiddle(TextBounds.singleLine(text), maxBytes: room)
    }
}
