import Foundation
import FuzzTargets
import Testing

/// Every fuzz target runs over its seeds and over every input that once crashed it, in the
/// ordinary test run: a fixed crash stays fixed, and a target that no longer builds or traps on
/// a seed fails here before anyone runs the fuzzer (scripts/fuzz).
@Suite("Fuzz targets: seeds and past crashes replay cleanly")
struct FuzzTargetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(in directory: String) -> [URL] {
        let url = repository.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { url.appendingPathComponent($0) }
    }

    @Test("seeds and past crashes", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        let seeds = target.seedDirectories.flatMap(Self.files(in:))
        #expect(!seeds.isEmpty, "\(target.rawValue) has no seed in \(target.seedDirectories)")
        for file in seeds + Self.files(in: target.crashDirectory) {
            target.run(Array(try Data(contentsOf: file)))
        }
    }

    @Test("the reference target's property holds for the normalization table")
    func referenceProperty() {
        for text in ["nginx", "atcr.io:443/alice/prod-evil:v1", "index.docker.io/library/busybox", "localhost/a:b"] {
            FuzzTarget.reference.run(Array(text.utf8))
        }
    }
}
