import Crypto

/// Merkle Search Tree primitives (docs/architecture.md, "The AT Protocol encodings").
public enum MST {
    /// The longest key the walk accepts (`collection/rkey` is at most 317 + 1 + 512 bytes).
    public static let maxKeyLength = 1024

    /// A key's height: leading zero bits of SHA-256(key), divided by 2, rounded down.
    public static func height(of key: [UInt8]) -> Int {
        var zeros = 0
        for byte in SHA256.hash(data: key) {
            if byte == 0 {
                zeros += 8
                continue
            }
            zeros += byte.leadingZeroBitCount
            break
        }
        return zeros / 2
    }

    /// The length of the common prefix of two keys, in bytes.
    public static func commonPrefixLength<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Int
    where A.Element == UInt8, B.Element == UInt8 {
        zip(lhs, rhs).prefix(while: { $0 == $1 }).count
    }
}

/// One decoded MST node: `{l: CID|null, e: [{p, k, v, t}]}` with its keys reconstructed.
public struct MSTNode: Sendable, Equatable {
    /// One entry with its full key.
    public struct Entry: Sendable, Equatable {
        public var key: [UInt8]
        public var value: CID
        /// The subtree between this entry and the next.
        public var right: CID?

        public init(key: [UInt8], value: CID, right: CID?) {
            self.key = key
            self.value = value
            self.right = right
        }
    }

    /// The subtree left of every entry.
    public var left: CID?
    public var entries: [Entry]

    public init(left: CID?, entries: [Entry]) {
        self.left = left
        self.entries = entries
    }

    /// Check 19a–c: strict decoding, key reconstruction with maximal prefix compression,
    /// strictly increasing keys, blessed links.
    public init(block: [UInt8], cid: CID, maxEntries: Int = 4096) throws(ProofError) {
        func malformed(_ why: String) -> ProofError { .mstMalformed(node: cid, why) }
        let value: DAGCBORValue
        do {
            value = try DAGCBORDecoder(limits: .init(maxInputSize: 1024 * 1024, maxDepth: 4)).decode(block)
        } catch {
            throw malformed("not canonical DAG-CBOR: \(error)")
        }
        guard case .map(let map) = value, Set(map.keys) == ["e", "l"] else {
            throw malformed("a node must be a map with exactly the keys e and l")
        }
        let left = try Self.link(map["l"], field: "l", malformed: malformed)
        guard case .array(let items) = map["e"] else { throw malformed("'e' is not an array") }
        guard items.count <= maxEntries else { throw malformed("more than \(maxEntries) entries") }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        var previous: [UInt8] = []
        for (index, item) in items.enumerated() {
            guard case .map(let entry) = item, Set(entry.keys) == ["k", "p", "t", "v"] else {
                throw malformed("entry \(index) must be a map with exactly the keys k, p, t, v")
            }
            guard case .integer(let prefix) = entry["p"], prefix >= 0 else {
                throw malformed("entry \(index): 'p' is not an unsigned integer")
            }
            guard case .bytes(let suffix) = entry["k"] else { throw malformed("entry \(index): 'k' is not bytes") }
            guard case .link(let valueCID) = entry["v"] else { throw malformed("entry \(index): 'v' is not a link") }
            let right = try Self.link(entry["t"], field: "entry \(index) 't'", malformed: malformed)
            if index == 0, prefix != 0 { throw malformed("the first entry's prefix length must be 0") }
            guard prefix <= Int64(previous.count) else {
                throw malformed("entry \(index): prefix length \(prefix) exceeds the previous key")
            }
            let key = Array(previous[0..<Int(prefix)]) + suffix
            guard !key.isEmpty, key.count <= MST.maxKeyLength else {
                throw malformed("entry \(index): key length \(key.count) outside 1...\(MST.maxKeyLength)")
            }
            if index > 0 {
                guard previous.lexicographicallyPrecedes(key) else {
                    throw malformed("entry \(index): keys are not strictly increasing")
                }
                // Writers compress maximally; anything else is a second encoding of the same tree.
                guard Int(prefix) == MST.commonPrefixLength(previous, key) else {
                    throw malformed("entry \(index): prefix length \(prefix) is not the maximal common prefix")
                }
            }
            entries.append(Entry(key: key, value: valueCID, right: right))
            previous = key
        }
        self.init(left: left, entries: entries)
    }

    private static func link(
        _ value: DAGCBORValue?, field: String, malformed: (String) -> ProofError
    ) throws(ProofError) -> CID? {
        switch value {
        case .null: return nil
        case .link(let cid):
            guard cid.isBlessedDAGCBOR else { throw malformed("\(field) \(cid) is not a dag-cbor sha2-256 CID") }
            return cid
        default: throw malformed("\(field) is neither a CID link nor null")
        }
    }

    /// The node's canonical DAG-CBOR encoding, with maximal prefix compression.
    public var encoded: [UInt8] {
        var items: [DAGCBORValue] = []
        var previous: [UInt8] = []
        for entry in entries {
            let prefix = MST.commonPrefixLength(previous, entry.key)
            items.append(.map(DAGCBORMap([
                "k": .bytes(Array(entry.key[prefix...])),
                "p": .integer(Int64(prefix)),
                "t": entry.right.map(DAGCBORValue.link) ?? .null,
                "v": .link(entry.value),
            ])))
            previous = entry.key
        }
        return DAGCBOREncoder.encode(.map(DAGCBORMap([
            "e": .array(items),
            "l": left.map(DAGCBORValue.link) ?? .null,
        ])))
    }
}
