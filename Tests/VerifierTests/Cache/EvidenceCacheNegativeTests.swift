import Testing
import Verifier

@Suite("EvidenceCache: definite negatives", .timeLimit(.minutes(1)))
struct EvidenceCacheNegativeTests {
    @Test("a definite negative is rethrown, then served from the cache for its own shorter TTL")
    func negativeTTL() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), negativeTTL: .seconds(30))
        let loads = CacheTestCounter()
        let negative = DefiniteNegative(.noSignature, detail: "atcr.io/alice/app@sha256:ab")
        let load: @Sendable () async throws -> String = {
            await loads.increment()
            throw negative
        }

        await #expect(throws: negative) { try await cache.value(for: "img", load: load) }
        clock.advance(by: .seconds(30) - .nanoseconds(1))
        await #expect(throws: negative) { try await cache.value(for: "img", load: load) }
        #expect(await loads.count == 1)
        #expect(await cache.counters.negativeHits == 1)

        clock.advance(by: .nanoseconds(1))  // 30 s: the negative expired, the 300 s TTL is not its
        let signed = try await cache.value(for: "img") {
            await loads.increment()
            return "signed now"
        }
        #expect(signed == CacheResult(value: "signed now", source: .loaded))
        #expect(await loads.count == 2)
    }

    @Test("a definite negative replaces an expired positive value")
    func negativeReplacesPositive() async throws {
        let clock = CacheTestClock()
        let cache = makeTestCache(clock: clock, ttl: .seconds(300), staleIfError: .seconds(600))
        _ = try await cache.value(for: "did") { "doc" }
        clock.advance(by: .seconds(301))
        // Even inside the stale window: "not found" is an answer, not an outage.
        await #expect(throws: DefiniteNegative(.didNotFound)) {
            try await cache.value(for: "did") { throw DefiniteNegative(.didNotFound) }
        }
        await #expect(throws: DefiniteNegative(.didNotFound)) {
            try await cache.value(for: "did") { "must not load" }
        }
    }

    @Test("reasons are an open set with stable names")
    func reasons() {
        #expect(DefiniteNegative.Reason.noSignature.rawValue == "no-signature")
        #expect(DefiniteNegative.Reason.didNotFound.rawValue == "did-not-found")
        #expect(DefiniteNegative.Reason.recordAbsent.rawValue == "record-absent")
        #expect(DefiniteNegative.Reason.repoNotFound.rawValue == "repo-not-found")
        let custom: DefiniteNegative.Reason = "tag-not-found"
        #expect(DefiniteNegative(custom, detail: "nginx:nope").description == "tag-not-found: nginx:nope")
        #expect(DefiniteNegative(.recordAbsent).description == "record-absent")
    }
}
