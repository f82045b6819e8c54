/// The bound on distinct images one review may ask to verify (`--max-images-per-review`). A
/// review over it verifies none of its images: each is decided by the policy with this as the
/// verification error, so an image a matching policy requires a signature for is denied under
/// `enforce` (admitted with a finding under `audit`), never admitted unverified, and images no
/// policy matches still get `defaultAction`. Deciding costs no task, no slot and no request.
public struct ImageBound: Sendable, Hashable, CustomStringConvertible {
    /// 100: well above real pods (sidecar-heavy pods and pipeline pods with one container per
    /// step stay in the tens of images) and small enough that one review's verifications,
    /// about 70 KB each against a stalled registry, stay near 7 MB.
    public static let defaultLimit = 100

    /// Distinct images the review names (new ones, on UPDATE).
    public let count: Int
    /// The bound in force.
    public let limit: Int

    public init(count: Int, limit: Int) {
        self.count = count
        self.limit = limit
    }

    /// Names the bound and the flag that sets it.
    public var description: String {
        "this review names \(count) distinct images; at most \(limit) are verified per review (--max-images-per-review), so none was verified"
    }
}
