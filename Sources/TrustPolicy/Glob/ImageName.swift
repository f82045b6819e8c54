import HostNames

/// An image's name as scopes see it: `registry/repository`, with no tag and no digest.
///
/// The registry is canonicalized by `RegistryHost`, the function image references use too, so
/// that a scope cannot be sidestepped by spelling: `ATCR.io:443` is `atcr.io`, Docker Hub's
/// aliases are `docker.io`, every loopback spelling is `localhost`. The repository is expected
/// already normalized (OCI repositories are lowercase); it is kept as given, so an invalid name
/// simply matches no literal scope.
public struct ImageName: Sendable, Hashable, CustomStringConvertible {
    /// The canonical registry host (and port), e.g. `atcr.io`, `docker.io`, `localhost:5000`.
    public let registry: String
    /// The repository path, e.g. `alice/prod-api` or `library/nginx`.
    public let repository: String

    /// Builds a name from its parts; the registry is canonicalized.
    public init(registry: String, repository: String) {
        self.registry = RegistryHost.canonical(registry)
        self.repository = repository
    }

    /// Parses a normalized `registry/repository` (the first `/` ends the registry). Returns nil
    /// when there is no repository, or the text still carries a tag (`:` after the registry)
    /// or a digest (`@`): scopes match names, and a tag must not be mistaken for a path.
    public init?(_ normalized: String) {
        guard let slash = normalized.firstIndex(of: "/") else { return nil }
        let registry = normalized[..<slash]
        let repository = normalized[normalized.index(after: slash)...]
        guard !registry.isEmpty, !repository.isEmpty,
              !normalized.contains("@"), !repository.contains(":")
        else { return nil }
        self.init(registry: String(registry), repository: String(repository))
    }

    /// `registry/repository`, the text scope globs are matched against.
    public var description: String { "\(registry)/\(repository)" }
}
