import Testing
@testable import VerifyCLI

/// `--min-coverage` decided in whole hundredths of a percent: the boundary is exact.
@Suite("coverage: the --min-coverage boundary")
struct CoverageTallyTests {
    static func tally(signed: Int, of images: Int) -> Coverage.Tally {
        var tally = Coverage.Tally()
        tally.images = images
        tally.signed = signed
        return tally
    }

    @Test("at the minimum passes, a hundredth below it fails, naming how many more must be signed", arguments: [
        (signed: 1, images: 3, minimum: 33.33, more: nil as Int?),
        (signed: 1, images: 3, minimum: 33.34, more: 1),
        (signed: 2_999, images: 10_000, minimum: 29.99, more: nil),
        (signed: 2_998, images: 10_000, minimum: 29.99, more: 1),
        (signed: 0, images: 7, minimum: 100, more: 7),
        (signed: 7, images: 7, minimum: 100, more: nil),
        (signed: 0, images: 0, minimum: 100, more: nil),
        (signed: 0, images: 5, minimum: 0, more: nil),
        // 0.07 * 10_000 is 700.0000000000001 in floating point: a float product called 7 of 10,000 short.
        (signed: 7, images: 10_000, minimum: 0.07, more: nil),
    ])
    func boundary(signed: Int, images: Int, minimum: Double, more: Int?) {
        let shortfall = Self.tally(signed: signed, of: images).shortfall(below: minimum)
        if let more {
            #expect(shortfall?.hasSuffix(": \(more) more must be signed") == true, "\(shortfall ?? "nil")")
        } else {
            #expect(shortfall == nil, "\(shortfall ?? "nil")")
        }
    }
}
