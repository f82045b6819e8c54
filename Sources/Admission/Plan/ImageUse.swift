/// Where in the object an image is named: a container, e.g.
/// `spec.template.spec.initContainers[0]`, or an image volume's source, e.g.
/// `spec.volumes[2].image`.
public struct ContainerRef: Sendable, Hashable, CustomStringConvertible {
    /// The dotted path from the object's root to the container entry (or the volume's `image`).
    public var path: String
    /// The container's (or volume's) `name`, when it has one.
    public var name: String?
    /// Which list the container (or volume) is in.
    public var list: ContainerList

    /// A container at `path` in `list`.
    public init(path: String, name: String?, list: ContainerList) {
        self.path = path
        self.name = name
        self.list = list
    }

    /// The path.
    public var description: String { path }
}

/// One image of a review and every container that uses it: images are verified once per
/// review, however many containers name them.
public struct ImageUse: Sendable, Hashable {
    /// The image reference exactly as the pod spec writes it (not normalized: `nginx` and
    /// `docker.io/library/nginx:latest` are two entries; normalization belongs to the verifier).
    public var image: String
    /// The containers naming it, in spec order (containers, initContainers, ephemeralContainers),
    /// then the image volumes naming it.
    public var containers: [ContainerRef]

    /// An image and the containers that use it.
    public init(image: String, containers: [ContainerRef]) {
        self.image = image
        self.containers = containers
    }
}

/// Something wrong with the object under review that makes it invalid, e.g. a container
/// without an image. The API server rejects such objects itself before validating webhooks
/// run; one that reaches the webhook is refused rather than guessed at.
public struct ObjectProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The dotted path of the offending field, e.g. `spec.containers[1].image`.
    public var path: String
    /// What is wrong with it, phrased to follow the path: `is empty; every container needs an image`.
    public var reason: String

    /// A problem at `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `spec.containers[1].image is empty; every container needs an image`.
    public var description: String { "\(path) \(reason)" }
}

/// The object a review is about, as an Event's `regarding` names it.
public struct ObjectReference: Sendable, Hashable {
    /// `group/version` (or `version` for the core group).
    public var apiVersion: String
    /// The kind, e.g. `Deployment`.
    public var kind: String
    /// `request.namespace`, else the object's `metadata.namespace`.
    public var namespace: String?
    /// `request.name`, else the object's `metadata.name`, else its `metadata.generateName`.
    public var name: String?
    /// The object's `metadata.uid` when known; a CREATE's object usually has none yet.
    public var uid: String?

    /// A reference from its parts.
    public init(apiVersion: String, kind: String, namespace: String?, name: String?, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}
