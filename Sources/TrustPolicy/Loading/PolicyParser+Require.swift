import ATProto
import Yams

extension PolicyParser {
    static let requireKeys = ["signature", "trustedDIDs", "minSignatures", "digestPinned"]

    /// `require`. Absent or null means the defaults: a signature by any trusted DID.
    mutating func parseRequire(_ node: Node?, path: FieldPath, policyLine: Int?) -> Policy.Requirement? {
        var fields: FieldMapping?
        if let node, !node.isNull {
            guard let mapping = FieldMapping(node, path: path, known: Self.requireKeys, sink: &sink) else { return nil }
            fields = mapping
        }
        let errorsBefore = sink.errors.count
        let signature = fields?.nonNullValue("signature").flatMap { bool($0, path: path.field("signature")) } ?? true
        let digestPinned = fields?.nonNullValue("digestPinned").flatMap { bool($0, path: path.field("digestPinned")) } ?? false
        let references = resolveReferences(fields?.nonNullValue("trustedDIDs"), path: path.field("trustedDIDs"))

        let minNode = fields?.nonNullValue("minSignatures")
        var minSignatures = 1
        if let minNode, let value = int(minNode, path: path.field("minSignatures")) {
            minSignatures = value
            if value < 1 {
                sink.error(path.field("minSignatures"), minNode, "must be at least 1 (use signature: false to require none)")
            }
        }

        if signature {
            if minSignatures > references.count, minSignatures >= 1, !trustedDIDsUnreadable {
                let listed = fields?.nonNullValue("trustedDIDs") == nil ? "declared in trustedDIDs" : "listed"
                let signatures = minSignatures == 1 ? "1 signature" : "\(minSignatures) signatures"
                let dids = references.count == 1 ? "1 DID is" : "\(references.count) DIDs are"
                sink.error(path.field("minSignatures"), minNode ?? fields?.node,
                           "needs \(signatures) but only \(dids) \(listed): no image could pass")
            } else if references.allResolved, !trustedDIDsUnreadable, sink.errors.count == errorsBefore {
                let validNow = references.dids.filter { declaredDIDs[$0.string]??.isValid(at: now) ?? false }
                if validNow.count < minSignatures {
                    let listNode = fields?.value("trustedDIDs")
                    sink.warning(listNode == nil ? path : path.field("trustedDIDs"), listNode ?? fields?.node,
                                 "only \(validNow.count) of the \(references.count) trusted DIDs are valid at \(RFC3339.format(now)), fewer than minSignatures \(minSignatures): every image in scope fails")
                }
            }
        } else {
            // signature: false always passes, so these fields would silently do nothing.
            for key in ["trustedDIDs", "minSignatures", "digestPinned"] {
                if let value = fields?.value(key) {
                    sink.warning(path.field(key), value, "has no effect: signature is false, so this policy always passes")
                }
            }
        }
        guard sink.errors.count == errorsBefore else { return nil }
        return Policy.Requirement(
            signature: signature,
            trustedDIDs: references.dids,
            minSignatures: minSignatures,
            digestPinned: digestPinned
        )
    }

    struct References {
        /// The well-formed, declared DIDs, distinct, in order.
        var dids: [DID] = []
        /// Distinct DID strings referenced (well-formed or not): the size of the trusted set.
        var count = 0
        /// False when a reference could not be resolved (already reported).
        var allResolved = true
    }

    /// `require.trustedDIDs`: each must be declared under `trustedDIDs`. Absent means every
    /// declared DID.
    private mutating func resolveReferences(_ node: Node?, path: FieldPath) -> References {
        var references = References()
        guard let node else {
            references.count = declaredOrder.count
            for raw in declaredOrder {
                if let trusted = declaredDIDs[raw] ?? nil { references.dids.append(trusted.did) } else { references.allResolved = false }
            }
            return references
        }
        guard case .sequence(let sequence) = node else {
            sink.error(path, node, "expected a list of DIDs declared in trustedDIDs, found \(node.kindDescription)")
            references.allResolved = false
            return references
        }
        var seen: Set<String> = []
        for (index, element) in sequence.enumerated() {
            let itemPath = path.index(index)
            guard let raw = string(element, path: itemPath, what: "a DID") else {
                references.allResolved = false
                continue
            }
            guard seen.insert(raw).inserted else {
                sink.warning(itemPath, element, "\(raw) is listed twice; it counts once")
                continue
            }
            references.count += 1
            if let declared = declaredDIDs[raw] {
                // A malformed declared key was reported where it is declared; say nothing more.
                if let trusted = declared { references.dids.append(trusted.did) } else { references.allResolved = false }
                continue
            }
            references.allResolved = false
            do {
                _ = try DID(raw)
                sink.error(itemPath, element, "\(raw) is not declared in trustedDIDs")
            } catch {
                sink.error(itemPath, element, "\(raw) is not a well-formed atproto DID: \(error)")
            }
        }
        return references
    }
}
