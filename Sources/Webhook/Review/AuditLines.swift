import Admission

/// Which per-image audit lines go to stdout (`--audit-lines`). Each line is about 800 bytes, so
/// at thousands of reviews a second `all` writes megabytes a second; `findings` keeps only the
/// lines an operator acts on (denials, audit findings, refused invalid containers), `none` leaves Events and metrics.
public enum AuditLines: String, Sendable, CaseIterable {
    case all
    case findings
    case none

    /// True when `event` is written.
    public func includes(_ event: AuditEvent) -> Bool {
        switch self {
        case .all: return true
        case .findings: return event.result == .deny || event.result == .audit || event.result == .rejectedInvalid
        case .none: return false
        }
    }
}
