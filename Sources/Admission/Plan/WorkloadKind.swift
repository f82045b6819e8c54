/// The kinds whose objects name container images, and where their pod spec lives.
public enum WorkloadKind: String, Sendable, Hashable, CaseIterable {
    /// `v1 Pod`: the pod spec is `spec`.
    case pod = "Pod"
    /// `apps/v1 Deployment`: `spec.template.spec`.
    case deployment = "Deployment"
    /// `apps/v1 ReplicaSet`: `spec.template.spec`.
    case replicaSet = "ReplicaSet"
    /// `apps/v1 StatefulSet`: `spec.template.spec`.
    case statefulSet = "StatefulSet"
    /// `apps/v1 DaemonSet`: `spec.template.spec`.
    case daemonSet = "DaemonSet"
    /// `batch/v1 Job`: `spec.template.spec`.
    case job = "Job"
    /// `batch/v1 CronJob`: `spec.jobTemplate.spec.template.spec`.
    case cronJob = "CronJob"
    /// `v1 ReplicationController`: `spec.template.spec`.
    case replicationController = "ReplicationController"
    /// The `pods/ephemeralcontainers` subresource as API servers before 1.25 sent it: an
    /// `EphemeralContainers` object with a top-level `ephemeralContainers` list.
    case ephemeralContainers = "EphemeralContainers"

    /// The workload kind of `request.kind`, or nil for any other kind (allowed untouched).
    /// The group must match too: a custom resource that happens to be called `Deployment` in
    /// another group has no known pod spec.
    public init?(_ kind: GroupVersionKind) {
        guard let match = WorkloadKind(rawValue: kind.kind), match.group == kind.group else { return nil }
        self = match
    }

    /// The API group the kind belongs to.
    public var group: String {
        switch self {
        case .pod, .replicationController, .ephemeralContainers: ""
        case .deployment, .replicaSet, .statefulSet, .daemonSet: "apps"
        case .job, .cronJob: "batch"
        }
    }

    /// The member path from the object to the object holding the container lists.
    public var podSpecPath: [String] {
        switch self {
        case .pod: ["spec"]
        case .deployment, .replicaSet, .statefulSet, .daemonSet, .job, .replicationController:
            ["spec", "template", "spec"]
        case .cronJob: ["spec", "jobTemplate", "spec", "template", "spec"]
        case .ephemeralContainers: []
        }
    }

    /// The container lists read from the pod spec.
    public var containerLists: [ContainerList] {
        self == .ephemeralContainers ? [.ephemeralContainers] : [.containers, .initContainers, .ephemeralContainers]
    }

    /// True when the pod spec's `volumes` are read for image volumes (every kind but the
    /// legacy `EphemeralContainers` object, which carries no pod spec).
    public var hasVolumes: Bool { self != .ephemeralContainers }
}

/// Where in a pod spec an image is named: one of the container lists, or the volumes.
public enum ContainerList: String, Sendable, Hashable, CaseIterable {
    /// `containers`.
    case containers
    /// `initContainers` (including restartable sidecars).
    case initContainers
    /// `ephemeralContainers` (added by `kubectl debug`).
    case ephemeralContainers
    /// `volumes[].image`: an image volume (Kubernetes ImageVolume, beta since 1.33), pulled by
    /// the kubelet like a container image. Its `ContainerRef` names the volume.
    case volumes
}
