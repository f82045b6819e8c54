/// The time source of the caches. Production uses ``continuous``; tests inject a clock they
/// move by hand, so expiry is tested without sleeping.
public struct CacheClock: Sendable {
    /// The current instant.
    public let now: @Sendable () -> ContinuousClock.Instant

    /// A clock that reads `now`.
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.now = now
    }

    /// The process's continuous (monotonic) clock.
    public static var continuous: CacheClock {
        CacheClock { ContinuousClock.now }
    }
}
