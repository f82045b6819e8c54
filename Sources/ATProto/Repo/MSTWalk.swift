/// The outcome of looking a key up in an MST.
public struct MSTLookup: Sendable, Equatable {
    /// The record CID when the key is present; nil for a valid proof of absence.
    public let value: CID?
    /// The nodes visited, root first: exactly the blocks a proof for this key must contain.
    public let path: [CID]
}

/// Check 19: walks an MST from its root towards one key, verifying the structure of every
/// node on the way (19a–d), and decides presence or absence (19e). Blocks come from the
/// caller (a verified CAR, or a writer's store); a block that is missing is an incomplete proof.
public struct MSTWalker: Sendable {
    /// The most levels a walk descends (real trees have well under 20).
    public var maxDepth: Int

    public init(maxDepth: Int = 64) {
        self.maxDepth = maxDepth
    }

    /// Looks `key` up in the tree rooted at `root`.
    public func lookup(
        key: [UInt8], root: CID, block: (CID) -> [UInt8]?
    ) throws(ProofError) -> MSTLookup {
        let keyHeight = MST.height(of: key)
        var nodeCID = root
        var expectedHeight: Int?
        var lower: [UInt8]?  // exclusive bounds inherited from the parent entries
        var upper: [UInt8]?
        var path: [CID] = []

        for _ in 0..<maxDepth {
            func malformed(_ why: String) -> ProofError { .mstMalformed(node: nodeCID, why) }
            guard let bytes = block(nodeCID) else { throw .mstIncomplete(missing: nodeCID) }
            path.append(nodeCID)
            let node = try MSTNode(block: bytes, cid: nodeCID)

            let height: Int
            if let first = node.entries.first {
                height = MST.height(of: first.key)
                for entry in node.entries.dropFirst() where MST.height(of: entry.key) != height {
                    throw malformed("keys of different heights in one node")
                }
                if let expectedHeight, height != expectedHeight {
                    throw malformed("node keys have height \(height) but the parent requires \(expectedHeight)")
                }
            } else if let expectedHeight {
                guard node.left != nil else { throw malformed("an empty intermediate node must have a left subtree") }
                height = expectedHeight
            } else {
                // Root without entries: only the empty repository, `{e: [], l: null}`.
                guard node.left == nil else {
                    throw malformed("the root has no entries but a subtree (an untrimmed, non-canonical root)")
                }
                return MSTLookup(value: nil, path: path)
            }

            if let lower, let first = node.entries.first, !lower.lexicographicallyPrecedes(first.key) {
                throw malformed("a key lies outside the range its parent allows")
            }
            if let upper, let last = node.entries.last, !last.key.lexicographicallyPrecedes(upper) {
                throw malformed("a key lies outside the range its parent allows")
            }
            if height == 0, node.left != nil || node.entries.contains(where: { $0.right != nil }) {
                throw malformed("a node at height 0 has a subtree (below height 0)")
            }

            // 19e: decide here, or pick the one subtree that can hold the key.
            if keyHeight > height { return MSTLookup(value: nil, path: path) }
            if let match = node.entries.first(where: { $0.key == key }) {
                return MSTLookup(value: match.value, path: path)
            }
            if keyHeight == height { return MSTLookup(value: nil, path: path) }

            let child: CID?
            if let index = node.entries.lastIndex(where: { $0.key.lexicographicallyPrecedes(key) }) {
                child = node.entries[index].right
                lower = node.entries[index].key
                if index + 1 < node.entries.count { upper = node.entries[index + 1].key }
            } else {
                child = node.left
                if let first = node.entries.first { upper = first.key }
            }
            guard let child else { return MSTLookup(value: nil, path: path) }
            nodeCID = child
            expectedHeight = height - 1
        }
        throw .mstMalformed(node: nodeCID, "deeper than \(maxDepth) levels")
    }
}
