/// An image's name as scopes see it: `registry/repository`, with no tag and no digest.
///
/// The registry is canonicalized so that a scope cannot be sidestepped by spelling:
/// host names are case-insensitive (lowercased here) and `index.docker.io` is `docker.io`.
/// The repository is expected already normalized (OCI repositories are lowercase); it is kept
/// as given, so an invalid name simply matches no literal scope.
public struct ImageName: Sendable, Hashable, CustomStringConvertible {
    /// The canonical registry host (and port), e.g. `atcr.io`, `docker.io`, `localhost:5000`.
    public let registry: String
    /// The repository path, e.g. `alice/prod-api` or `library/nginx`.
    public let repository: String

    /// Builds a name from its parts; the registry is canonicalized.
    public init(registry: String, repository: String) {
        self.registry = Self.canonicalRegistry(registry)
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

    /// Lowercases a registry host and maps Docker Hub's alias `index.docker.io` to `docker.io`.
    public static func canonicalRegistry(_ registry: String) -> String {
        let lowered = registry.lowercased()
        return lowered == "index.docker.io" ? "docker.io" : lowered
    }
}
