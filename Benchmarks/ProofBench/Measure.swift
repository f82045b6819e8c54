import Foundation

struct Options {
    var seconds = 2.0
    var records = 4_000
    var images = 200
    var warm = 5_000
    var rounds = 12
    var window = 60.0
    var interval = 5.0
    var latencyMs = 50
    var prefetch = 4
    var http1 = false

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--seconds": seconds = Double(arguments[index + 1]) ?? seconds; index += 1
            case "--records": records = Int(arguments[index + 1]) ?? records; index += 1
            case "--images": images = Int(arguments[index + 1]) ?? images; index += 1
            case "--warm": warm = Int(arguments[index + 1]) ?? warm; index += 1
            case "--rounds": rounds = Int(arguments[index + 1]) ?? rounds; index += 1
            case "--window": window = Double(arguments[index + 1]) ?? window; index += 1
            case "--interval": interval = Double(arguments[index + 1]) ?? interval; index += 1
            case "--latency-ms": latencyMs = Int(arguments[index + 1]) ?? latencyMs; index += 1
            case "--prefetch": prefetch = Int(arguments[index + 1]) ?? prefetch; index += 1
            case "--http1": http1 = true
            default:
                FileHandle.standardError.write(Data("usage: atcr-bench [proofs|verifier|json|revocation|coldpath] [--seconds S] [--records N] [--images N] [--warm N] [--rounds N] [--window S] [--interval S] [--latency-ms N] [--prefetch N] [--http1]\n".utf8))
                exit(2)
            }
            index += 1
        }
    }
}

/// Runs `body` repeatedly for about `seconds`; returns operations per second.
func measure(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<200 { try body() }  // warm up
    let clock = ContinuousClock()
    var iterations = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < .seconds(seconds) {
        for _ in 0..<100 { try body() }
        iterations += 100
        elapsed = clock.now - start
    }
    let (whole, atto) = elapsed.components
    return Double(iterations) / (Double(whole) + Double(atto) / 1e18)
}

func machine() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
        .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}

func format(_ rate: Double) -> String {
    let micros = 1e6 / rate
    return String(format: "%10.0f /s  (%6.1f µs each)", rate, micros)
}

/// The p-th percentile (0...100) of `values`, which must be sorted.
func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
    guard !sorted.isEmpty else { return .zero }
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p / 100).rounded()))
    return sorted[index]
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.2f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}
