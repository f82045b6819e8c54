import ATProto
import Foundation

/// An `events.k8s.io/v1` Event for a denial or an audit finding, ready to POST to
/// `/apis/events.k8s.io/v1/namespaces/<namespace>/events`. It carries only fields of the v1
/// API: never the core/v1-only `firstTimestamp`, `lastTimestamp`, `count` or `source`, which
/// the API server rejects on events.k8s.io/v1 creates.
public struct KubernetesEvent: Sendable, Hashable {
    /// The API server's limits (`k8s.io/kubernetes/pkg/apis/core/validation/events.go`), in
    /// UTF-8 bytes as Go's `len` counts them.
    public enum Limits {
        /// `reason`.
        public static let reason = 128
        /// `action`.
        public static let action = 128
        /// `reportingInstance`.
        public static let reportingInstance = 128
        /// `note`.
        public static let note = 1024
        /// `metadata.name` (a DNS subdomain).
        public static let name = 253
    }

    /// The controller that reports: a qualified name.
    public static let reportingController = "atcr-verify.io/webhook"

    /// `metadata.name`: a DNS subdomain, deterministic for the review, image and action.
    public var name: String
    /// `metadata.namespace`: the object's namespace.
    public var namespace: String
    /// `eventTime` (MicroTime).
    public var eventTime: Date
    /// Always `Warning` here.
    public var type: String
    /// CamelCase cause, e.g. `SignatureRequired`.
    public var reason: String
    /// `Deny` or `Audit`.
    public var action: String
    /// What happened, for a person; ≤ 1024 bytes.
    public var note: String
    /// The object under review.
    public var regarding: ObjectReference
    /// The webhook pod's name.
    public var reportingInstance: String

    /// An Event from its parts; `AdmissionOutcome.kubernetesEvents(at:reportingInstance:)`
    /// builds the real ones.
    public init(name: String, namespace: String, eventTime: Date, type: String = "Warning", reason: String,
                action: String, note: String, regarding: ObjectReference, reportingInstance: String) {
        self.name = name
        self.namespace = namespace
        self.eventTime = eventTime
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
        self.regarding = regarding
        self.reportingInstance = reportingInstance
    }

    /// The Event object. `regarding` has `apiVersion`, `kind`, `namespace`, and `name` and
    /// `uid` when known.
    public var json: JSONValue {
        var regardingMembers: [(String, JSONValue)] = [
            ("apiVersion", .string(regarding.apiVersion)),
            ("kind", .string(regarding.kind)),
        ]
        if let namespace = regarding.namespace { regardingMembers.append(("namespace", .string(namespace))) }
        if let name = regarding.name { regardingMembers.append(("name", .string(name))) }
        if let uid = regarding.uid { regardingMembers.append(("uid", .string(uid))) }
        return .members([
            ("apiVersion", .string("events.k8s.io/v1")),
            ("kind", .string("Event")),
            ("metadata", .members([("name", .string(name)), ("namespace", .string(namespace))])),
            ("eventTime", .string(MicroTime.format(eventTime))),
            ("type", .string(type)),
            ("reason", .string(reason)),
            ("action", .string(action)),
            ("note", .string(note)),
            ("regarding", .members(regardingMembers)),
            ("reportingController", .string(Self.reportingController)),
            ("reportingInstance", .string(reportingInstance)),
        ])
    }

    /// `json` as compact text: the POST body.
    public var body: String { json.serialized }
}
