import ATProto

/// How a commit `rev` compares with the highest one seen for its DID (docs/architecture.md, pipeline step 8).
public enum RevisionCheck: Sendable, Hashable {
    /// Higher than any seen (or the first seen): now the highest.
    case newer
    /// Equal to the highest seen: passes.
    case equal
    /// Lower than `highestSeen`: fetch once more; still lower is `replayed-commit`.
    case older(highestSeen: TID)
}
