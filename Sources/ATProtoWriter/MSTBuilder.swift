import ATProto

/// Builds the canonical MST for a set of keys (docs/architecture.md, "The AT Protocol encodings"): the shape depends only on the
/// key → value map, so the same records always give the same root CID.
public enum MSTBuilder {
    /// One leaf.
    public struct Leaf: Sendable {
        public var key: [UInt8]
        public var value: CID

        public init(key: [UInt8], value: CID) {
            self.key = key
            self.value = value
        }

        public init(key: String, value: CID) {
            self.init(key: Array(key.utf8), value: value)
        }
    }

    /// The built tree: its root and every node block.
    public struct Tree: Sendable {
        public let root: CID
        public let blocks: [CID: [UInt8]]
    }

    /// Builds the tree. Keys must be distinct (a later duplicate replaces an earlier one).
    public static func build(_ leaves: [Leaf]) -> Tree {
        var unique: [[UInt8]: CID] = [:]
        for leaf in leaves { unique[leaf.key] = leaf.value }
        let items = unique
            .map { Item(key: $0.key, value: $0.value, height: MST.height(of: $0.key)) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var blocks: [CID: [UInt8]] = [:]
        let rootHeight = items.map(\.height).max() ?? 0
        let root = buildNode(items[...], height: rootHeight, blocks: &blocks)
        return Tree(root: root, blocks: blocks)
    }

    private struct Item {
        let key: [UInt8]
        let value: CID
        let height: Int
    }

    /// The node at `height` holding `items` (all of height ≤ `height`).
    private static func buildNode(_ items: ArraySlice<Item>, height: Int, blocks: inout [CID: [UInt8]]) -> CID {
        var left: CID?
        var entries: [MSTNode.Entry] = []
        var pending = items.startIndex  // start of the run of lower keys not yet placed
        func subtree(_ range: Range<Int>) -> CID? {
            range.isEmpty ? nil : buildNode(items[range], height: height - 1, blocks: &blocks)
        }
        for index in items.indices where items[index].height == height {
            let below = subtree(pending..<index)
            if entries.isEmpty { left = below } else { entries[entries.count - 1].right = below }
            entries.append(MSTNode.Entry(key: items[index].key, value: items[index].value, right: nil))
            pending = index + 1
        }
        let below = subtree(pending..<items.endIndex)
        if entries.isEmpty { left = below } else { entries[entries.count - 1].right = below }
        let block = MSTNode(left: left, entries: entries).encoded
        let cid = CID.dagCBOR(block: block)
        blocks[cid] = block
        return cid
    }
}

/// Writes CAR v1 files.
public enum CARWriter {
    /// `varint(len) ‖ {roots, version: 1}`, then `varint(len) ‖ CID ‖ block` per block, in order.
    public static func write(roots: [CID], blocks: [(CID, [UInt8])]) -> [UInt8] {
        let header = DAGCBOREncoder.encode(.map(DAGCBORMap([
            "roots": .array(roots.map(DAGCBORValue.link)),
            "version": .integer(1),
        ])))
        var out = Varint.encode(UInt64(header.count)) + header
        for (cid, block) in blocks {
            out += Varint.encode(UInt64(cid.bytes.count + block.count))
            out += cid.bytes
            out += block
        }
        return out
    }
}
