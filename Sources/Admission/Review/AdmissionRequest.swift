import ATProto

/// The operation an AdmissionReview asks about.
public enum AdmissionOperation: String, Sendable, Hashable, CaseIterable {
    /// An object is created (including Pods a controller creates).
    case create = "CREATE"
    /// An object is replaced or patched; `oldObject` holds the stored version.
    case update = "UPDATE"
    /// An object is deleted; `object` is absent.
    case delete = "DELETE"
    /// A connection to a subresource (`pods/exec`, `pods/attach`, …).
    case connect = "CONNECT"
}

/// `request.kind`: the kind of the object under review, e.g. `apps/v1 Deployment`.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group (Pod, ReplicationController).
    public var group: String
    /// The API version, e.g. `v1`.
    public var version: String
    /// The kind, e.g. `Deployment`.
    public var kind: String

    /// A kind from its parts.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// `group/version`, or just `version` for the core group: an object's `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `apps/v1 Deployment`.
    public var description: String { "\(apiVersion) \(kind)" }
}

/// `request.resource`: the resource addressed, e.g. `apps/v1 deployments`.
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The API version, e.g. `v1`.
    public var version: String
    /// The plural resource name, e.g. `deployments`.
    public var resource: String

    /// A resource from its parts.
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `apps/v1 deployments`.
    public var description: String { group.isEmpty ? "\(version) \(resource)" : "\(group)/\(version) \(resource)" }
}

/// The parts of an `admission.k8s.io/v1` AdmissionReview request the webhook uses, read from
/// untrusted JSON by `AdmissionReview.parseRequest(_:maxBodyBytes:maxDepth:)`.
public struct AdmissionRequest: Sendable, Equatable {
    /// `request.uid`, echoed in the response; never empty.
    public var uid: String
    /// `request.kind`, the kind of `object` (after any conversion the API server did for the
    /// webhook's `matchPolicy: Equivalent`).
    public var kind: GroupVersionKind
    /// `request.resource`.
    public var resource: GroupVersionResource
    /// `request.subResource`, e.g. `ephemeralcontainers`, `status`, `exec`; nil when absent or empty.
    public var subResource: String?
    /// `request.operation`.
    public var operation: AdmissionOperation
    /// `request.namespace`; nil for cluster-scoped objects (or when empty).
    public var namespace: String?
    /// `request.name`; nil when empty, as on a CREATE that uses `generateName`.
    public var name: String?
    /// `request.userInfo.username`; nil when absent.
    public var username: String?
    /// `request.dryRun`: the request will not be persisted, so no side effects (no Events).
    public var dryRun: Bool
    /// `request.object` (nil for DELETE, or when null); for CONNECT, the connect options.
    public var object: JSONValue?
    /// `request.oldObject` (UPDATE and DELETE); nil when null or absent.
    public var oldObject: JSONValue?
    /// `request.options` (CreateOptions, UpdateOptions, DeleteOptions); nil when absent.
    public var options: JSONValue?

    /// A request built in code (tests, tools); servers use `AdmissionReview.parseRequest`.
    public init(
        uid: String,
        kind: GroupVersionKind,
        resource: GroupVersionResource,
        subResource: String? = nil,
        operation: AdmissionOperation,
        namespace: String? = nil,
        name: String? = nil,
        username: String? = nil,
        dryRun: Bool = false,
        object: JSONValue? = nil,
        oldObject: JSONValue? = nil,
        options: JSONValue? = nil
    ) {
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource
        self.operation = operation
        self.namespace = namespace
        self.name = name
        self.username = username
        self.dryRun = dryRun
        self.object = object
        self.oldObject = oldObject
        self.options = options
    }
}
