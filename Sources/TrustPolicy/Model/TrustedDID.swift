import ATProto
import Foundation

/// A DID the policy trusts, with its validity window and optional pins.
public struct TrustedDID: Sendable, Hashable {
    /// The trusted identity.
    public var did: DID
    /// A human label (`name` in the file), informational.
    public var name: String?
    /// Start of the trust window (inclusive); nil means "always has been trusted".
    public var validFrom: Date?
    /// End of the trust window (exclusive); nil means "never expires".
    public var expiresAt: Date?
    /// Keys pinned in the policy: when present they replace the DID document's key.
    public var publicKeys: [PublicKey]
    /// PDS pinned in the policy: with `publicKeys` also pinned, no DID resolution happens.
    public var pds: ServiceEndpoint?

    /// A trusted DID; nil bounds mean an open window.
    public init(
        did: DID,
        name: String? = nil,
        validFrom: Date? = nil,
        expiresAt: Date? = nil,
        publicKeys: [PublicKey] = [],
        pds: ServiceEndpoint? = nil
    ) {
        self.did = did
        self.name = name
        self.validFrom = validFrom
        self.expiresAt = expiresAt
        self.publicKeys = publicKeys
        self.pds = pds
    }

    /// Where `now` falls relative to the trust window.
    public enum Validity: Sendable, Hashable {
        case valid
        /// `now` is before `validFrom`.
        case notYetValid(validFrom: Date)
        /// `now` is at or after `expiresAt`.
        case expired(expiresAt: Date)
    }

    /// `validFrom <= now < expiresAt`, each bound optional.
    public func validity(at now: Date) -> Validity {
        if let validFrom, now < validFrom { return .notYetValid(validFrom: validFrom) }
        if let expiresAt, now >= expiresAt { return .expired(expiresAt: expiresAt) }
        return .valid
    }

    /// True when the DID is trusted at `now`.
    public func isValid(at now: Date) -> Bool {
        validity(at: now) == .valid
    }

    /// True when both key and PDS are pinned, so the verifier need not resolve the DID.
    public var isFullyPinned: Bool {
        !publicKeys.isEmpty && pds != nil
    }
}
