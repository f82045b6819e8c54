import ATProto
import ATProtoWriter
import Foundation
import Testing

/// `mst/` and `firehose/` fixtures: key heights, prefix lengths, example keys, tree roots.
@Suite("MST conformance (atproto-interop-tests)")
struct MSTConformanceTests {
    struct KeyHeight: Decodable, Sendable { let key: String; let height: Int }
    struct CommonPrefix: Decodable, Sendable { let left: String; let right: String; let len: Int }
    struct CommitProof: Decodable, Sendable, CustomTestStringConvertible {
        let comment: String
        let leafValue: String
        let keys: [String]
        let adds: [String]
        let dels: [String]
        let rootBeforeCommit: String
        let rootAfterCommit: String
        let blocksInProof: [String]
        var testDescription: String { comment }
    }

    @Test("key heights", arguments: InteropFixtures.decode([KeyHeight].self, "mst/key_heights.json").map { ($0.key, $0.height) })
    func keyHeight(_ key: String, _ height: Int) {
        #expect(MST.height(of: Array(key.utf8)) == height)
    }

    @Test("common prefix lengths", arguments: InteropFixtures.decode([CommonPrefix].self, "mst/common_prefix.json").map { ($0.left, $0.right, $0.len) })
    func commonPrefix(_ left: String, _ right: String, _ length: Int) {
        #expect(MST.commonPrefixLength(Array(left.utf8), Array(right.utf8)) == length)
    }

    @Test("the 156 example keys have the height their name says")
    func exampleKeys() throws {
        let keys = InteropFixtures.lines("mst/example_keys.txt")
        #expect(keys.count == 156)
        for key in keys {
            let digit = try #require(key.dropFirst().first?.wholeNumberValue)
            #expect(MST.height(of: Array(key.utf8)) == digit, "\(key)")
        }
    }

    static let commitProofs = InteropFixtures.decode([CommitProof].self, "firehose/commit-proof-fixtures.json")

    @Test("MST roots before and after each commit (12 roots)", arguments: commitProofs)
    func roots(_ fixture: CommitProof) throws {
        let leaf = try CID(string: fixture.leafValue)
        let before = MSTBuilder.build(fixture.keys.map { MSTBuilder.Leaf(key: $0, value: leaf) })
        #expect(before.root.string == fixture.rootBeforeCommit)
        let afterKeys = Set(fixture.keys).union(fixture.adds).subtracting(fixture.dels)
        let after = MSTBuilder.build(afterKeys.map { MSTBuilder.Leaf(key: $0, value: leaf) })
        #expect(after.root.string == fixture.rootAfterCommit)

        // The walker reads the built trees back: every key present, deleted keys absent.
        for key in afterKeys {
            let lookup = try MSTWalker().lookup(key: Array(key.utf8), root: after.root) { after.blocks[$0] }
            #expect(lookup.value == leaf)
        }
        for key in fixture.dels {
            let lookup = try MSTWalker().lookup(key: Array(key.utf8), root: after.root) { after.blocks[$0] }
            #expect(lookup.value == nil)
        }
    }

    @Test("the fixtures hold 6 cases, so 12 roots")
    func fixtureCount() { #expect(Self.commitProofs.count == 6) }
}
