// atcr-bench: figures for the proof core and the verifier (release build; nothing here is a test).
//
//   swift run -c release atcr-bench [proofs] [--seconds S] [--records N]
//   swift run -c release atcr-bench verifier [--images N] [--warm N]
//   swift run -c release atcr-bench json [--seconds S]
//   swift build -c release --product atcr-webhook && swift run -c release atcr-bench revocation [--rounds N] [--window S] [--interval S]
//   swift run -c release atcr-bench coldpath [--latency-ms N] [--rounds N] [--prefetch N] [--http1]
//
// `proofs`: K-256 and P-256 commit verifications per second (strict decode of the commit block,
// canonical re-encode of the unsigned commit, SHA-256, signature check) next to the bare
// signature-check rate, and full record-proof verifications per second (CAR parse, SHA-256 of
// every block, commit, MST walk, record) for a proof 7–8 MST levels deep.
// `verifier`: latency of verifying one image against the local test world over HTTPS on
// loopback, cold (every cache empty) and warm, as p50/p99.
// `coldpath`: one review at a simulated internet latency (cold and warm connections, caches
// off), in ms and round trips (docs/benchmarks-coldpath.md).
// `json`: the strict JSON parser on a real 7 KB AdmissionReview (the webhook's per-review parse).
// `revocation`: the real atcr-webhook against the world: time from a record's deletion to the
// first denial (p50, max), wrong denials after unrelated commits, and the freshness watch's
// getLatestCommit requests per minute for 1, 10 and 100 trusted DIDs.

import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first.flatMap { $0.hasPrefix("--") ? nil : $0 } ?? "proofs"
let options = Options(Array(arguments.drop(while: { !$0.hasPrefix("--") })))
print("atcr-bench \(mode): machine \(machine())")
#if DEBUG
print("warning: debug build; run `swift run -c release atcr-bench` for real figures")
#endif
switch mode {
case "proofs":
    print("single thread")
    try runProofBenchmarks(options)
case "verifier":
    try await runVerifierBenchmark(options)
case "json":
    try runJSONBenchmark(options)
case "revocation":
    try await runRevocationBenchmark(options)
case "coldpath":
    try await runColdPathBenchmark(options)
default:
    FileHandle.standardError.write(Data("usage: atcr-bench [proofs|verifier|json|revocation|coldpath] [options]\n".utf8))
    exit(2)
}
