import ATProto
import Foundation
import Yams

extension PolicyParser {
    static let trustedDIDKeys = ["name", "validFrom", "expiresAt", "publicKeys", "pds"]

    /// `trustedDIDs`: a mapping from DID to its entry, or a plain list of DIDs (each trusted at
    /// all times, with no pinned key or PDS). Records every DID in `declaredDIDs`.
    mutating func parseTrustedDIDs(_ node: Node?, path: FieldPath) -> [TrustedDID] {
        guard let node else { return [] }
        if case .sequence(let sequence) = node { return parseTrustedDIDList(sequence, path: path) }
        guard case .mapping(let mapping) = node else {
            sink.error(path, node, "expected a mapping from DID to its entry, or a list of DIDs, found \(node.kindDescription)")
            trustedDIDsUnreadable = true
            return []
        }
        var result: [TrustedDID] = []
        for (keyNode, value) in mapping {
            guard let raw = keyNode.stringValue else {
                sink.error(path, keyNode, "keys of trustedDIDs are DIDs, found \(keyNode.kindDescription)")
                continue
            }
            let entryPath = path.key(raw)
            declaredOrder.append(raw)
            declaredDIDs[raw] = .some(nil)
            let did: DID?
            do {
                did = try DID(raw)
            } catch {
                sink.error(entryPath, keyNode, "\(raw) is not a well-formed atproto DID: \(error)")
                did = nil
            }
            // Read the entry even under a malformed key, so its own mistakes are reported too.
            let entry = parseTrustedEntry(value, path: entryPath)
            guard let did, let entry else { continue }
            let trusted = TrustedDID(
                did: did,
                name: entry.name,
                validFrom: entry.validFrom,
                expiresAt: entry.expiresAt,
                publicKeys: entry.publicKeys,
                pds: entry.pds
            )
            declaredDIDs[raw] = trusted
            result.append(trusted)
        }
        return result
    }

    /// The list form, `trustedDIDs: [did:plc:…, did:web:…]`.
    private mutating func parseTrustedDIDList(_ sequence: Node.Sequence, path: FieldPath) -> [TrustedDID] {
        var result: [TrustedDID] = []
        for (index, element) in sequence.enumerated() {
            guard let raw = string(element, path: path.index(index)) else { continue }
            guard declaredDIDs[raw] == nil else {
                sink.error(path.index(index), element, "\(raw) is listed twice")
                continue
            }
            declaredOrder.append(raw)
            declaredDIDs[raw] = .some(nil)
            do {
                let trusted = TrustedDID(did: try DID(raw), name: nil, validFrom: nil, expiresAt: nil, publicKeys: [], pds: nil)
                declaredDIDs[raw] = trusted
                result.append(trusted)
            } catch {
                sink.error(path.index(index), element, "\(raw) is not a well-formed atproto DID: \(error)")
            }
        }
        return result
    }

    private struct Entry {
        var name: String?
        var validFrom: Date?
        var expiresAt: Date?
        var publicKeys: [PublicKey] = []
        var pds: ServiceEndpoint?
    }

    /// One DID's entry; nil when it has an error. A null entry means "no constraints".
    private mutating func parseTrustedEntry(_ node: Node, path: FieldPath) -> Entry? {
        if node.isNull { return Entry() }
        guard let fields = FieldMapping(node, path: path, known: Self.trustedDIDKeys, sink: &sink) else { return nil }
        let errorsBefore = sink.errors.count
        var entry = Entry()
        if let value = fields.nonNullValue("name") { entry.name = string(value, path: path.field("name")) }
        let validFromNode = fields.nonNullValue("validFrom")
        let expiresAtNode = fields.nonNullValue("expiresAt")
        if let validFromNode { entry.validFrom = timestamp(validFromNode, path: path.field("validFrom")) }
        if let expiresAtNode { entry.expiresAt = timestamp(expiresAtNode, path: path.field("expiresAt")) }
        if let from = entry.validFrom, let until = entry.expiresAt, from >= until {
            sink.error(path.field("validFrom"), validFromNode,
                       "validFrom \(RFC3339.format(from)) is not before expiresAt \(RFC3339.format(until)): this DID would never be trusted")
        }
        if let value = fields.value("publicKeys") { entry.publicKeys = parsePublicKeys(value, path: path.field("publicKeys")) }
        if let value = fields.nonNullValue("pds"), let text = string(value, path: path.field("pds")) {
            do {
                entry.pds = try ServiceEndpoint(text, allowInsecureLocal: allowInsecureLocalEndpoints)
            } catch {
                sink.error(path.field("pds"), value, "not a PDS origin: \(error.reason)")
            }
        }
        guard sink.errors.count == errorsBefore else { return nil }
        warnAboutWindow(entry, path: path, validFromNode: validFromNode, expiresAtNode: expiresAtNode)
        return entry
    }

    /// Multikey (`zQ3s…`, `zDn…`) or `did:key:` strings, each checked to be a K-256/P-256 point.
    private mutating func parsePublicKeys(_ node: Node, path: FieldPath) -> [PublicKey] {
        guard case .sequence(let sequence) = node else {
            sink.error(path, node, "expected a list of Multikey or did:key strings, found \(node.kindDescription)")
            return []
        }
        if sequence.isEmpty {
            sink.error(path, node, "must list at least one key (omit publicKeys to use the DID document's key)")
        }
        var keys: [PublicKey] = []
        for (index, element) in sequence.enumerated() {
            guard let text = string(element, path: path.index(index)) else { continue }
            do {
                keys.append(text.hasPrefix("did:key:") ? try PublicKey(didKey: text) : try PublicKey(multikey: text))
            } catch {
                sink.error(path.index(index), element, "not a Multikey or did:key public key: \(error)")
            }
        }
        return keys
    }

    /// An expired or not-yet-valid DID is legitimate (rotation, history) but worth a warning.
    private mutating func warnAboutWindow(_ entry: Entry, path: FieldPath, validFromNode: Node?, expiresAtNode: Node?) {
        if let until = entry.expiresAt, now >= until {
            sink.warning(path.field("expiresAt"), expiresAtNode,
                         "trust expired at \(RFC3339.format(until)); signatures by this DID no longer count")
        } else if let from = entry.validFrom, now < from {
            sink.warning(path.field("validFrom"), validFromNode,
                         "not trusted until \(RFC3339.format(from)); signatures by this DID do not count yet")
        }
    }
}
