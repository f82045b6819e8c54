/// The kinds whose objects name container images, and where their pod spec lives.
public enum WorkloadKind: String, Sendable, Hashable, CaseIterable {
    case pod = "Pod"
    case deployment = "Deployment"
    case replicaSet = "ReplicaSet"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"
    case job = "Job"
    case cronJob = "CronJob"
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
        self == .ephemeralContainers ? [.ephemeralContainers] : ContainerList.allCases
    }
}

/// One of a pod spec's container lists.
public enum ContainerList: String, Sendable, Hashable, CaseIterable {
    case containers
    case initContainers
    case ephemeralContainers
}
