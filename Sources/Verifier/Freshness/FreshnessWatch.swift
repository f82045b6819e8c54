import ATProto
import Logging

/// The freshness watch: for every trusted DID whose proofs were used within the cache TTL, asks
/// its PDS `com.atproto.sync.getLatestCommit` about once per interval, and records the answer
/// in the ``FreshnessLedger``, so a revocation (a deleted record is a new commit) supersedes the
/// cached proofs within about one interval instead of one TTL.
///
/// Polite: due times are jittered over the last 10% of the interval; at most one request per
/// DID in flight and `maxConcurrent` in all; each PDS host gets at most `hostRate` requests per
/// second (a host with more active DIDs than that allows per interval gets a longer cycle,
/// reported as its worst-case latency); a 429 halves the host's budget and honours
/// `Retry-After`; errors back off exponentially up to `maxBackoff`.
///
/// When a PDS cannot be reached, its DIDs' cached proofs are served until their TTL, as without
/// the watch: revocations by those DIDs are then noticed within the TTL, not the interval. The
/// DID is counted as unreachable and a warning is logged once; nothing is ever admitted on a
/// proof older than the TTL.
public actor FreshnessWatch {
    public struct Options: Sendable {
        /// How often each active DID is asked (about; jittered).
        public var interval: Duration
        /// Requests per second to one PDS host.
        public var hostRate: Double
        /// A DID is active while a proof of it was used this recently (the evidence TTL).
        public var activeWindow: Duration
        public var maxConcurrent: Int
        public var requestTimeout: Duration
        /// The longest wait after repeated errors.
        public var maxBackoff: Duration

        public init(
            interval: Duration = .seconds(5), hostRate: Double = 2, activeWindow: Duration = .seconds(300), maxConcurrent: Int = 16,
            requestTimeout: Duration = .seconds(5), maxBackoff: Duration = .seconds(60)
        ) {
            self.interval = interval
            self.hostRate = hostRate
            self.activeWindow = activeWindow
            self.maxConcurrent = max(1, maxConcurrent)
            self.requestTimeout = requestTimeout
            self.maxBackoff = maxBackoff
        }
    }

    private struct Schedule {
        var pds: ServiceEndpoint
        var due: ContinuousClock.Instant
        var inFlight = false
        var failures = 0
    }

    private enum Outcome {
        case answer(LatestCommitAnswer)
        case failure(LatestCommitFailure)
        /// The policy in force no longer trusts the DID: not asked.
        case skipped
    }

    public let ledger: FreshnessLedger
    public let pds: PDSClient
    public let options: Options
    public nonisolated let statistics = FreshnessStatistics()
    private let isTrusted: @Sendable (DID) async -> Bool
    private let logger: Logger
    private var schedules: [DID: Schedule] = [:]
    private var hosts: [String: HostPace] = [:]
    private var running = 0

    /// A watch over `ledger`'s active DIDs. `pds` should use a fetcher that does not retry on its
    /// own (the watch honours `Retry-After` itself); `isTrusted` is asked before every request,
    /// so a DID the policy stopped trusting is not contacted.
    public init(
        ledger: FreshnessLedger, pds: PDSClient, options: Options = Options(), logger: Logger,
        isTrusted: @escaping @Sendable (DID) async -> Bool
    ) {
        self.ledger = ledger
        self.pds = pds
        self.options = options
        self.logger = logger
        self.isTrusted = isTrusted
    }

    /// Watches until the calling task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = ContinuousClock.now
                for (did, endpoint) in tick(now: now) {
                    group.addTask {
                        let outcome = await self.ask(did: did, pds: endpoint)
                        await self.complete(did: did, host: Self.host(endpoint), outcome: outcome)
                    }
                }
                let wake = min(max(nextWake(after: now), now + .milliseconds(10)), now + .milliseconds(250))
                try? await Task.sleep(until: wake, clock: .continuous)
            }
            group.cancelAll()
        }
    }

    // MARK: - Scheduling

    /// Brings the schedules in line with the ledger's active DIDs and returns the requests to
    /// start now.
    private func tick(now: ContinuousClock.Instant) -> [(DID, ServiceEndpoint)] {
        let active = ledger.active(usedSince: now - options.activeWindow)
        var seen = Set<DID>()
        for item in active {
            seen.insert(item.did)
            if schedules[item.did] == nil {
                schedules[item.did] = Schedule(pds: item.pds, due: jittered(from: now))
            } else if schedules[item.did]?.pds != item.pds {
                schedules[item.did]?.pds = item.pds
            }
        }
        for (did, schedule) in schedules where !seen.contains(did) && !schedule.inFlight { schedules[did] = nil }
        publishState(now: now)

        var starts: [(DID, ServiceEndpoint)] = []
        let due = schedules.filter { !$0.value.inFlight && $0.value.due <= now }.sorted { $0.value.due < $1.value.due }
        for (did, schedule) in due {
            guard running < options.maxConcurrent else { break }
            let host = Self.host(schedule.pds)
            guard hosts[host, default: HostPace(rate: options.hostRate, now: now)].take(at: now) else { continue }
            schedules[did]?.inFlight = true
            running += 1
            starts.append((did, schedule.pds))
        }
        return starts
    }

    /// The earliest instant something may be started.
    private func nextWake(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var wake = now + .seconds(1)
        for schedule in schedules.values where !schedule.inFlight {
            let hostReady = hosts[Self.host(schedule.pds)]?.next ?? now
            wake = min(wake, max(schedule.due, hostReady))
        }
        return wake
    }

    /// The budget's unit: `host` or `host:port`.
    static func host(_ endpoint: ServiceEndpoint) -> String {
        endpoint.port.map { "\(endpoint.host):\($0)" } ?? endpoint.host
    }

    private func jittered(from now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        now + options.interval * Double.random(in: 0.9...1.0)
    }

    /// Publishes the gauges, and logs each host whose worst-case latency changed.
    private func publishState(now: ContinuousClock.Instant) {
        var perHost: [String: Int] = [:]
        for schedule in schedules.values { perHost[Self.host(schedule.pds), default: 0] += 1 }
        var latency: [String: Double] = [:]
        for (host, count) in perHost {
            var pace = hosts[host] ?? HostPace(rate: options.hostRate, now: now)
            let cycle = pace.cycle(dids: count, interval: options.interval)
            latency[host] = cycle
            if pace.logged.map({ abs($0 - cycle) >= 0.1 }) ?? true {
                logger.info("freshness watch: worst-case revocation latency changed", metadata: [
                    "host": "\(host)", "seconds": "\((cycle * 10).rounded() / 10)", "dids": "\(count)",
                    "budget": "\(pace.effectiveRate) requests/s",
                ])
                pace.logged = cycle
            }
            hosts[host] = pace
        }
        for host in hosts.keys where perHost[host] == nil && hosts[host]?.next ?? now <= now { hosts[host] = nil }
        let unreachable = schedules.values.filter { $0.failures > 0 }.count
        statistics.update(watched: schedules.count, unreachable: unreachable, worstCaseLatency: latency)
    }

    // MARK: - Requests

    private nonisolated func ask(did: DID, pds endpoint: ServiceEndpoint) async -> Outcome {
        guard await isTrusted(did) else { return .skipped }
        do {
            return .answer(try await pds.getLatestCommit(pds: endpoint, did: did, deadline: .now + options.requestTimeout))
        } catch {
            return .failure(error)
        }
    }

    private func complete(did: DID, host: String, outcome: Outcome) {
        running -= 1
        let now = ContinuousClock.now
        guard var schedule = schedules[did] else { return }
        schedule.inFlight = false
        switch outcome {
        case .answer(let answer):
            let rev: TID?
            switch answer {
            case .commit(let latest, _): rev = latest
            case .unavailable: rev = nil
            }
            let superseded = ledger.record(rev, for: did, at: now)
            if case .unavailable(let name) = answer {
                statistics.count(.unavailable)
                if superseded {
                    logger.warning("freshness watch: the PDS no longer serves this repository; its proofs are fetched afresh", metadata: [
                        "did": "\(did)", "pds": "\(host)", "error": "\(name)",
                    ])
                }
            } else {
                statistics.count(superseded ? .changed : .unchanged)
            }
            if schedule.failures > 0 {
                logger.info("freshness watch: PDS reachable again", metadata: ["did": "\(did)", "pds": "\(host)"])
            }
            schedule.failures = 0
            hosts[host]?.succeeded()
            schedule.due = jittered(from: now)
        case .failure(let failure):
            schedule.failures += 1
            statistics.count(failure.isRateLimited ? .rateLimited : .error)
            if failure.isRateLimited { hosts[host]?.rateLimited(at: now, retryAfter: failure.retryAfter) }
            if schedule.failures == 1 {
                logger.warning(
                    "freshness watch: cannot ask the PDS for the latest commit; this DID's cached proofs are used until their TTL",
                    metadata: ["did": "\(did)", "pds": "\(host)", "error": "\(failure)"])
            }
            var delay = min(options.interval * (1 << min(schedule.failures - 1, 16)), options.maxBackoff)
            if let retryAfter = failure.retryAfter { delay = max(delay, min(retryAfter, .seconds(300))) }
            schedule.due = now + delay
        case .skipped:
            schedule.due = jittered(from: now)
        }
        schedules[did] = schedule
    }
}
