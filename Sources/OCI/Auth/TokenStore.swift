/// Bearer tokens by registry and scope, kept until their `expires_in`, with concurrent requests
/// for one key sharing a single token fetch. Also remembers which registries asked for Basic.
actor TokenStore {
    struct Key: Hashable {
        var registry: String
        var scope: String
    }

    struct Token: Sendable {
        var value: String
        var expires: ContinuousClock.Instant
    }

    private var tokens: [Key: Token] = [:]
    private var inFlight: [Key: Task<Result<Token, RegistryError>, Never>] = [:]
    private var basicRegistries: Set<String> = []
    private let capacity: Int
    /// The clock token lifetimes are measured on (injectable so tests need not sleep).
    nonisolated let now: @Sendable () -> ContinuousClock.Instant

    init(capacity: Int = 256, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.capacity = capacity
        self.now = now
    }

    /// A cached, unexpired token for `key`.
    func cached(_ key: Key) -> String? {
        guard let token = tokens[key] else { return nil }
        guard token.expires > now() else {
            tokens[key] = nil
            return nil
        }
        return token.value
    }

    /// The token for `key`: cached, or fetched once however many callers ask at the same time.
    func token(_ key: Key, fetch: @escaping @Sendable () async -> Result<Token, RegistryError>) async throws(RegistryError) -> String {
        if let value = cached(key) { return value }
        let task: Task<Result<Token, RegistryError>, Never>
        if let running = inFlight[key] {
            task = running
        } else {
            task = Task { await fetch() }
            inFlight[key] = task
        }
        let result = await task.value
        inFlight[key] = nil
        let token = try result.get()
        store(token, for: key)
        return token.value
    }

    /// Forgets a token the registry rejected.
    func invalidate(_ key: Key) {
        tokens[key] = nil
    }

    func markBasic(_ registry: String) { basicRegistries.insert(registry) }
    func usesBasic(_ registry: String) -> Bool { basicRegistries.contains(registry) }

    private func store(_ token: Token, for key: Key) {
        let current = now()
        guard token.expires > current else { return }
        if tokens.count >= capacity {
            tokens = tokens.filter { $0.value.expires > current }
            if tokens.count >= capacity, let oldest = tokens.min(by: { $0.value.expires < $1.value.expires })?.key {
                tokens[oldest] = nil
            }
        }
        tokens[key] = token
    }
}
