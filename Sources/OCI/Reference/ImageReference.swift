/// A normalized container image reference: `registry/repository[:tag][@digest]`.
///
/// Normalization follows Docker's rules (docs/architecture.md, pipeline step 1): `nginx` is
/// `docker.io/library/nginx:latest`; `index.docker.io` and `registry-1.docker.io` are
/// `docker.io`; a first component containing `.` or `:`, or equal to `localhost`, is a
/// registry. A reference with a tag and a digest keeps both (the digest is what is pulled).
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The canonical registry host and port, lowercased: `docker.io`, `atcr.io`, `localhost:5000`.
    public let registry: String
    /// The repository path: `library/nginx`, `alice/prod-api`.
    public let repository: String
    /// The tag; `latest` when the reference named neither a tag nor a digest.
    public let tag: String?
    /// The digest the reference is pinned to.
    public let digest: Digest?

    /// Parses and normalizes `text`, failing with a reason a person can act on.
    public init(parsing text: String) throws(ImageReferenceError) {
        self = try ImageReferenceParser.parse(text)
    }

    /// Builds a reference from parts that are already valid (used after parsing).
    init(registry: String, repository: String, tag: String?, digest: Digest?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// True when `repository` is a valid OCI repository path (lowercase components separated
    /// by `/`, each `[a-z0-9]+` joined by `.`, `_`, `__` or dashes).
    public static func isValidRepository(_ repository: String) -> Bool {
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        return !repository.isEmpty && components.allSatisfy { ImageReferenceParser.isValidPathComponent(String($0)) }
    }

    /// True when `tag` is a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`).
    public static func isValidTag(_ tag: String) -> Bool { ImageReferenceParser.isValidTag(tag) }

    /// `registry/repository`: what trust-policy scopes are matched against.
    public var name: String { "\(registry)/\(repository)" }

    /// The repository as the registry client addresses it.
    public var repositoryLocation: RepositoryLocation { RepositoryLocation(registry: registry, repository: repository) }

    /// True when the reference names a digest (so no tag resolution, and no time-of-check race).
    public var isPinnedByDigest: Bool { digest != nil }

    /// The same image pinned to `digest` (the tag, if any, is kept).
    public func pinned(to digest: Digest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The ATCR split of the repository: for `atcr.io/<owner>/<name...>`, the owner segment
    /// (a handle; reported, never trusted) and the name after it, which the
    /// `io.atcr.manifest` record's `repository` must equal. Nil when the repository has a
    /// single component. The caller decides which registries are ATCR registries.
    public var atcrName: ATCRName? {
        guard let slash = repository.firstIndex(of: "/") else { return nil }
        return ATCRName(owner: String(repository[..<slash]), name: String(repository[repository.index(after: slash)...]))
    }

    /// `registry/repository[:tag][@digest]`.
    public var description: String {
        var text = name
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }
}

/// The owner segment and the image name of an ATCR repository (`<owner>/<name...>`).
public struct ATCRName: Sendable, Hashable {
    /// The first path segment: the owner's handle as written in the reference.
    public let owner: String
    /// Everything after the owner segment; what the record's `repository` must equal.
    public let name: String
}

/// A repository on a registry: what every registry-client call is addressed to.
public struct RepositoryLocation: Sendable, Hashable, CustomStringConvertible {
    /// The canonical registry name (`docker.io`, not `registry-1.docker.io`).
    public let registry: String
    public let repository: String

    /// A location from a canonical registry name and a repository path.
    public init(registry: String, repository: String) {
        self.registry = ImageReferenceParser.canonicalRegistry(registry)
        self.repository = repository
    }

    /// The host (and port) the registry API is served from: `registry-1.docker.io` for
    /// `docker.io`, the registry itself otherwise.
    public var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    public var description: String { "\(registry)/\(repository)" }
}
