import ATProto
import ATProtoWriter
import Testing

/// Check 19a–d: hand-built trees that are wrong in exactly one structural way, signed into a
/// real commit, so that only the MST walk can object.
@Suite("MST walk: structural checks (19)")
struct MSTStructureTests {
    static let collection = NSID("com.example.record")!
    static let key = SigningKey.derived(.k256, seed: "mst-structure")
    static let did = try! DID("did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    static let leaf = CID.dagCBOR(block: DAGCBOREncoder.encode(.map(DAGCBORMap(["$type": .text("com.example.record")]))))

    /// Record keys whose MST key (`com.example.record/<rkey>`) has `height`, in increasing order.
    static func rkeys(height: Int, count: Int) -> [String] {
        var found: [String] = []
        var index = 0
        while found.count < count {
            let rkey = "k\(index)"
            if MST.height(of: Array("\(collection.string)/\(rkey)".utf8)) == height { found.append(rkey) }
            index += 1
        }
        return found.sorted { Array("\(collection.string)/\($0)".utf8).lexicographicallyPrecedes(Array("\(collection.string)/\($1)".utf8)) }
    }

    static func mstKey(_ rkey: String) -> [UInt8] { Array("\(collection.string)/\(rkey)".utf8) }

    /// Signs a commit over `root` and verifies a proof holding `nodes` for `rkey`.
    static func verify(root: CID, nodes: [[UInt8]], rkey: String) throws -> RecordProof {
        var commit = Commit(did: did.string, data: root, rev: TID(microseconds: 1_763_000_000_000_000, clockID: 0), sig: [])
        commit.sig = try key.sign(commit.unsignedBytes)
        let block = commit.signedBlock
        let commitCID = CID.dagCBOR(block: block)
        let recordBlock = DAGCBOREncoder.encode(.map(DAGCBORMap(["$type": .text("com.example.record")])))
        let car = CARWriter.write(
            roots: [commitCID],
            blocks: [(commitCID, block)] + nodes.map { (CID.dagCBOR(block: $0), $0) } + [(leaf, recordBlock)])
        let request = RecordProofRequest(did: did, key: key.publicKey, collection: collection, recordKey: RecordKey(rkey)!)
        return try RecordProofVerifier().verify(car: car, request: request)
    }

    static func node(left: [UInt8]? = nil, _ entries: [(String, [UInt8]?)]) -> [UInt8] {
        MSTNode(left: left.map(CID.dagCBOR(block:)), entries: entries.map {
            MSTNode.Entry(key: mstKey($0.0), value: leaf, right: $0.1.map(CID.dagCBOR(block:)))
        }).encoded
    }

    @Test("the baseline hand-built tree verifies (so each failure below is the one change)")
    func baseline() throws {
        let high = Self.rkeys(height: 1, count: 1)
        // Pick a level-0 key below the level-1 key for the left subtree.
        let below = Self.rkeys(height: 0, count: 40).filter { Self.mstKey($0).lexicographicallyPrecedes(Self.mstKey(high[0])) }
        let child = Self.node([(try #require(below.first), nil)])
        let root = Self.node(left: child, [(high[0], nil)])
        let proof = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root, child], rkey: try #require(below.first))
        #expect(proof.isPresent)
    }

    @Test("19b/c: keys out of order")
    func outOfOrder() throws {
        let keys = Self.rkeys(height: 0, count: 2)
        let root = Self.node([(keys[1], nil), (keys[0], nil)])
        expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root], rkey: keys[0]) }
    }

    @Test("19c: keys of different heights in one node")
    func mixedHeights() throws {
        let low = Self.rkeys(height: 0, count: 1)[0], high = Self.rkeys(height: 1, count: 1)[0]
        let ordered = [low, high].sorted { Self.mstKey($0).lexicographicallyPrecedes(Self.mstKey($1)) }
        let root = Self.node(ordered.map { ($0, nil) })
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root], rkey: low) }
        #expect(error?.reason.contains("different heights") == true)
    }

    @Test("19b: a prefix length that is not the maximal common prefix")
    func nonMaximalPrefix() throws {
        let keys = Self.rkeys(height: 0, count: 2)
        let entries: [DAGCBORValue] = keys.map { rkey in
            .map(DAGCBORMap(["k": .bytes(Self.mstKey(rkey)), "p": .integer(0), "t": .null, "v": .link(Self.leaf)]))
        }
        let root = DAGCBOREncoder.encode(.map(DAGCBORMap(["e": .array(entries), "l": .null])))
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root], rkey: keys[1]) }
        #expect(error?.reason.contains("maximal") == true)
    }

    @Test("19d: a child one level too low (a level skipped)")
    func childHeight() throws {
        let high = Self.rkeys(height: 2, count: 1)[0]
        let low = try #require(Self.rkeys(height: 0, count: 60).first { Self.mstKey($0).lexicographicallyPrecedes(Self.mstKey(high)) })
        let child = Self.node([(low, nil)])
        let root = Self.node(left: child, [(high, nil)])
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root, child], rkey: low) }
        #expect(error?.reason.contains("parent requires 1") == true)
    }

    @Test("19d: a subtree below height 0")
    func belowZero() throws {
        let keys = Self.rkeys(height: 0, count: 2)
        let child = Self.node([(keys[0], nil)])
        let root = Self.node(left: child, [(keys[1], nil)])
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root, child], rkey: keys[0]) }
        #expect(error?.reason.contains("height 0") == true)
    }

    @Test("19d: a child key outside the range its parent allows")
    func childOutOfRange() throws {
        let highs = Self.rkeys(height: 1, count: 2)
        let lows = Self.rkeys(height: 0, count: 200)
        // A low key greater than both parents, placed in the subtree between them.
        let outside = try #require(lows.first { Self.mstKey(highs[1]).lexicographicallyPrecedes(Self.mstKey($0)) })
        let child = Self.node([(outside, nil)])
        let root = Self.node([(highs[0], child), (highs[1], nil)])
        // Look up a key between the parents: the walk enters the child and finds the impostor.
        let between = try #require(lows.first {
            Self.mstKey(highs[0]).lexicographicallyPrecedes(Self.mstKey($0)) && Self.mstKey($0).lexicographicallyPrecedes(Self.mstKey(highs[1]))
        })
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root, child], rkey: between) }
        #expect(error?.reason.contains("outside the range") == true)
    }

    @Test("19c: an untrimmed root (no entries, one subtree) and an empty intermediate node without a subtree")
    func emptyNodes() throws {
        let low = Self.rkeys(height: 0, count: 1)[0]
        let child = Self.node([(low, nil)])
        let untrimmed = Self.node(left: child, [])
        expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: untrimmed), nodes: [untrimmed, child], rkey: low) }

        let high = Self.rkeys(height: 2, count: 1)[0]
        let lowBelow = try #require(Self.rkeys(height: 0, count: 60).first { Self.mstKey($0).lexicographicallyPrecedes(Self.mstKey(high)) })
        let empty = Self.node([])
        let root = Self.node(left: empty, [(high, nil)])
        let error = expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: root), nodes: [root, empty], rkey: lowBelow) }
        #expect(error?.reason.contains("empty intermediate") == true)
    }

    @Test("19a: a node that is not {e, l}, or whose link is not a dag-cbor CID")
    func nodeShape() throws {
        let low = Self.rkeys(height: 0, count: 1)[0]
        let extra = DAGCBOREncoder.encode(.map(DAGCBORMap(["e": .array([]), "l": .null, "x": .null])))
        expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: extra), nodes: [extra], rkey: low) }
        let rawLink = DAGCBOREncoder.encode(.map(DAGCBORMap(["e": .array([]), "l": .link(CID.compute(codec: CID.Codec.raw, block: [1]))])))
        expectCheck(.mstWalk) { _ = try Self.verify(root: CID.dagCBOR(block: rawLink), nodes: [rawLink], rkey: low) }
    }
}
