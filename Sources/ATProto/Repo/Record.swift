/// What the image under verification requires of the record (check 22).
public struct RecordExpectation: Sendable, Equatable {
    /// The image manifest digest, `sha256:<64 lowercase hex>`.
    public var digest: String
    /// The image's name: the path after the registry host and the owner segment.
    public var repository: String

    public init(digest: String, repository: String) {
        self.digest = digest
        self.repository = repository
    }
}

/// Check 21: a record block decodes strictly, is a map, and its `$type` is the collection.
public enum RecordDecoder {
    public static func decode(block: [UInt8], collection: NSID) throws(ProofError) -> DAGCBORMap {
        let value: DAGCBORValue
        do {
            value = try DAGCBORDecoder().decode(block)
        } catch {
            throw .recordMalformed("not canonical DAG-CBOR: \(error)")
        }
        guard case .map(let map) = value else { throw .recordMalformed("top level is a \(value.kindName), not a map") }
        guard case .text(let type) = map["$type"] else {
            throw .recordTypeMismatch(expected: collection.string, found: nil)
        }
        guard type == collection.string else { throw .recordTypeMismatch(expected: collection.string, found: type) }
        return map
    }
}

/// An `io.atcr.manifest` record, with the fields its published lexicon requires (check 22).
public struct ATCRManifestRecord: Sendable, Equatable {
    public var repository: String
    public var digest: String
    public var mediaType: String
    public var schemaVersion: Int64
    public var createdAt: String

    /// Reads the lexicon's required fields; more fields may follow and are ignored.
    public init(record: DAGCBORMap) throws(ProofError) {
        func text(_ field: String) throws(ProofError) -> String {
            guard let value = record[field] else { throw .recordFieldInvalid(field: field, "missing") }
            guard case .text(let text) = value else {
                throw .recordFieldInvalid(field: field, "is a \(value.kindName), not a string")
            }
            return text
        }
        repository = try text("repository")
        digest = try text("digest")
        mediaType = try text("mediaType")
        createdAt = try text("createdAt")
        guard case .integer(let version) = record["schemaVersion"] else {
            throw .recordFieldInvalid(field: "schemaVersion", "missing or not an integer")
        }
        schemaVersion = version
        guard !repository.isEmpty else { throw .recordFieldInvalid(field: "repository", "is empty") }
        guard Self.isSHA256Digest(digest) else {
            throw .recordFieldInvalid(field: "digest", "'\(digest)' is not sha256:<64 lowercase hex>")
        }
    }

    /// Check 22: the record names exactly this image.
    public func check(_ expectation: RecordExpectation) throws(ProofError) {
        guard digest == expectation.digest else {
            throw .recordDigestMismatch(expected: expectation.digest, found: digest)
        }
        guard repository == expectation.repository else {
            throw .recordRepositoryMismatch(expected: expectation.repository, found: repository)
        }
    }

    /// `sha256:` followed by 64 lowercase hex digits.
    public static func isSHA256Digest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
