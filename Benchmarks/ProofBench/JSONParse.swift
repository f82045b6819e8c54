import ATProto
import Foundation

/// The strict JSON parser on the largest AdmissionReview fixture (kubectl-generated objects),
/// parses per second: the webhook parses every review it answers.
func runJSONBenchmark(_ options: Options) throws {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/AdmissionTests/Fixtures/reviews")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
    let largest = try files.map { try Data(contentsOf: directory.appendingPathComponent($0)) }.max { $0.count < $1.count } ?? Data()
    let bytes = Array(largest)
    let parser = JSONParser()
    _ = try parser.parse(bytes)
    let rate = try measure(seconds: options.seconds) { _ = try parser.parse(bytes) }
    print("JSON parse of a \(bytes.count)-byte AdmissionReview: \(format(rate))")
}
